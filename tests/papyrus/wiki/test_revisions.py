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


def test_the_last_word_is_a_prefix_and_only_letters_and_digits_reach_to_tsquery():
    assert selectors._last_word_prefixes("Deploym") == "deploym:* | deploy | deplo | depl"
    assert selectors._last_word_prefixes("deployment") == "deployment:* | deploymen | deployme | deploym | deploy | deplo"
    assert selectors.as_you_type_query("  &|!:* ") is None
    assert selectors.WORD.findall("a & b|!c:*_d") == ["a", "b", "c", "d"]


def test_search_as_you_type_matches_the_last_word_as_a_prefix(user):
    services.page_create(author=user, title="Deployment guide", content="How we deploy the wiki")
    services.page_create(author=user, title="Other", content="nothing here; deployment elsewhere")
    titles = lambda q: [r["title"] for r in selectors.page_search_as_you_type(user=user, q=q, limit=10)]  # noqa: E731
    assert titles("deploy gui") == ["Deployment guide"]
    for typed in ("dep", "deplo", "deploym", "deployme", "deploymen", "deployment"):
        assert set(titles(typed)) == {"Deployment guide", "Other"}, typed
    assert titles("deploy gux") == []
    assert titles("wiki & | ! (") == ["Deployment guide"]
