"""WebSocket consumers: thin callers of selectors/permissions on top of ops.realtime.

/ws/pages/<id>/  needs read access to the page. On join the client gets
                 {"type": "presence.list", "users": [...], "seq": <page seq or null>}; then
                 page.updated, page.deleted (followed by close 4410), presence.join, presence.leave.
/ws/events/      page.created, page.updated, page.deleted for every page the user can read
                 (team groups follow membership changes while connected).
Handshakes without a valid accessToken (or for a page the user cannot read) get HTTP 403.
"""
import asyncio
import logging

from channels.db import database_sync_to_async

from ops.realtime import codes, conf
from ops.realtime.broadcast import BroadcastError, current_seq, publish
from ops.realtime.consumers import RealtimeConsumer
from ops.realtime.presence import Presence

from . import selectors
from .permissions import can_read, team_ids_of
from .realtime import PUBLIC_EVENTS, STAFF_EVENTS, page_group, team_group, user_group

logger = logging.getLogger(__name__)


def _public_user(user) -> dict:
    return {"id": user.pk, "name": user.name}


@database_sync_to_async
def _readable_page(user, page_id: int):
    page = selectors.page_get(page_id=page_id)
    return page if page is not None and can_read(user, page) else None


@database_sync_to_async
def _can_read_team(user, team_id: int) -> bool:
    return user.is_staff or team_id in team_ids_of(user)


class PageConsumer(RealtimeConsumer):
    async def connect(self):
        self.page_id = self.scope["url_route"]["kwargs"]["page_id"]
        self.presence = None
        page = await _readable_page(self.user, self.page_id)
        if page is None:
            await self.close()  # 403: unknown, deleted, or not readable
            return
        self.team_id = page.team_id
        self.group = page_group(self.page_id)
        await self.accept()
        try:
            await self.channel_layer.group_add(self.group, self.channel_name)
            self.groups.append(self.group)  # discarded by the base class on disconnect
            self.presence = Presence(self.group, self.channel_name, self.user.pk, _public_user(self.user))
            snap = await self.presence.join()
            seq = await current_seq(self.group)  # read after subscribing: later events are > seq
        except Exception as exc:
            logger.warning("realtime unavailable for page %s: %r", self.page_id, exc)
            await self.close(codes.TRY_AGAIN_LATER)
            return
        await self.send_json({"type": "presence.list", "users": snap.users, "seq": seq})
        if self.presence.first_of_user(snap):
            await self._announce("presence.join", _public_user(self.user))
        await self._announce_vanished(snap)
        self.start_task(self._heartbeat())

    async def disconnect(self, code):
        if self.presence is None:
            return
        try:
            snap = await self.presence.leave()
            if self.presence.last_of_user(snap):
                await self._announce("presence.leave", _public_user(self.user))
            await self._announce_vanished(snap)
        except Exception as exc:  # Redis down: the member expires by itself after the TTL
            logger.debug("presence leave failed: %s", exc)

    async def _heartbeat(self):
        while True:
            await asyncio.sleep(conf.presence_ttl() / 3)
            try:
                await self._announce_vanished(await self.presence.touch())
            except Exception as exc:  # Redis unavailable: try again next beat
                logger.debug("presence heartbeat failed: %s", exc)

    async def _announce(self, kind: str, user: dict):
        try:
            await publish([self.group], {"type": kind, "user": user, "origin": self.channel_name})
        except BroadcastError as exc:  # presence is best effort; the list on join is authoritative
            logger.warning("%s not announced: %s", kind, exc)

    async def _announce_vanished(self, snap):
        for user in snap.vanished:
            await self._announce("presence.leave", user)

    async def _still_readable(self) -> bool:
        return self.team_id is None or await _can_read_team(self.user, self.team_id)

    async def page_updated(self, event):
        if not await self._still_readable():
            await self.close(codes.FORBIDDEN)
            return
        await self.send_json(event)

    async def page_deleted(self, event):
        if await self._still_readable():
            await self.send_json(event)
        await self.close(codes.GONE)

    async def presence_join(self, event):
        if event.get("origin") != self.channel_name:
            await self.send_json({"type": event["type"], "user": event["user"]})

    async def presence_leave(self, event):
        if event.get("origin") != self.channel_name:
            await self.send_json({"type": event["type"], "user": event["user"]})


class EventsConsumer(RealtimeConsumer):
    async def connect(self):
        try:  # subscribed before the handshake completes: nothing sent after it is missed
            await self._subscribe()
        except Exception as exc:
            logger.warning("realtime unavailable for the event stream: %r", exc)
            await self.accept()
            await self.close(codes.TRY_AGAIN_LATER)
            return
        await self.accept()

    async def _subscribe(self):
        """Join the groups the user's teams and staff flag call for, leave the others. The
        user's own group comes first: a membership change committed while the teams are read
        still reaches this connection (membership_changed), which then reads them again."""
        wanted = [user_group(self.user.pk)]
        await self._join(wanted)
        wanted += await self._groups()
        await self._join(wanted)
        for group in [g for g in self.groups if g not in wanted]:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.groups.remove(group)

    async def _join(self, groups):
        for group in groups:
            if group not in self.groups:
                await self.channel_layer.group_add(group, self.channel_name)
                self.groups.append(group)  # discarded by the base class on disconnect

    async def membership_changed(self, event):
        try:
            await self._subscribe()
        except Exception as exc:
            logger.warning("event stream could not follow a membership change: %r", exc)
            await self.close(codes.TRY_AGAIN_LATER)

    @database_sync_to_async
    def _groups(self) -> list[str]:
        if self.user.is_staff:
            return [PUBLIC_EVENTS, STAFF_EVENTS]
        return [PUBLIC_EVENTS, *(team_group(t) for t in team_ids_of(self.user))]

    async def _forward(self, event):
        team_id = event["page"].get("teamId")
        # Membership may have been revoked since connect: re-check team pages.
        if team_id is None or await _can_read_team(self.user, team_id):
            await self.send_json(event)

    page_created = page_updated = page_deleted = _forward
