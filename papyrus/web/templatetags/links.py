"""`{% link %}` and `{% asset %}`: `{% url %}` and `{% static %}` worked out once per process.

Every page's layout names the same handful of URLs and static files; reversing and looking each up
in the static manifest on every view was a fifth of a cached page view's CPU (bench.web). A URL
depends only on the URLconf, the script prefix and the arguments, a static URL on the storage's
manifest: both are kept per process, keyed by all of them, and forgotten when a test changes those
settings. Registered as template builtins (settings TEMPLATES), so templates need no `{% load %}`.

    <a href="{% link 'web:history' page.pk %}">History</a>   <link href="{% asset 'web/wiki.css' %}">
"""
from django import template
from django.core.signals import setting_changed
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

KEPT_MAX = 10_000  # links with arguments (a page id) add one entry each; the whole memo is dropped past this
_links: dict[tuple, str] = {}
_assets: dict[str, str] = {}


@register.simple_tag
def link(name: str, *args) -> str:
    """`reverse(name, args=args)`, remembered per URLconf and script prefix."""
    key = (get_urlconf(), get_script_prefix(), name, args)
    found = _links.get(key)
    if found is None:
        if len(_links) >= KEPT_MAX:
            _links.clear()
        found = _links[key] = reverse(name, args=args)
    return found


@register.simple_tag
def asset(path: str) -> str:
    """The static file's URL (its hashed name under a manifest storage), remembered."""
    found = _assets.get(path)
    if found is None:
        found = _assets[path] = static(path)
    return found


def forget(*, setting, **kwargs) -> None:
    if setting in ("ROOT_URLCONF", "STATIC_URL", "STATIC_ROOT", "STORAGES"):
        _links.clear()
        _assets.clear()


setting_changed.connect(forget, dispatch_uid="papyrus.web.links")
