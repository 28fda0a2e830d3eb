"""settings.test with the test URLconf (a /test/boom view → 500, /test/slow) for live servers."""
from settings.test import *  # noqa: F401,F403

ROOT_URLCONF = "tests.ops.metrics.urls"
