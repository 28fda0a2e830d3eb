"""Who may read and who may write a page."""
from .models import Membership, Page

EDITOR_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)


def team_ids_of(user) -> list[int]:
    if not user.is_authenticated:
        return []
    return list(Membership.objects.filter(user=user).values_list("team_id", flat=True))


def _role(user, page: Page) -> str | None:
    """`user`'s role in the page's team: from the page when selectors.page_get fetched it
    along (`viewer_role`), else one query."""
    if hasattr(page, "viewer_role"):
        return page.viewer_role
    return Membership.objects.filter(user=user, team_id=page.team_id).values_list("role", flat=True).first()


def can_read(user, page: Page) -> bool:
    if page.team_id is None or (user.is_authenticated and user.is_staff):
        return True
    return user.is_authenticated and _role(user, page) is not None


def can_read_team(user, team_id: int | None) -> bool:
    """May `user` read a page of this team (None: a team-less page, readable by everyone)?"""
    if team_id is None or (user.is_authenticated and user.is_staff):
        return True
    return user.is_authenticated and Membership.objects.filter(user=user, team_id=team_id).exists()


def can_write(user, page: Page) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff or page.author_id == user.pk:
        return True
    return page.team_id is not None and _role(user, page) in EDITOR_ROLES


def can_post_to_team(user, team_id: int) -> bool:
    return user.is_authenticated and (
        user.is_staff or Membership.objects.filter(user=user, team_id=team_id).exists())
