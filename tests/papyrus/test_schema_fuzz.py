"""The API schema tells the truth: schemathesis generates requests for every operation of
`/api/schema/` and sends them to a live server (granian, PostgreSQL, a Redis database of its own),
anonymous and signed in as staff. Every answer must be documented (status, content type, body,
headers) and none may be a 5xx. Rate limits are off so that the requests reach the views.

The schema is drf-spectacular's, generated here at collection (one test per operation and
identity); the live server's `/api/schema/` is checked to be the same document."""
import collections
import json
import os
import secrets
import tempfile
import uuid
from pathlib import Path

import pytest
import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

from tests.support import redis_db
from tests.support.live import LiveServer, base_env, manage

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
EXAMPLES = 25  # per operation and identity: the file runs in a couple of minutes on this loaded machine
FIGURES = collections.Counter()  # the run's figures, printed when the server stops (pytest -s)


def openapi() -> dict:
    """What `/api/schema/?format=json` serves."""
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(openapi())
bounded = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                   suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])


@pytest.fixture(scope="module")
def api(migrated_main_db):
    """One server for the module: 2 workers, rate limits off, the response cache on (as in production)."""
    database = redis_db.take()
    tmp = Path(tempfile.mkdtemp(prefix="papyrus-fuzz-", dir=os.environ.get("PAPYRUS_TEST_TMP")))
    server = LiveServer(workers=2, log=tmp / "server.log", env={
        "RATE_LIMIT_ENABLED": "false", "RESPONSE_CACHE_ENABLED": "true", "REDIS_URL": database.url,
        "BACKUP_DIR": str(tmp / "backups"), "LOG_DIR": str(tmp / "logs"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(tmp / "mail")})
    with server:
        yield server
    redis_db.give_back(database)
    statuses = dict(sorted((code, n) for code, n in FIGURES.items() if isinstance(code, int)))
    print(f"\nschemathesis: {FIGURES['operations']} operations, {FIGURES['requests']} requests, "
          f"{FIGURES['failures']} failing; statuses {statuses}")


@pytest.fixture(scope="module")
def staff(api):
    """(email, password) of a staff user made in the live server's database."""
    email, password = f"fuzz-{uuid.uuid4().hex[:8]}@example.com", secrets.token_urlsafe(12) + "a1!"
    manage("createsuperuser", "--noinput", "--email", email, "--name", "Fuzz Staff",
           env=base_env(DJANGO_SUPERUSER_PASSWORD=password))
    return email, password


@pytest.fixture(scope="module")
def seeded(api, staff):
    """Pages for the fuzzed reads to find: a public one titled in Unicode (its slug too), a team's."""
    signed_in = requests.Session()
    email, password = staff
    assert signed_in.post(api.url + "/api/auth/login", json={"email": email, "password": password},
                          timeout=30).status_code == 200
    team = signed_in.post(api.url + "/api/teams", json={"name": "Fuzz team"}, timeout=30).json()
    for body in ({"title": "Café Ünïcode 页面", "content": "# Hello\n\nwörld", "tags": ["ñandú"]},
                 {"title": "Team notes", "content": "members only", "teamId": team["id"]}):
        reply = signed_in.post(api.url + "/api/pages", json=body, timeout=30)
        assert reply.status_code == 201, reply.text
    return reply.json()


@pytest.fixture
def staff_token(api, staff):
    """A fresh sign-in per operation: a fuzzed logout ends only its own test's session."""
    email, password = staff
    reply = requests.post(api.url + "/api/auth/login", json={"email": email, "password": password}, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.cookies["accessToken"]


def call(case, api, headers=None):
    FIGURES["requests"] += 1
    response = case.call(base_url=api.url, headers=headers, timeout=60)
    FIGURES[response.status_code] += 1
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except BaseException:  # schemathesis' FailureGroup is a BaseExceptionGroup
        FIGURES["failures"] += 1
        raise


def test_the_live_server_serves_the_schema_being_fuzzed(api):
    reply = requests.get(api.url + "/api/schema/?format=json", timeout=30)
    assert reply.status_code == 200
    assert reply.json() == openapi()
    FIGURES["operations"] = sum(1 for item in reply.json()["paths"].values() for method in item
                                if method in ("get", "put", "patch", "post", "delete"))


@schema.parametrize()
@bounded
def test_anonymous(case, api, seeded):
    call(case, api)


@schema.parametrize()
@bounded
def test_signed_in_as_staff(case, api, seeded, staff_token):
    """Staff reach every operation (the admin API too). After a fuzzed logout the rest of that
    operation's requests are answered 401, which the schema documents."""
    call(case, api, headers={"Authorization": f"Bearer {staff_token}"})
