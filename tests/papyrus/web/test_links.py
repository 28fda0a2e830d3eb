"""{% link %} and {% asset %} give what {% url %} and {% static %} give, however often they are asked."""
from django.template import Context, Template
from django.urls import clear_script_prefix, set_script_prefix


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_link_is_url_for_plain_and_argument_links():
    for _ in range(2):  # the second time from the memo
        assert render("{% link 'web:pages' %}") == render("{% url 'web:pages' %}") == "/"
        assert render("{% link 'web:history' n %}", n=7) == render("{% url 'web:history' 7 %}") == "/pages/7/history/"
        assert render("{% link 'web:restore' 7 n %}", n=3) == "/pages/7/history/3/restore/"


def test_link_follows_the_script_prefix_of_the_request():
    assert render("{% link 'web:search' %}") == "/search/"
    set_script_prefix("/wiki/")
    try:
        assert render("{% link 'web:search' %}") == render("{% url 'web:search' %}") == "/wiki/search/"
    finally:
        clear_script_prefix()
    assert render("{% link 'web:search' %}") == "/search/"


def test_asset_is_static_and_follows_a_changed_static_url(settings):
    assert render("{% asset 'web/wiki.css' %}") == render("{% load static %}{% static 'web/wiki.css' %}")
    settings.STATIC_URL = "https://cdn.example.com/s/"

    assert render("{% asset 'web/wiki.css' %}") == "https://cdn.example.com/s/web/wiki.css"


def test_links_in_attributes_are_escaped_like_url():
    assert render('<a href="{% link \'web:page\' n %}">', n="1") == render('<a href="{% url \'web:page\' \'1\' %}">')
