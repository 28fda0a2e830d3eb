from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from backups_app.probes import Backups, Storage
from ops.health.probes import Celery, Database, Redis
from ops.health.urls import health_patterns
from papyrus.core import errors


class SwaggerView(SpectacularSwaggerView):
    """The docs page is GET-only: its template renderer has nothing to show for OPTIONS (was a 500)."""

    http_method_names = ["get", "head"]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/auth/", include("papyrus.accounts.urls")),
    path("api/", include("papyrus.wiki.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="docs"),
    path("", include("backups_app.urls")),
    # /health: every dependency; /health/ready: what serving needs (a missing worker or an old
    # backup must not pull the process from rotation).
    path("", include(health_patterns(checks=[Database(), Redis(), Celery(), Storage(), Backups()],
                                     ready=[Database(), Redis()]))),
    path("", include("ops.metrics.urls")),
    path("", include("papyrus.web.urls")),  # the wiki in the browser; last: it owns "/"
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.not_found
handler500 = errors.server_error
