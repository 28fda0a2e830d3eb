"""A Redis database of the suite's Redis (REDIS_URL) that one test has to itself.

    def test_x(redis_database):                       # fixture in tests/conftest.py
        env = {"REDIS_URL": redis_database.url}       # or {"REDIS_DB": str(redis_database.number)}
        redis_database.client().dbsize()

Numbers 1-15 are handed out one test at a time and flushed before and after it; database 0
(what REDIS_URL names) stays the default of everything else.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import redis

POOL = range(1, 16)
_taken: set[int] = set()


@dataclass
class RedisDatabase:
    number: int

    @property
    def url(self) -> str:
        """REDIS_URL with this database."""
        return urlunsplit(urlsplit(os.environ["REDIS_URL"])._replace(path=f"/{self.number}"))

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)


def take() -> RedisDatabase:
    number = next((n for n in POOL if n not in _taken), None)
    if number is None:
        raise RuntimeError(f"every Redis database {POOL.start}-{POOL.stop - 1} is in use by this test")
    _taken.add(number)
    database = RedisDatabase(number)
    database.client().flushdb()
    return database


def give_back(database: RedisDatabase) -> None:
    database.client().flushdb()
    _taken.discard(database.number)
