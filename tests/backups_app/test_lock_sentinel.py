"""Under Sentinel the backup lock lives on the master the cache uses, and follows a failover."""
import uuid

import pytest
import redis

from backups_app import lock
from ops.redis_settings import redis_settings
from tests.support.redis_fixtures import fresh_sentinel  # noqa: F401 - fixture
from tests.support.redis_topologies import wait_until

from . import support


@pytest.fixture
def sentinel_site(settings, tmp_path, fresh_sentinel):  # noqa: F811
    """The site configured as an operator would with REDIS_SENTINEL_* (REDIS_URL still points elsewhere)."""
    built = redis_settings(url=settings.REDIS_URL, sentinel_master="mymaster", sentinel_nodes=fresh_sentinel.nodes,
                           key_prefix=settings.CACHES["default"]["KEY_PREFIX"])
    settings.CACHES = built["CACHES"]
    settings.BACKUP_DIR = str(tmp_path / "backups")
    support.no_s3(settings)
    settings.BACKUP_REDIS_PREFIX = f"test-{uuid.uuid4().hex[:8]}:"
    settings.BACKUP_LOCK_TIMEOUT = 15  # renewed every 5 s; outlives the failover (about 3 s)
    return fresh_sentinel


def _on(port: int) -> redis.Redis:
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=2)


@pytest.mark.django_db
def test_a_failover_while_a_backup_holds_the_lock_keeps_it_held_on_the_new_master(
        sentinel_site, settings, make_user, login):
    staff = login(make_user(is_staff=True, is_superuser=True))
    key = settings.BACKUP_REDIS_PREFIX + "lock"
    old_port = sentinel_site.master_port()
    with lock.exclusive("backup"):
        assert (_on(old_port).get(key) or b"").decode().startswith("backup by "), "the lock is not on the Sentinel master"
        replica = next(s for s in sentinel_site.servers if s.port != old_port)
        wait_until(lambda: replica.client().get(key), "the lock to reach the replica")

        sentinel_site.kill_master()
        new_port = sentinel_site.wait_failover(old_port)
        new_master = _on(new_port)
        assert (new_master.get(key) or b"").decode().startswith("backup by ")
        # The holder's keeper renews the lock through Sentinel, on the promoted master.
        before = new_master.pttl(key)
        wait_until(lambda: new_master.pttl(key) > before, "the holder to renew the lock on the new master")

        assert lock.current_holder().startswith("backup by ")
        refused = staff.post("/api/admin/backup", {}, format="json")
        assert refused.status_code == 409 and "running" in refused.json()["message"]
    assert new_master.get(key) is None, "the lock was not released on the new master"
