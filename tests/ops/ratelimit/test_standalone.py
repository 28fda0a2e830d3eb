"""ops.ratelimit installs and limits in a Django project with nothing of Papyrus beside it."""
import os
import uuid

from tests.support.standalone import run_standalone

SCRIPT = """
import sys, django
django.setup()
from django.core.management import call_command
call_command("check", fail_level="WARNING")
from django.test import Client
client = Client()
codes = [client.get("/api/things").status_code for _ in range(3)]
assert codes == [200, 200, 429], codes
"""


def test_ops_ratelimit_runs_without_papyrus():
    env = {"DJANGO_SETTINGS_MODULE": "tests.ops.ratelimit.settings", "STANDALONE_PREFIX": uuid.uuid4().hex,
           "PATH": "/usr/bin:/bin", "REDIS_URL": os.environ["REDIS_URL"]}
    run_standalone(SCRIPT, env=env)
