"""The one renderer for pages and previews: Markdown in, sanitized HTML out."""
from html.parser import HTMLParser

import pytest

from papyrus.web.markdown import render

PAYLOADS = [
    "<script>window.pwned = 1</script>",
    '<img src="/x.png" onerror="window.pwned = 2">',
    "[click me](javascript:window.pwned=3)",
    '<a href="javascript:window.pwned=4">a</a>',
    '<a href="JaVaScRiPt&#58;window.pwned=5">b</a>',
    '<svg><script>window.pwned=6</script></svg>',
    '<iframe src="javascript:window.pwned=7"></iframe>',
    '<div style="background:url(javascript:x)" onmouseover="window.pwned=8">hover</div>',
]


class Elements(HTMLParser):
    """Every (tag, attributes) the browser would build from the HTML."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_script_handler_or_javascript_url_survives(payload):
    elements = Elements(render(f"Text before\n\n{payload}\n\nafter")).found
    assert elements  # the text around the payload is still there
    for tag, attrs in elements:
        assert tag not in ("script", "iframe", "svg", "style")
        for name, value in attrs.items():
            assert not name.startswith("on") and name != "style", (tag, name)
            assert "javascript" not in (value or "").lower().replace("&#58;", ":"), (tag, name, value)


def test_markdown_features_render():
    html = render("# Title\n\n**bold** ~~gone~~ [link](https://example.com)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                  "```python\nx = 1\n```\n\n<details><summary>More</summary>hidden</details>")
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html and "<s>gone</s>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">link</a>' in html
    assert "<table>" in html and '<code class="language-python">x = 1' in html
    assert "<details><summary>More</summary>hidden</details>" in html


def test_html_in_text_is_escaped_not_interpreted_inside_code():
    assert "&lt;script&gt;" in render("`<script>alert(1)</script>`")
