"""docs/architecture.md stays true: its middleware list is settings.MIDDLEWARE, every project app
has its paragraph, and its import rules hold for every module of the source."""
import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "architecture.md").read_text()
PROJECT_APPS = ("papyrus", "ops", "backups_app")


def fenced(info: str) -> list[str]:
    block = re.search(rf"^```{info}\n(.*?)^```", DOC, re.M | re.S)
    assert block, f"docs/architecture.md has no ```{info} block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_the_request_path_lists_the_middleware_of_the_settings_in_order():
    listed = [line.split(" — ")[0].strip() for line in fenced("middleware")]
    assert listed == list(settings.MIDDLEWARE)


def test_every_project_app_has_its_paragraph():
    apps = [app for app in settings.INSTALLED_APPS if app.split(".")[0] in PROJECT_APPS]
    missing = [app for app in apps if f"### `{app}`" not in DOC]
    assert missing == []


def imported_modules(path: Path, package: str) -> set[str]:
    """Every module `path` imports, at the top or inside a function, relative imports resolved."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module
            modules.add(base)
            modules.update(f"{base}.{alias.name}" for alias in node.names)
    return modules


def test_the_import_rules_hold():
    broken = []
    for line in fenced("imports"):
        package, _, forbidden = line.partition(":")
        forbidden = [name.strip() for name in forbidden.split(",")]
        folder = ROOT.joinpath(*package.strip().split("."))
        for path in sorted(folder.rglob("*.py")):
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            own_package = dotted if path.name == "__init__.py" else dotted.rsplit(".", 1)[0]
            for module in imported_modules(path, own_package):
                if any(module == name or module.startswith(name + ".") for name in forbidden):
                    broken.append(f"{path.relative_to(ROOT)} imports {module}")
    assert broken == []
