"""Page events over WebSockets: group names, event payloads, and the broadcaster that turns
every `page_changed` (sent once per write, after commit) into one sequenced event.

Groups: "page.<id>" (PageConsumer of that page), "events.public" (every EventsConsumer, for
team-less pages), "events.team.<id>" (members of a team), "events.staff" (staff, for team
pages). The page group's counter numbers the event; the same `seq` goes to every group.
"events.user.<id>" (every EventsConsumer of that user) carries "membership.changed" after a
membership of the user is saved or deleted: the open connections re-read their team groups.
"""
import logging

from django.db import transaction

from ops import metrics
from ops.realtime import registry
from ops.realtime.broadcast import BroadcastError, group_send_sync, publish_sync


logger = logging.getLogger(__name__)

PUBLIC_EVENTS = "events.public"
STAFF_EVENTS = "events.staff"


def page_group(page_id: int) -> str:
    return f"page.{page_id}"


def team_group(team_id: int) -> str:
    return f"events.team.{team_id}"


def user_group(user_id: int) -> str:
    return f"events.user.{user_id}"


def event_groups(page) -> list[str]:
    """The /ws/events/ groups that may see `page`."""
    if page.team_id is None:
        return [PUBLIC_EVENTS]
    return [team_group(page.team_id), STAFF_EVENTS]


def page_summary(page) -> dict:
    """What an event says about a page (no content: clients GET /api/pages/<id> for it)."""
    return {
        "id": page.pk, "title": page.title, "slug": page.slug, "folder": page.folder,
        "tags": list(page.tags), "teamId": page.team_id, "authorId": page.author_id,
        "updatedAt": page.updated_at.isoformat().replace("+00:00", "Z") if page.updated_at else None,
    }


def broadcast_page_change(sender, event: str, page, **kwargs) -> None:
    """Publish the write to the page's and the event stream's subscribers. The write has
    committed already: a Redis failure is logged (subscribers see a seq gap), never raised."""
    try:
        group_send_sync(page_group(page.pk), {"type": event, "page": page_summary(page)},
                        also=event_groups(page))
    except BroadcastError as exc:
        logger.warning("realtime broadcast of %s for page %s failed: %s", event, page.pk, exc)


def membership_changed(sender, instance, **kwargs) -> None:
    """Every write path (admin, services, shell, a team's cascade delete) saves or deletes the
    row: tell the user's open event streams once it has committed, so they re-subscribe."""
    user_id = instance.user_id
    transaction.on_commit(lambda: resubscribe(user_id))


def resubscribe(user_id: int) -> None:
    try:
        publish_sync([user_group(user_id)], {"type": "membership.changed"})
    except BroadcastError as exc:  # the write stands; the user's streams catch up on reconnect
        logger.warning("realtime membership change for user %s not sent: %s", user_id, exc)


def count_in_active_connections(event: str, consumer, **info) -> None:
    """Open WebSockets count in <prefix>active_connections beside in-flight HTTP requests."""
    if event == "open":
        metrics.connection_opened()
    elif event == "close":
        metrics.connection_closed()


registry.add_listener(count_in_active_connections)
