"""The error answers of a JSON API, in its OpenAPI schema (drf-spectacular).

Every error of the API is JSON, `{"message": "...", "errors": {field: [...]}}` (`errors` for a
validation failure or a conflict on one field). drf-spectacular documents only the successes, so a
client reading the schema learns nothing of a 400, a 401 or a 429. `AutoSchema`
(REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) adds to each operation the error answers it can give:

- 400: the operation reads a body or query parameters (validation, malformed JSON);
- 413, 415: it reads a body (too large; not JSON);
- 401: its view's permissions need a signed-in user; 403: they need more than that (staff);
- 404: its path names a resource;
- 429 (rate limits) and 503 (database unreachable, restore running): every operation.

What only the view knows (a 409, a 412, a 401 from a view open to all) it declares itself:
`@extend_schema(responses={201: PageSerializer, **error_responses(401, 403)})`.
"""
from http import HTTPStatus

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated

BODY_METHODS = ("POST", "PUT", "PATCH")


class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.JSONField(), required=False,
                                   help_text="Per field: a list of messages (a dict for a list's or object's items)")

    class Meta:
        ref_name = "Error"


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Error answers for `extend_schema(responses=...)`, each with the error body."""
    return {code: OpenApiResponse(ErrorSerializer, description=HTTPStatus(code).phrase) for code in codes}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in error_responses(*sorted(self.error_codes())).items():
            responses.setdefault(str(code), self._get_response_for_code(response, str(code), direction=direction))
        return dict(sorted(responses.items()))

    def error_codes(self) -> set[int]:
        codes = {429, 503}
        body = self.method in BODY_METHODS and self.get_request_serializer() is not None
        if body:
            codes |= {400, 413, 415}
        if "{" in self.path:
            codes.add(404)
        if self.get_override_parameters():
            codes.add(400)
        needed = [p for p in self.view.get_permissions() if not isinstance(p, AllowAny)]
        if needed:
            codes.add(401)
        if any(not isinstance(p, IsAuthenticated) for p in needed):
            codes.add(403)
        return codes
