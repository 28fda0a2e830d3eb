"""Files in use: retention never deletes a backup a restore, drill or verify is reading."""
from __future__ import annotations

from contextlib import contextmanager

from . import conf, keys


def key(name: str) -> str:
    return keys.key("in-use", name)


@contextmanager
def using(name: str):
    """Mark `name` in use (retention will not delete it) without taking the global lock."""
    with keys.held(keys.client(), None, conf.lock_timeout(), [key(name)]):
        yield


def in_use_names() -> set[str]:
    prefix = key("")
    return {k.decode()[len(prefix):] for k in keys.client().scan_iter(match=prefix + "*")}
