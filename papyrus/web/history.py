"""A page's history as numbered versions: each revision row is the state an update replaced,
so version n's author is whoever made update n-1 (the page's author for version 1) and the
page itself is the newest version, N+1."""
import difflib
from dataclasses import dataclass
from datetime import datetime

from papyrus.wiki import selectors
from papyrus.wiki.models import Page


@dataclass
class Version:
    number: int
    title: str
    content: str
    tags: list
    by: str
    at: datetime
    current: bool = False


def versions(page: Page) -> list[Version]:
    """Every version of `page`, newest first."""
    revisions = list(selectors.page_revision_list(page=page))[::-1]  # oldest first
    saved = [(page.author, page.created_at)] + [(r.edited_by, r.created_at) for r in revisions]
    out = [Version(r.number, r.title, r.content, list(r.tags), _name(saved[i][0]), saved[i][1])
           for i, r in enumerate(revisions)]
    out.append(Version(len(revisions) + 1, page.title, page.content, list(page.tags),
                       _name(saved[-1][0]), page.updated_at, current=True))
    return out[::-1]


def _name(user) -> str:
    return user.name if user is not None else "a deleted user"


@dataclass
class DiffLine:
    kind: str  # "add", "del", "same", "hunk"
    text: str


def diff(old: str, new: str, *, old_label: str, new_label: str) -> list[DiffLine]:
    """A unified line diff; the template escapes the text."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label,
                                 lineterm="", n=3)
    out = []
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        kind = {"@": "hunk", "+": "add", "-": "del"}.get(line[:1], "same")
        out.append(DiffLine(kind, line))
    return out


def version_text(v: Version) -> str:
    """What the diff compares: the title, tags and content."""
    return f"# {v.title}\nTags: {', '.join(v.tags)}\n\n{v.content}"
