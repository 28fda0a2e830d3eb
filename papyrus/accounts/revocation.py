"""Revoked sign-in sessions, in Redis: an access token whose `sid` is listed here is refused.

Access tokens are checked on every authenticated request: one EXISTS on `revoked_key(sid)`, sent
by papyrus.accounts.principal in the same round trip as the cached user, and no database query.
A key lives as long as the longest access token of its session can (the access lifetime), then
expires by itself: the list never grows beyond the sessions ended in the last hour.

Redis unavailable: the check fails OPEN (the token's signature and expiry still apply) and a warning
is logged at most every OPS_CACHE_ERROR_LOG_INTERVAL seconds. So during an outage an access token
ended by a logout or a reuse detection less than an hour ago works again until its expiry; its
refresh token stays refused (that is the database's TokenFamily). Failing closed would sign every
user out for the length of any Redis outage.
"""
from __future__ import annotations

import logging

from ops.cache.client import make_key, redis_client
from ops.cache.errors import REDIS_ERRORS, warn_unavailable

from . import conf

log = logging.getLogger(__name__)
LEEWAY_SECONDS = 5  # a token minted at the moment of revocation still expires before the key


def revoked_key(sid: str) -> str:
    return make_key(conf.revocation_alias(), f"auth:revoked-session:{sid}")


def revoke_session(sid: str) -> bool:
    """List `sid` as ended; False (and a warning) when Redis could not record it."""
    try:
        redis_client(conf.revocation_alias()).set(revoked_key(sid), "1",
                                                  ex=conf.access_lifetime_seconds() + LEEWAY_SECONDS)
    except REDIS_ERRORS as exc:
        warn_unavailable(log, "revoking a session's access tokens", exc)
        return False
    return True

