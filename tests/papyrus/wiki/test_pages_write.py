"""POST/PATCH/PUT/DELETE /api/pages: validation, slugs, revisions, soft delete."""
import pytest

from papyrus.wiki.models import Page, PageRevision


def create(client, **data):
    return client.post("/api/pages", data, format="json")


def test_create_returns_201_with_the_page_and_author_is_the_caller(signed_in, user):
    r = create(signed_in, title="Hello World", content="Body", tags=["a", "b"])
    assert r.status_code == 201, r.content
    body = r.json()
    assert isinstance(body["id"], int)
    assert body["slug"] == "hello-world" and body["folder"] == "docs" and body["tags"] == ["a", "b"]
    assert body["author"] == "Alice" and body["teamId"] is None
    page = Page.objects.get(pk=body["id"])
    assert page.author == user and page.content == "Body"


def test_create_needs_sign_in(client, db):
    r = create(client, title="Nope")
    assert r.status_code == 401
    assert r.json()["message"]
    assert not Page.objects.exists()


def test_unknown_and_read_only_fields_are_ignored(signed_in, user, other):
    r = create(signed_in, title="Mine", id=999, slug="chosen", author="Bob", authorId=other.id,
               createdAt="2000-01-01T00:00:00Z", deletedAt="2000-01-01T00:00:00Z", surprise={"x": 1})
    assert r.status_code == 201, r.content
    page = Page.objects.get(pk=r.json()["id"])
    assert page.pk != 999 and page.slug == "mine" and page.author == user
    assert page.created_at.year > 2000 and page.deleted_at is None


def test_same_title_gets_distinct_slugs(signed_in):
    slugs = [create(signed_in, title="Same Title").json()["slug"] for _ in range(3)]
    assert slugs == ["same-title", "same-title-2", "same-title-3"]


def test_a_title_that_looks_like_a_numbered_slug_still_gets_a_unique_slug(signed_in):
    create(signed_in, title="Note")
    create(signed_in, title="Note")  # note-2
    assert create(signed_in, title="Note 2").json()["slug"] == "note-2-2"


def test_korean_title_keeps_a_unicode_slug_and_is_readable(signed_in, client):
    r = create(signed_in, title="모니터링 가이드", content="한국어 본문")
    assert r.status_code == 201
    assert r.json()["slug"] == "모니터링-가이드"
    read = client.get(f"/api/pages/{r.json()['id']}").json()
    assert read["title"] == "모니터링 가이드" and read["content"] == "한국어 본문"
    assert create(signed_in, title="모니터링 가이드").json()["slug"] == "모니터링-가이드-2"


def test_title_without_letters_gets_a_fallback_slug(signed_in):
    assert create(signed_in, title="!!! ???").json()["slug"] == "page"


@pytest.mark.parametrize("data, field", [
    ({}, "title"),
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": None}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": ["list"]}, "title"),
    ({"title": {"an": "object"}}, "title"),
    ({"title": True}, "title"),
    ({"title": "ok", "content": "c" * 200_001}, "content"),
    ({"title": "ok", "content": ["x"]}, "content"),
    ({"title": "ok", "tags": "not-a-list"}, "tags"),
    ({"title": "ok", "tags": {"a": 1}}, "tags"),
    ({"title": "ok", "tags": [""]}, "tags"),
    ({"title": "ok", "tags": [None]}, "tags"),
    ({"title": "ok", "tags": [["nested"]]}, "tags"),
    ({"title": "ok", "tags": ["t" * 51]}, "tags"),
    ({"title": "ok", "tags": [f"t{i}" for i in range(21)]}, "tags"),
    ({"title": "ok", "folder": "f" * 101}, "folder"),
    ({"title": "ok", "folder": ""}, "folder"),
    ({"title": "ok", "teamId": "abc"}, "teamId"),
    ({"title": "ok", "teamId": 1.5}, "teamId"),
    ({"title": "ok", "teamId": 0}, "teamId"),
    ({"title": "ok", "teamId": 99999999999999999999}, "teamId"),
    ({"title": "ok", "teamId": 424242}, "teamId"),
    ({"title": "nul\u0000byte"}, "title"),
    ({"title": "ok", "tags": ["nul\u0000"]}, "tags"),
])
def test_invalid_page_is_400_with_field_errors(signed_in, data, field):
    r = create(signed_in, **data)
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["message"] and field in body["errors"], body
    assert all(isinstance(m, str) for m in body["errors"][field] if not isinstance(m, (list, dict)))
    assert not Page.objects.exists()


