"""The search box: full page without JavaScript, the results fragment for htmx as you type."""
from django.shortcuts import render
from django.utils.safestring import mark_safe

from papyrus.wiki import selectors

LIMIT = 10


def search(request):
    q = request.GET.get("q", "")[:200]
    results = selectors.page_search_as_you_type(user=request.user, q=q, limit=LIMIT)
    for result in results:
        result["snippet"] = mark_safe(result["snippet"])  # noqa: S308  # nosec B308 B703  # escaped by the selector, hits in <mark>
    template = "web/_search_results.html" if request.htmx else "web/search.html"
    return render(request, template, {"q": q, "results": results})
