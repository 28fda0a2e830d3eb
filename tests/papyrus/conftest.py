import pytest

from papyrus.wiki import services
from papyrus.wiki.models import Membership


@pytest.fixture
def page_of(db):
    """page_of(author, title=..., team=None, **fields) → a page written through services.py."""

    def make(author, title="A page", **fields):
        fields.setdefault("content", f"Content of {title}")
        return services.page_create(author=author, title=title, **fields)

    return make


@pytest.fixture
def staff(make_user):
    return make_user(name="Staff", email="staff@example.com", is_staff=True)


@pytest.fixture
def team_roles(user, make_user, team_of):
    """A team owned by Alice, with one admin and one plain member; returns (team, admin, member)."""
    team = team_of(user, name="Core")
    admin, member = make_user(name="Ada"), make_user(name="Max")
    Membership.objects.create(team=team, user=admin, role=Membership.Role.ADMIN)
    Membership.objects.create(team=team, user=member, role=Membership.Role.MEMBER)
    return team, admin, member
