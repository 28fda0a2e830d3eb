"""Maintenance mode during a restore: writes get 503 JSON with Retry-After; reads keep working."""
import logging

from django.http import JsonResponse

from ops.cache.errors import REDIS_ERRORS

from . import conf, maintenance

log = logging.getLogger(__name__)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Operators still reach the backup endpoints (status, a second restore is refused by the lock).
EXEMPT_PREFIXES = ("/api/admin/backup",)


class MaintenanceMiddleware:
    """Costs nothing on reads; one Redis EXISTS per write. Fails open when Redis is unreachable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in WRITE_METHODS and not request.path.startswith(EXEMPT_PREFIXES) and self._on():
            response = JsonResponse({"message": conf.maintenance_message()}, status=503)
            response["Retry-After"] = str(conf.retry_after())
            return response
        return self.get_response(request)

    def _on(self) -> bool:
        try:
            return maintenance.in_maintenance()
        except REDIS_ERRORS:
            log.warning("backups: maintenance flag unreadable (Redis down); allowing the write")
            return False
