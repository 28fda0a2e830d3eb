import itertools
from pathlib import Path

import boto3
import pytest
import redis

from . import support

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "backups"
_redis_dbs = itertools.cycle(range(9, 16))  # Redis databases 9..15 for live tests, away from db 0


@pytest.fixture(scope="session")
def backup_template():
    """A migrated database that per-test databases are cloned from (migrating once is the slow part)."""
    name = support.unique("papyrus_bk_tpl")
    support.create_database(name)
    env = support.base_env(DATABASE_URL=support.db_url(name))
    support.manage(env, "migrate", "--noinput", "-v0")
    yield name
    support.drop_database(name)


@pytest.fixture
def live_db(backup_template, tmp_path):
    """(dbname, env) for one test: its own database, backup directory and Redis database."""
    name = support.unique("papyrus_bk")
    support.create_database(name, template=backup_template)
    directory = tmp_path / "backups"
    redis_db = next(_redis_dbs)
    redis.Redis.from_url(support.redis_url(redis_db)).flushdb()
    env = support.env_for(name, directory, redis_db=redis_db)
    yield name, env
    support.drop_database(name)


@pytest.fixture(scope="session")
def moto(tmp_path_factory):
    """moto's S3 server on a free port (a real HTTP S3 endpoint)."""
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    proc, url = support.moto_server(log)
    yield url
    proc.stop()


@pytest.fixture
def bucket(moto):
    """A fresh bucket; returns (name, env additions, boto3 client)."""
    name = support.unique("papyrus-backups").replace("_", "-")
    creds = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing-secret", "AWS_REGION": "us-east-1"}
    client = boto3.client("s3", endpoint_url=moto, region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing-secret")
    client.create_bucket(Bucket=name)
    env = {**creds, "BACKUP_S3_BUCKET": name, "AWS_S3_ENDPOINT_URL": moto}
    return name, env, client


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
