"""Who is connected to a group, correct across processes.

Three Redis keys per group (one hash slot): a sorted set with a member per connection
("<user id>|<connection>") scored by its expiry time, a hash user id → open connections,
and a hash user id → public info (JSON). Connections heartbeat (touch) to stay present;
members of crashed processes expire after REALTIME_PRESENCE_TTL and are pruned by whoever
touches the group next, who learns which users vanished so it can announce their leave.
Each operation is one Lua script and costs O(log n) — only join and list return the users.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from . import conf, store

# KEYS: members zset, counts hash, info hash. ARGV: op, uid, member, info json, ttl seconds.
SCRIPT = """
local zkey, ckey, ikey = KEYS[1], KEYS[2], KEYS[3]
local op, uid, member, info, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local vanished = {}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', zkey, '-inf', now)) do
  redis.call('ZREM', zkey, m)
  local u = string.match(m, '^([^|]*)|')
  if redis.call('HINCRBY', ckey, u, -1) <= 0 then
    local i = redis.call('HGET', ikey, u)
    redis.call('HDEL', ckey, u)
    redis.call('HDEL', ikey, u)
    if i then table.insert(vanished, i) end
  end
end
local count = tonumber(redis.call('HGET', ckey, uid) or '0')
if op == 'leave' then
  if redis.call('ZREM', zkey, member) == 1 then count = redis.call('HINCRBY', ckey, uid, -1) end
  if count <= 0 then
    redis.call('HDEL', ckey, uid)
    redis.call('HDEL', ikey, uid)
    count = 0
  end
elseif op ~= 'list' then
  -- 1 when the member is new: a join, or a touch after it expired or Redis lost it
  if redis.call('ZADD', zkey, now + ttl, member) == 1 then
    count = redis.call('HINCRBY', ckey, uid, 1)
    redis.call('HSET', ikey, uid, info)
  end
end
for _, k in ipairs({zkey, ckey, ikey}) do redis.call('EXPIRE', k, math.ceil(ttl * 2)) end
local users = {}
if op == 'join' or op == 'list' then users = redis.call('HVALS', ikey) end
return {vanished, count, users}
"""


@dataclass
class Snapshot:
    """After one operation: this user's open connections in the group, users whose last
    connection just expired, and (join and list only) the users present, one entry each."""

    connections: int
    vanished: list[dict] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)


def _infos(values) -> list[dict]:
    return [json.loads(v) for v in values]


def _by_id(info: dict) -> tuple[int, str]:
    uid = str(info.get("id", ""))
    return len(uid), uid  # numeric order for integer ids


class Presence:
    """Presence of one connection (`connection` = its channel name) of user `uid` in `group`."""

    def __init__(self, group: str, connection: str, uid, info: dict):
        base = store.key("presence", "{%s}" % group)  # hash tag: one slot for the three keys
        self.keys = (f"{base}:members", f"{base}:counts", f"{base}:users")
        self.uid = str(uid)
        self.member = f"{self.uid}|{connection}"
        self.info = json.dumps(info, sort_keys=True)

    async def _run(self, op: str) -> Snapshot:
        call = store.client().eval(SCRIPT, 3, *self.keys, op, self.uid, self.member, self.info,
                                   conf.presence_ttl())
        vanished, connections, users = await store.bounded(call)
        users = sorted(_infos(users), key=_by_id)
        return Snapshot(int(connections), _infos(vanished), users)

    async def join(self) -> Snapshot:
        return await self._run("join")

    async def touch(self) -> Snapshot:
        """Renew this connection's expiry (re-adding it if it had expired or Redis lost it)."""
        return await self._run("touch")

    async def leave(self) -> Snapshot:
        return await self._run("leave")

    async def list(self) -> Snapshot:
        return await self._run("list")

    @staticmethod
    def first_of_user(snap: Snapshot) -> bool:
        return snap.connections == 1

    @staticmethod
    def last_of_user(snap: Snapshot) -> bool:
        return snap.connections == 0
