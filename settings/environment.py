"""django-environ's `Env`, with an empty variable meaning "not set".

`.env.example` lists every variable, most of them empty; copied to `.env` (or exported empty
by a shell or compose file) they must leave the settings' defaults alone. django-environ takes
its variables from the mapping in `Env.ENVIRON` (its own `FileAwareEnv` swaps in another one),
so this one mapping applies the rule to every read and to `read_env`, which then neither
overrides a default nor exports an empty value to child processes.
"""
import os
import socket
from collections.abc import MutableMapping

import environ


class NonEmptyEnviron(MutableMapping):
    """os.environ without its empty values; writing an empty value is a no-op."""

    def __init__(self, env=None):
        self.env = os.environ if env is None else env

    def __getitem__(self, key):
        value = self.env[key]
        if value == "":
            raise KeyError(key)
        return value

    def __setitem__(self, key, value):
        if value != "":
            self.env[key] = value

    def __delitem__(self, key):
        del self.env[key]

    def __iter__(self):
        return (key for key, value in self.env.items() if value != "")

    def __len__(self):
        return sum(1 for _ in self)


class Env(environ.Env):
    ENVIRON = NonEmptyEnviron()

    def given(self, **casts) -> dict:
        """{setting: value} of the variables named in `casts` that are set, each read with its cast
        (str, bool, int, float, list, dict: JSON; or (cast, "VARIABLE") where the variable has another
        name). The others are left out, so the app's own default (its conf.DEFAULTS) applies: a
        settings module never restates an app's default."""
        readers = {str: self.str, bool: self.bool, int: self.int, float: self.float, list: self.list,
                   dict: self.json}
        found = {}
        for name, cast in casts.items():
            cast, variable = cast if isinstance(cast, tuple) else (cast, name)
            if variable in self.ENVIRON:
                found[name] = readers[cast](variable)
        return found


def own_addresses() -> list[str]:
    """This host's addresses as its own name resolves them (a container's addresses on its networks)."""
    try:
        return sorted(set(socket.gethostbyname_ex(socket.gethostname())[2]))
    except OSError:
        return []
