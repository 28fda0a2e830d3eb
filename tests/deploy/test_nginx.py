"""deploy/nginx/nginx.conf really fronts the stack: run by Debian's nginx against live granian
(WSGI) and uvicorn (ASGI) processes, with only the compose host names swapped for loopback ports."""
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from websockets.sync.client import connect

from scripts import run
from tests.support.http import LONG_LIST_QUERIES, LONG_LIST_QUERY_IDS, request
from tests.support.live import ROOT, LiveServer, free_port
from tests.support.wait import wait_until

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def local_config(tmp, *, port, http_port, ws_port):
    """The shipped config with upstream hosts, listen address and file paths made local."""
    text = (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()
    replacements = {
        "set $papyrus_http web:8000;": f"set $papyrus_http 127.0.0.1:{http_port};",
        "set $papyrus_ws asgi:8001;": f"set $papyrus_ws 127.0.0.1:{ws_port};",
        "include /tmp/nginx-resolver.conf;": "# (addresses: no resolver needed)",
        "listen 80;": f"listen 127.0.0.1:{port};",
        "pid /tmp/nginx.pid;": f"pid {tmp / 'nginx.pid'};",
    }
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "\n".join(f"    {kind}_temp_path {tmp / 'temp' / kind};" for kind in kinds)
    for kind in kinds:
        (tmp / "temp" / kind).mkdir(parents=True)
        os.chmod(tmp / "temp" / kind, 0o777)  # workers drop to nobody when the master is root
    text = text.replace("http {", "http {\n" + temp, 1)
    if os.geteuid() == 0:
        text = "user nobody nogroup;\n" + text
    config = tmp / "nginx.conf"
    config.write_text(text)
    return config


@pytest.fixture(scope="module")
def front(migrated_main_db):
    # Not under pytest's tmp dir: nginx workers run as nobody and must traverse to /static/.
    tmp_path = Path(tempfile.mkdtemp(prefix="papyrus-nginx-"))
    os.chmod(tmp_path, 0o755)
    logs = {"LOG_DIR": str(tmp_path / "logs")}
    with LiveServer(workers=1, env=logs) as http, LiveServer(workers=1, interface="asgi", env=logs) as ws:
        port = free_port()
        config = local_config(tmp_path, port=port, http_port=http.port, ws_port=ws.port)
        check = subprocess.run([NGINX, "-t", "-c", str(config), "-e", "stderr"], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        proc = subprocess.Popen([NGINX, "-c", str(config), "-e", "stderr", "-g", "daemon off;"],
                                stderr=subprocess.PIPE, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        wait_answering(url + "/health/live", proc)
        yield url
        proc.terminate()
        proc.wait(timeout=10)
    shutil.rmtree(tmp_path, ignore_errors=True)


def wait_answering(url, proc, timeout=15):
    def answers():
        assert proc.poll() is None, proc.stderr.read().decode()
        return request("GET", url, timeout=1).status == 200

    wait_until(answers, f"nginx to answer {url}", timeout=timeout, interval=0.1, ignore=(OSError,))


def test_http_goes_to_wsgi_and_static_is_served(front):
    assert request("GET", front + "/health/live").status == 200
    pages = request("GET", front + "/api/pages", headers={"Content-Type": "application/json"})
    assert pages.status == 200 and isinstance(pages.json(), list)
    css = request("GET", front + "/static/admin/css/base.css")  # WhiteNoise, through nginx
    assert css.status == 200 and css.headers["Content-Type"].startswith("text/css") and b"body" in css.raw


def test_nginx_own_errors_are_json(front):
    reply = request("POST", front + "/api/pages", data=b"x" * (4 * 1024 * 1024),
                    headers={"Content-Type": "application/json"})
    assert reply.status == 413 and reply.headers["Content-Type"].startswith("application/json")
    assert reply.json()["message"]


def test_metrics_is_not_served_to_the_outside(front):
    assert request("GET", front + "/metrics").status == 404


def test_websockets_go_to_asgi(front):
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    reply = request("POST", front + "/api/auth/register", body={"name": "Nginx", "email": email,
                                                                  "password": "s3cret-Pass!"})
    assert reply.status == 201
    cookies = "; ".join(f"{name}={value}" for name, value in reply.cookies().items())

    with connect(front.replace("http", "ws") + "/ws/events/", additional_headers={"Cookie": cookies},
                 open_timeout=5) as socket:
        assert socket.protocol.state.name == "OPEN"


def test_the_shipped_config_has_make_runs_json_error_pages():
    assert run.error_pages() in (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()



@pytest.mark.parametrize("query", LONG_LIST_QUERIES, ids=LONG_LIST_QUERY_IDS)
def test_a_long_query_string_is_answered_not_a_502(front, query):
    """Issue 28.2: the Link header once echoed every parameter and overflowed nginx's proxy buffer."""
    reply = request("GET", front + "/api/pages?" + query, headers={"Content-Type": "application/json"})
    assert reply.status == 200, reply.raw[:300]
    assert isinstance(reply.json(), list) and "junk" not in reply.headers["Link"]
