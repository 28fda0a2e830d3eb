"""ops.cache installs and works in a Django project with nothing of Papyrus beside it."""
import os
import uuid

from tests.support.standalone import run_standalone

SCRIPT = """
import sys, django
django.setup()
from django.core.management import call_command
call_command("check", fail_level="WARNING")
from ops.cache.service import CacheService
from ops.cache.namespace import VersionedNamespace
assert CacheService.set("k", {"a": [1, 2]}, 60)
assert CacheService.get("k") == {"a": [1, 2]}
ns = VersionedNamespace("standalone")
assert ns.get_or_set(["x"], lambda: 1) == 1
assert ns.get_or_set(["x"], lambda: 2) == 1
ns.invalidate()
assert ns.get_or_set(["x"], lambda: 3) == 3
"""


def test_ops_cache_runs_without_papyrus():
    env = {"DJANGO_SETTINGS_MODULE": "tests.ops.cache.settings", "STANDALONE_PREFIX": uuid.uuid4().hex,
           "PATH": "/usr/bin:/bin", "REDIS_URL": os.environ["REDIS_URL"]}
    run_standalone(SCRIPT, env=env)
