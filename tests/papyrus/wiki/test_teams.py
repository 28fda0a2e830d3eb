"""GET/POST /api/teams."""
import pytest

from papyrus.wiki.models import Membership, Team


def test_teams_need_sign_in(client, db):
    assert client.get("/api/teams").status_code == 401
    r = client.post("/api/teams", {"name": "X"}, format="json")
    assert r.status_code == 401 and r.json()["message"]
    assert not Team.objects.exists()


def test_list_shows_only_the_callers_teams_with_their_role(login, user, other, make_user, team_of):
    mine = team_of(user, other, name="Alpha")
    joined = team_of(other, user, name="Beta")
    team_of(other, make_user(), name="Gamma")
    r = login(user).get("/api/teams", content_type="application/json")
    assert r.status_code == 200
    assert [(t["id"], t["name"], t["role"]) for t in r.json()] == [(mine.id, "Alpha", "owner"),
                                                                 (joined.id, "Beta", "member")]
    assert {"id", "name", "role", "createdAt"} <= set(r.json()[0])


def test_no_teams_is_an_empty_array(signed_in):
    assert signed_in.get("/api/teams").json() == []


def test_create_makes_the_caller_owner(signed_in, user):
    r = signed_in.post("/api/teams", {"name": "Ops", "role": "member", "id": 77}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["name"] == "Ops" and r.json()["role"] == "owner"
    team = Team.objects.get(pk=r.json()["id"])
    assert Membership.objects.get(team=team).user == user
    assert Membership.objects.get(team=team).role == "owner"
    assert [t["name"] for t in signed_in.get("/api/teams").json()] == ["Ops"]


@pytest.mark.parametrize("data", [{}, {"name": ""}, {"name": "  "}, {"name": None}, {"name": "n" * 101},
                                  {"name": ["x"]}, {"name": {"x": 1}}, {"name": "a\u0000b"}])
def test_invalid_team_is_400_with_field_errors(signed_in, data):
    r = signed_in.post("/api/teams", data, format="json")
    assert r.status_code == 400, r.content
    assert "name" in r.json()["errors"]
    assert not Team.objects.exists()


def test_the_written_out_team_list_is_the_orms_and_drfs(user, other, team_of):
    """selectors.team_list (one written-out statement) and TeamSerializer's hand-written
    representation answer what the ORM query and DRF's field walk they replaced answered."""
    from datetime import datetime, timedelta, timezone

    from django.db.models import F
    from rest_framework import serializers as drf

    from papyrus.wiki import selectors
    from papyrus.wiki.serializers import TeamSerializer

    team_of(other, user, name="Zed")
    team_of(user, name="Älpha")
    team_of(user, name="Zed")  # the same name: by id
    team_of(other, name="Not mine")
    orm = Team.objects.filter(memberships__user=user).annotate(role=F("memberships__role")).order_by("name", "id")
    teams = selectors.team_list(user=user)
    assert [(t.pk, t.name, t.role, t.created_at) for t in teams] == [(t.pk, t.name, t.role, t.created_at) for t in orm]
    teams[0].created_at = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone(timedelta(hours=9)))
    for team in teams:
        lean = TeamSerializer(team).data
        assert dict(lean) == dict(drf.ModelSerializer.to_representation(TeamSerializer(team), team))
    assert TeamSerializer(teams[0]).data["createdAt"] == "2026-01-01T18:04:05.678901Z"
    assert selectors.team_list(user=other) and not selectors.team_list(user=type(user).objects.create(
        email="nobody@example.com", name="Nobody"))
