"""ops.realtime installs into a Django project without Papyrus (tests/ops/realtime/settings.py)."""
import os

from tests.support.standalone import run_standalone

SCRIPT = """
import asyncio
import django
django.setup()
from django.core.management import call_command
call_command("check", fail_level="WARNING")
from ops.realtime.broadcast import group_send
from tests.support.ws import WebsocketCommunicator
from tests.ops.realtime.support import application

async def main():
    comm = WebsocketCommunicator(application, "/ws/group/standalone/", headers=[(b"x-user", b"5")])
    assert (await comm.connect())[0]
    seq = await group_send("standalone", {"type": "note", "ok": True})
    print("received", await comm.receive_json_from() == {"type": "note", "ok": True, "seq": seq})
    await comm.disconnect()

asyncio.run(main())
"""


def test_ops_realtime_runs_without_papyrus():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tests.ops.realtime.settings")
    out = run_standalone(SCRIPT, env=env)
    assert "received True" in out.stdout
