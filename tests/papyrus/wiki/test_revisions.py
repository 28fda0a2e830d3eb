"""Revision selectors and page_revision_restore: a restore is a new revision, nothing overwritten."""
from papyrus.wiki import selectors, services


def test_list_get_and_restore_keep_every_state(user, other):
    page = services.page_create(author=user, title="One", content="first")
    services.page_update(page=page, editor=other, content="second")
    services.page_update(page=page, editor=user, title="Two", content="third")
    assert [r.number for r in selectors.page_revision_list(page=page)] == [2, 1]
    first = selectors.page_revision_get(page=page, number=1)
    assert (first.title, first.content, first.edited_by) == ("One", "first", other)
    assert selectors.page_revision_get(page=page, number=9) is None

    page = services.page_revision_restore(page=page, revision=first, editor=other)
    assert (page.title, page.content) == ("One", "first")
    assert [(r.number, r.content) for r in selectors.page_revision_list(page=page)] == [
        (3, "third"), (2, "second"), (1, "first")]


def test_prefix_tsquery_keeps_only_words():
    assert selectors.prefix_tsquery("wiki sea") == "wiki & sea:*"
    assert selectors.prefix_tsquery("a & b | !c:*") == "a & b & c:*"
    assert selectors.prefix_tsquery("  ") == ""


def test_search_as_you_type_matches_the_last_word_as_a_prefix(user):
    services.page_create(author=user, title="Deployment guide", content="How we deploy the wiki")
    services.page_create(author=user, title="Other", content="nothing here")
    found = selectors.page_search_as_you_type(user=user, q="deploy gui", limit=10)
    assert [r["title"] for r in found] == ["Deployment guide"]
    assert selectors.page_search_as_you_type(user=user, q="deploy gux", limit=10) == []
