"""The search box: full page without JavaScript, the results fragment for htmx as you type."""
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import mark_safe

from papyrus.wiki import selectors

LIMIT = 10
# Private-use markers: the snippet is page text, so it is escaped first and only then marked.
START, STOP = "\ue000", "\ue001"


def _highlighted(snippet: str):
    return mark_safe(escape(snippet).replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308


def search(request):
    q = request.GET.get("q", "")[:200]
    results = selectors.page_search_as_you_type(user=request.web_user, q=q, limit=LIMIT,
                                                start_sel=START, stop_sel=STOP)
    for result in results:
        result["snippet"] = _highlighted(result["snippet"])
    template = "web/_search_results.html" if request.htmx else "web/search.html"
    return render(request, template, {"q": q, "results": results})
