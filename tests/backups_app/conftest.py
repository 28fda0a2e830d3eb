from pathlib import Path

import boto3
import pytest

from . import support

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "backups"


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
def live_db(backup_template, tmp_path, redis_database):
    """(dbname, env) for one test: its own database, backup directory and Redis database."""
    name = support.unique("papyrus_bk")
    support.create_database(name, template=backup_template)
    directory = tmp_path / "backups"
    env = support.env_for(name, directory, redis_url=redis_database.url)
    yield name, env
    support.drop_database(name)


@pytest.fixture(scope="session")
def moto(moto_s3):
    """moto's S3 server (the suite's one, tests/conftest.py) → its endpoint URL."""
    return moto_s3


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
