"""settings.test with the errors test URLconf (raising views, a failing task) for live processes."""
from settings.test import *  # noqa: F401,F403

ROOT_URLCONF = "tests.ops.errors.urls"
