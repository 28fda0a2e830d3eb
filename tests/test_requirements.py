"""Every package requirements.in pins is used by the project: imported, named in settings, or run as
a command (issue 28: django-prometheus was pinned, locked and installed, and imported by nothing)."""
import re
from importlib.metadata import packages_distributions

from tests.test_lint import ROOT

# Used without their module's name appearing anywhere: why each is pinned.
IMPLICIT = {
    "hiredis": "redis-py's C reply parser, picked up when installed",
    "async-timeout": "redis needs it below Python 3.11.3 (requirements.in says so)",
    # Not switched on by these settings today (noted in issue 28's report), but ops.postgres handles it.
    "psycopg-pool": "Django's PostgreSQL connection pool (DATABASES OPTIONS 'pool')",
}
SOURCES = ["papyrus", "ops", "backups_app", "settings", "scripts", "bench", "deploy"]
FILES = ["Makefile", "Dockerfile", "docker-compose.yml", "manage.py"]
SUFFIXES = {".py", ".sh", ".yml", ".yaml", ".conf", ".env", ".toml", ""}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned() -> list[str]:
    lines = (ROOT / "requirements.in").read_text().splitlines()
    return [normalized(re.split(r"[=<>\[ ;]", line, maxsplit=1)[0]) for line in lines
            if line.strip() and not line.lstrip().startswith("#")]


def project_text() -> str:
    paths = [ROOT / name for name in FILES]
    for top in SOURCES:
        paths += [p for p in (ROOT / top).rglob("*") if p.is_file() and p.suffix in SUFFIXES
                  and "__pycache__" not in p.parts]
    return "\n".join(p.read_text(errors="replace") for p in paths)


def test_every_pinned_package_is_used():
    modules: dict[str, list[str]] = {}
    for module, distributions in packages_distributions().items():
        for distribution in distributions:
            modules.setdefault(normalized(distribution), []).append(module)
    text = project_text()
    unused = [name for name in pinned() if name not in IMPLICIT
              and not any(re.search(rf"\b{re.escape(m)}\b", text) for m in modules.get(name, [name]))]
    assert unused == []
