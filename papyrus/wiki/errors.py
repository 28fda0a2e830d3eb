"""Every error is JSON: {"message": "...", "errors": {field: [...]}} — never HTML."""
from django.http import JsonResponse
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict"
    default_code = "conflict"

    def __init__(self, detail=None, field=None):
        super().__init__(detail)
        self.field = field


def _flatten(detail):
    if isinstance(detail, dict):
        return {k: _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_flatten(v) if isinstance(v, (dict, list)) else str(v) for v in detail]
    return [str(detail)]


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"message": "Validation failed", "errors": _flatten(detail)}
    elif isinstance(exc, Conflict) and exc.field:
        response.data = {"message": str(exc.detail), "errors": {exc.field: [str(exc.detail)]}}
    else:
        response.data = {"message": str(getattr(exc, "detail", exc))}
    return response


def _json_error(message, status_code):
    return JsonResponse({"message": message}, status=status_code)


def bad_request(request, exception=None):
    return _json_error("Bad request", 400)


def permission_denied(request, exception=None):
    return _json_error("Forbidden", 403)


def not_found(request, exception=None):
    return _json_error("Not found", 404)


def server_error(request):
    return _json_error("Internal server error", 500)
