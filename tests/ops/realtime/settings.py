"""ops.realtime alone in a Django project: no Papyrus app, no PostgreSQL (proves it is reusable)."""
import os

SECRET_KEY = "ops-realtime-standalone-test"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "channels", "ops.realtime"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                              "CONFIG": {"hosts": [os.environ["REDIS_URL"]]}}}
REALTIME_AUTHENTICATOR = "tests.ops.realtime.support.header_authenticator"
REALTIME_KEY_PREFIX = "standalone-realtime:"
PROMETHEUS_PREFIX = "standalone_"
