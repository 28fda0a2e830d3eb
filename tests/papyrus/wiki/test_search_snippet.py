"""Issue 19 item 7: a search snippet is escaped text plus <mark> highlights, nothing else."""
import re

import pytest

from papyrus.wiki import selectors

HOSTILE = [
    "a <img src=x onerror=alert(1)> drills",        # ts_headline keeps this tag as it is
    "drills <svg/onload=alert(1)>",
    'drills "><img src=x onerror=alert(1)>',
    "x < y & drills > z",
]


def markup_outside_highlights(snippet: str) -> str:
    return re.sub(r"</?mark>", "", snippet)


@pytest.mark.parametrize("content", HOSTILE)
def test_page_html_in_a_snippet_is_escaped_and_only_the_highlight_is_markup(client, user, page_of, content):
    page_of(user, "Hostile", content=content)
    [hit] = client.get("/api/search?q=drills", content_type="application/json").json()
    snippet = hit["snippet"]
    assert "<mark>drills</mark>" in snippet
    assert snippet.count("<mark>") == 1 and snippet.count("</mark>") == 1
    rest = markup_outside_highlights(snippet)
    assert "<" not in rest and ">" not in rest and '"' not in rest, snippet
    if "onerror" in content:
        assert "&lt;img src=x onerror=alert(1)&gt;" in snippet


def test_content_that_looks_like_a_highlight_marker_stays_text(user, page_of):
    page_of(user, "Markers", content="<mark>fake</mark> and the real drills word")
    [hit] = selectors.page_search(user=user, q="drills", limit=5)
    assert hit["snippet"].count("<mark>") == 1 and "<mark>drills</mark>" in hit["snippet"]
    assert "<mark>fake" not in hit["snippet"]
