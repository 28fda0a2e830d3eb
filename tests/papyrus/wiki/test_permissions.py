"""Who may read and write which page: 401 anonymous, 403 otherwise not allowed."""
import pytest

from papyrus.wiki.models import Page, PageRevision

WRITES = [
    ("patch", {"title": "Changed"}),
    ("put", {"title": "Changed", "content": "x"}),
    ("delete", None),
]


def write(client, method, page, data):
    return getattr(client, method)(f"/api/pages/{page.id}", data, format="json")


def assert_untouched(page, title):
    page.refresh_from_db()
    assert page.title == title and page.deleted_at is None
    assert not PageRevision.objects.filter(page=page).exists()


@pytest.mark.parametrize("method, data", WRITES)
def test_anonymous_writes_are_401(client, user, page_of, method, data):
    page = page_of(user, "Public")
    r = write(client, method, page, data)
    assert r.status_code == 401 and r.json()["message"]
    assert_untouched(page, "Public")


@pytest.mark.parametrize("method, data", WRITES)
def test_another_users_public_page_is_403(login, user, other, page_of, method, data):
    page = page_of(user, "Alice's")
    r = write(login(other), method, page, data)
    assert r.status_code == 403 and r.json()["message"]
    assert_untouched(page, "Alice's")


@pytest.mark.parametrize("method, data", WRITES)
def test_team_page_of_a_non_member_is_403(login, user, other, team_of, page_of, method, data):
    page = page_of(user, "Secret", team=team_of(user))
    r = write(login(other), method, page, data)
    assert r.status_code == 403
    assert_untouched(page, "Secret")


@pytest.mark.parametrize("method, data", WRITES)
def test_plain_member_cannot_change_someone_elses_team_page(login, user, team_roles, page_of, method, data):
    team, _, member = team_roles
    page = page_of(user, "Owner's", team=team)
    assert login(member).get(f"/api/pages/{page.id}").status_code == 200
    assert write(login(member), method, page, data).status_code == 403
    assert_untouched(page, "Owner's")


def test_plain_member_can_post_to_the_team_and_edit_own_page(login, team_roles):
    team, _, member = team_roles
    c = login(member)
    r = c.post("/api/pages", {"title": "Mine", "teamId": team.id}, format="json")
    assert r.status_code == 201 and r.json()["teamId"] == team.id
    assert c.patch(f"/api/pages/{r.json()['id']}", {"content": "edited"}, format="json").status_code == 200


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_team_owner_and_admin_can_edit_members_pages(login, user, team_roles, page_of, role):
    team, admin, member = team_roles
    editor = user if role == "owner" else admin
    page = page_of(member, "Member's", team=team)
    r = login(editor).patch(f"/api/pages/{page.id}", {"title": "Edited"}, format="json")
    assert r.status_code == 200 and r.json()["title"] == "Edited"
    assert login(editor).delete(f"/api/pages/{page.id}").status_code == 204


def test_staff_can_edit_any_page(login, user, staff, team_of, page_of):
    public, secret = page_of(user, "Public"), page_of(user, "Secret", team=team_of(user))
    c = login(staff)
    assert c.patch(f"/api/pages/{public.id}", {"title": "Staff"}, format="json").status_code == 200
    assert c.patch(f"/api/pages/{secret.id}", {"title": "Staff"}, format="json").status_code == 200


def test_posting_to_a_team_you_are_not_in_is_403(login, user, other, team_of):
    team = team_of(user)
    r = login(other).post("/api/pages", {"title": "Intruder", "teamId": team.id}, format="json")
    assert r.status_code == 403
    assert not Page.objects.exists()


def test_team_editor_roles_do_not_reach_other_teams(login, user, other, team_of, page_of):
    team_of(other, name="Bob's")  # Bob owns a team, but not Alice's
    page = page_of(user, "Alice team page", team=team_of(user, name="Alice's"))
    assert login(other).patch(f"/api/pages/{page.id}", {"title": "x"}, format="json").status_code == 403
