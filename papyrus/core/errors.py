"""API errors are JSON: {"message": "...", "errors": {field: [...]}} — never HTML, never a repr.

Three layers, so that no path under the API can answer with an HTML page:
- exception_handler: DRF views (validation, auth, 404, 405, unknown ?format=...).
- bad_request/permission_denied/not_found/server_error: Django's handler400/403/404/500, JSON
  for API paths and Django's own views (templates 400.html, 403.html, 404.html, 500.html when
  the site provides them) for the rest.
- JSONErrorMiddleware: any other error response under an API path that is not JSON (Django's
  405 for a plain View, debug pages when DEBUG is on) is replaced by a JSON body with the same
  status and headers.
"""
import logging
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from ops.errors import unavailable

from .parsers import PayloadTooLarge

logger = logging.getLogger(__name__)

# Paths whose clients are programs: every error there is JSON. Settings name the prefixes.
DEFAULT_JSON_ERROR_PREFIXES = ("/api/", "/health", "/metrics")  # "/api/" covers "/api" too


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict"
    default_code = "conflict"

    def __init__(self, detail=None, field=None):
        super().__init__(detail)
        self.field = field


def json_error_prefixes() -> tuple[str, ...]:
    return tuple(getattr(settings, "JSON_ERROR_PATH_PREFIXES", DEFAULT_JSON_ERROR_PREFIXES))


def wants_json(request) -> bool:
    path = getattr(request, "path_info", None) or getattr(request, "path", "") or ""
    return any(path == prefix.rstrip("/") or path.startswith(prefix) for prefix in json_error_prefixes())


def _flatten(detail):
    if isinstance(detail, dict):
        return {k: _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_flatten(v) if isinstance(v, (dict, list)) else str(v) for v in detail]
    return [str(detail)]


def _message(exc) -> str:
    """One human sentence for an exception's detail: a dict (simplejwt's InvalidToken) gives
    its "detail", a list its items; never a Python repr."""
    detail = getattr(exc, "detail", None)
    if isinstance(detail, dict):
        detail = detail.get("detail") or detail.get("message") or next(iter(detail.values()), "")
    if isinstance(detail, list):
        detail = " ".join(str(item) for item in detail)
    text = str(detail) if detail is not None else ""
    if not text:
        code = getattr(exc, "status_code", 500)
        text = HTTPStatus(code).phrase if code in HTTPStatus._value2member_map_ else "Error"
    return text


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE, read by DRF
        limit = getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None)
        exc = PayloadTooLarge(f"Request body too large: the limit is {limit} bytes" if limit else None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"message": "Validation failed", "errors": _flatten(detail)}
    elif isinstance(exc, Conflict) and exc.field:
        response.data = {"message": str(exc.detail), "errors": {exc.field: [str(exc.detail)]}}
    elif isinstance(exc, NotFound) and not str(exc.detail):  # e.g. an unknown ?format=
        response.data = {"message": "Not found"}
    else:
        response.data = {"message": _message(exc)}
    return response


def _json_error(message, status_code):
    return JsonResponse({"message": message}, status=status_code)


def bad_request(request, exception=None):
    if wants_json(request):
        return _json_error("Bad request", 400)
    return _page(defaults.bad_request, request, exception, status=400, title="Bad request")


def permission_denied(request, exception=None):
    if wants_json(request):
        return _json_error("Forbidden", 403)
    return _page(defaults.permission_denied, request, exception, status=403, title="Forbidden")


def not_found(request, exception=None):
    if wants_json(request):
        return _json_error("Not found", 404)
    return _page(defaults.page_not_found, request, exception, status=404, title="Not found")


def server_error(request):
    # A database outage raised outside a view (a middleware) lands here; a view's is answered earlier.
    outage = unavailable.response_or_none(request)
    if outage is not None:
        return outage
    if wants_json(request):
        return _json_error("Internal server error", 500)
    return _page(defaults.server_error, request, status=500, title="Server error")


def _page(view, request, *args, status: int, title: str) -> HttpResponse:
    """Django's error view (the project's templates); a plain page when rendering it fails (e.g.
    static files not collected, the database down): an error page never becomes a 500 itself."""
    try:
        return view(request, *args)
    except Exception:  # noqa: BLE001 - anything the template pulls in may be what is broken
        logger.warning("error page %s could not be rendered; answered with a plain one", status, exc_info=True)
        return HttpResponse(f"<!doctype html><title>{title}</title><h1>{title}</h1>", status=status)


# Headers of the original error that still describe the JSON answer.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary", "X-Request-ID", "Cache-Control")


class JSONErrorMiddleware:
    """Replace a non-JSON error response under a JSON path by {"message": <reason>}."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or getattr(response, "streaming", False) or not wants_json(request):
            return response
        if "json" in response.get("Content-Type", ""):
            return response
        replacement = _json_error(self._reason(request, response), response.status_code)
        for header in _KEPT_HEADERS:
            if header in response:
                replacement[header] = response[header]
        for cookie in response.cookies.values():
            replacement.cookies[cookie.key] = cookie
        return replacement

    @staticmethod
    def _reason(request, response) -> str:
        if response.status_code == 405:
            return f"Method {request.method} not allowed"
        try:
            return HTTPStatus(response.status_code).phrase
        except ValueError:
            return "Error"


class DrainBodyMiddleware:
    """Read what is left of the request body once the response is ready.

    An answer given before the body was read (401, 405, 413, 429, ...) made granian close the
    connection while nginx was still sending the body: nginx then answered 502 instead of the
    app's 4xx. The stream ends at CONTENT_LENGTH, which nginx caps (client_max_body_size).
    """

    chunk = 64 * 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.META.get("CONTENT_LENGTH") not in (None, "", "0"):
            try:
                while request.read(self.chunk):
                    pass
            except Exception:  # noqa: BLE001  # nosec B110  # a client gone or a body already consumed: nothing to protect
                pass
        return response
