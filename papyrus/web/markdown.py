"""Markdown → safe HTML: one renderer for saved pages and the editor's preview.

markdown-it-py renders CommonMark (+ tables, strikethrough; raw HTML allowed so people can
write <details> or <kbd>), then nh3 (ammonia) keeps only an allow-list of tags, attributes
and URL schemes: <script>, on* attributes and javascript: URLs never survive.
"""
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(["table", "strikethrough"])

# nh3's defaults plus the few things Markdown emits that they lack; no style, no on*.
TAGS = nh3.ALLOWED_TAGS | {"details", "summary"}
ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, "code": {"class"}, "th": {"align", "style"}, "td": {"align", "style"}}
ATTRIBUTES = {tag: set(attrs) - {"style"} for tag, attrs in ATTRIBUTES.items()}
URL_SCHEMES = {"http", "https", "mailto"}


def render(text: str) -> SafeString:
    html = _md.render(text or "")
    return mark_safe(nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,  # noqa: S308  # nosec B308 B703  # nh3-sanitized
                               link_rel="noopener noreferrer nofollow"))
