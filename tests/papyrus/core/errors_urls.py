"""papyrus.urls plus views that fail outside DRF, for tests/papyrus/wiki/test_errors_json.py."""
from django.urls import path

from papyrus.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("boom outside DRF")


urlpatterns = [path("api/test-boom", boom), path("test-boom", boom), *urlpatterns]
