"""System checks: REGISTRATION must name a mode (an unknown one is treated as invite: nobody signs up alone)."""
from django.core.checks import Error

from . import conf


def check_registration(app_configs=None, **kwargs):
    if conf.registration() in conf.REGISTRATION_MODES:
        return []
    return [Error(f"REGISTRATION={conf.registration()!r} is not a sign-up mode",
                  hint="Use open, invite or closed.", id="accounts.E001")]
