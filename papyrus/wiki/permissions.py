"""Who may read and who may write a page.

A user authenticated by a token carries `team_roles` ({team id: role}, cached with the user by
papyrus.accounts.principal, kept current by papyrus.wiki.receivers); other users (the admin's
session, a Celery task's) cost a membership query where a check needs one.
"""


from .models import Membership, Page

EDITOR_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)


def principal_teams(user_id) -> list[list]:
    """What papyrus.accounts.principal caches for the wiki: [[team id, role], ...]."""
    return [list(pair) for pair in Membership.objects.filter(user_id=user_id).values_list("team_id", "role")]


def teams_by_id(teams: list[list]) -> dict[int, str]:
    return {int(team_id): role for team_id, role in teams}


def _roles(user) -> dict | None:
    return getattr(user, "team_roles", None)


def team_ids_of(user) -> list[int]:
    if not user.is_authenticated:
        return []
    if (roles := _roles(user)) is not None:
        return list(roles)
    return list(Membership.objects.filter(user=user).values_list("team_id", flat=True))


def _role(user, page: Page) -> str | None:
    """`user`'s role in the page's team: from the page when selectors.page_get fetched it
    along (`viewer_role`), from the user's cached teams, else one query."""
    if hasattr(page, "viewer_role"):
        return page.viewer_role
    if (roles := _roles(user)) is not None:
        return roles.get(page.team_id)
    return Membership.objects.filter(user=user, team_id=page.team_id).values_list("role", flat=True).first()


def can_read(user, page: Page) -> bool:
    if page.team_id is None or (user.is_authenticated and user.is_staff):
        return True
    return user.is_authenticated and _role(user, page) is not None


def can_read_team(user, team_id: int | None) -> bool:
    """May `user` read a page of this team (None: a team-less page, readable by everyone)?"""
    if team_id is None or (user.is_authenticated and user.is_staff):
        return True
    if not user.is_authenticated:
        return False
    if (roles := _roles(user)) is not None:
        return team_id in roles
    return Membership.objects.filter(user=user, team_id=team_id).exists()


def can_write(user, page: Page) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff or page.author_id == user.pk:
        return True
    return page.team_id is not None and _role(user, page) in EDITOR_ROLES


def can_post_to_team(user, team_id: int) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if (roles := _roles(user)) is not None:
        return team_id in roles
    return Membership.objects.filter(user=user, team_id=team_id).exists()
