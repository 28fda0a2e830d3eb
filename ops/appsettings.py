"""An app's settings: its defaults declared once, read at call time (DRF's `api_settings`).

Each app's conf.py holds one `DEFAULTS` dict (name → default, with a comment saying what it does)
and one `AppSettings(DEFAULTS)`; `app_settings.NAME` is the project's value, else the default, read
on every access so `override_settings` and per-process environments work. A settings module sets
only what it changes.
"""
from django.conf import settings


class AppSettings:
    def __init__(self, defaults: dict):
        self.defaults = defaults

    def __getattr__(self, name: str):
        try:
            default = self.defaults[name]
        except KeyError:
            raise AttributeError(f"{name} is not one of this app's settings") from None
        return getattr(settings, name, default)