def test_patch_changes_only_the_given_fields(signed_in, user, page_of):
    page = page_of(user, "Draft", content="old", tags=["t"])
    r = signed_in.patch(f"/api/pages/{page.id}", {"content": "new"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["content"] == "new" and r.json()["title"] == "Draft" and r.json()["tags"] == ["t"]
    page.refresh_from_db()
    assert page.content == "new"


def test_patch_with_a_new_title_moves_the_slug(signed_in, user, page_of):
    page_of(user, "Taken")
    page = page_of(user, "Draft")
    r = signed_in.patch(f"/api/pages/{page.id}", {"title": "Taken"}, format="json")
    assert r.json()["slug"] == "taken-2"
    same = signed_in.patch(f"/api/pages/{page.id}", {"title": "Taken"}, format="json")
    assert same.json()["slug"] == "taken-2"


def test_put_replaces_and_requires_a_title(signed_in, user, page_of):
    page = page_of(user, "Draft", content="old", tags=["t"], folder="f")
    missing = signed_in.put(f"/api/pages/{page.id}", {"content": "x"}, format="json")
    assert missing.status_code == 400 and "title" in missing.json()["errors"]
    r = signed_in.put(f"/api/pages/{page.id}", {"title": "Final", "content": "new", "tags": [], "folder": "g"},
                      format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["title"], r.json()["content"], r.json()["tags"], r.json()["folder"]) == ("Final", "new", [], "g")


@pytest.mark.parametrize("data, field", [
    ({"title": ""}, "title"), ({"title": "x" * 201}, "title"), ({"tags": "x"}, "tags"),
    ({"content": {"a": 1}}, "content"), ({"folder": None}, "folder"),
])
def test_invalid_patch_is_400_and_changes_nothing(signed_in, user, page_of, data, field):
    page = page_of(user, "Draft", content="old")
    r = signed_in.patch(f"/api/pages/{page.id}", data, format="json")
    assert r.status_code == 400 and field in r.json()["errors"]
    page.refresh_from_db()
    assert (page.title, page.content) == ("Draft", "old")
    assert not PageRevision.objects.exists()


def test_every_update_keeps_a_revision_of_the_previous_state(signed_in, user, page_of):
    page = page_of(user, "v1", content="one")
    signed_in.patch(f"/api/pages/{page.id}", {"title": "v2", "content": "two"}, format="json")
    signed_in.put(f"/api/pages/{page.id}", {"title": "v3", "content": "three"}, format="json")
    revisions = list(PageRevision.objects.filter(page=page).order_by("number"))
    assert [(r.number, r.title, r.content) for r in revisions] == [(1, "v1", "one"), (2, "v2", "two")]
    assert all(r.edited_by == user for r in revisions)


def test_delete_is_a_soft_delete_then_404(signed_in, client, user, page_of):
    page = page_of(user, "Bye")
    r = signed_in.delete(f"/api/pages/{page.id}", content_type="application/json")
    assert r.status_code == 204 and r.content == b""
    assert Page.objects.filter(pk=page.id, deleted_at__isnull=False).exists()
    assert client.get(f"/api/pages/{page.id}").status_code == 404
    assert signed_in.patch(f"/api/pages/{page.id}", {"title": "x"}, format="json").status_code == 404
    assert signed_in.delete(f"/api/pages/{page.id}").status_code == 404


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_writes_to_unknown_pages_are_404(signed_in, method):
    for path in ("/api/pages/424242", "/api/pages/99999999999999999999", "/api/pages/abc"):
        r = getattr(signed_in, method)(path, {"title": "x"}, format="json")
        assert r.status_code == 404, (path, r.content)
        assert r.json()["message"]


def test_page_input_accepts_and_refuses_what_the_page_serializer_does():
    """Writes validate with PageInput (declared fields, cheaper); PageSerializer documents them."""
    from papyrus.wiki.serializers import PageInput, PageSerializer

    cases = [{"title": "T"}, {"title": ""}, {}, {"title": "x" * 201}, {"title": "T", "tags": ["a"] * 21},
             {"title": "T", "tags": [""]}, {"title": "T", "teamId": 0}, {"title": "T", "teamId": None},
             {"title": "T", "content": " spaced ", "folder": "f"}, {"title": "T", "folder": "x" * 101}]
    for data in cases:
        for partial in (False, True):
            ours, theirs = PageInput(data=data, partial=partial), PageSerializer(data=data, partial=partial)
            assert ours.is_valid() == theirs.is_valid(), data
            assert ours.errors == theirs.errors, data
            if ours.is_valid():
                assert dict(ours.validated_data) == dict(theirs.validated_data), data


@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_of_one_page_each_keep_a_numbered_revision(user, page_of):
    """The single-statement update locks the row: racing writers queue, none reuses a number."""
    import threading

    from django.db import connection

    from papyrus.wiki import services
    from papyrus.wiki.models import Page

    page = page_of(user, "Raced", content="v0")
    writers, barrier, errors = 8, threading.Barrier(8), []

    def write(n):
        try:
            barrier.wait()
            services.page_update(page=Page.objects.get(pk=page.pk), editor=user, content=f"v{n + 1}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    page.refresh_from_db()
    assert page.version == writers
    numbers = sorted(page.revisions.values_list("number", flat=True))
    assert numbers == list(range(1, writers + 1))
    # each revision holds the state the next writer replaced: all 8 states, v0 included
    states = [*page.revisions.values_list("content", flat=True), page.content]
    assert sorted(states) == sorted(["v0"] + [f"v{n + 1}" for n in range(writers)])
