from tests.support.redis_fixtures import *  # noqa: F401,F403
