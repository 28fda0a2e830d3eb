"""The API's JSON parser: bounded in size and nesting, and only JSON PostgreSQL can store.

    DATA_UPLOAD_MAX_MEMORY_SIZE = 2621440  # Django's body limit, also the JSON body limit (bytes)
    API_JSON_MAX_DEPTH = 32                # deepest nesting of arrays/objects accepted

Too deep is a 400, too large a 413 (what nginx answers beyond client_max_body_size), both JSON
and before the data reaches a serializer: nothing the API takes is nested more than three
levels, and a deep document costs recursion, not data.
"""
import json

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large"
    default_code = "payload_too_large"


def max_body_bytes() -> int:
    return int(getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None) or 2_621_440)


def max_depth() -> int:
    return int(getattr(settings, "API_JSON_MAX_DEPTH", 32))


def _is_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def check_tree(data, limit: int) -> str | None:
    """Why `data` cannot be stored (too deep, lone surrogate), or None. Iterative: no recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _is_surrogate(value):
                return "invalid unicode surrogate"
            continue
        if isinstance(value, (dict, list)):
            if depth > limit:
                return f"nested more than {limit} levels"
            if isinstance(value, dict):
                stack.extend((key, depth) for key in value)
                stack.extend((item, depth + 1) for item in value.values())
            else:
                stack.extend((item, depth + 1) for item in value)
    return None


class StrictJSONParser(JSONParser):
    """JSON within the size and depth limits, without NaN/Infinity or lone UTF-16 surrogates."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_body_bytes()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:  # the rest is drained by DrainBodyMiddleware
            raise PayloadTooLarge(f"Request body too large: the limit is {limit} bytes")
        if not raw.strip():
            return {}
        depth = max_depth()
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=self._reject_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"Malformed JSON: {exc}") from None
        except RecursionError:  # deeper than the interpreter can parse: certainly over the limit
            raise ParseError(f"Malformed JSON: nested more than {depth} levels") from None
        problem = check_tree(data, depth) if raw.count(b"[") + raw.count(b"{") > depth or b"\\u" in raw else None
        if problem:
            raise ParseError(f"Malformed JSON: {problem}")
        return data

    @staticmethod
    def _reject_constant(name):
        raise ValueError(f"{name} is not valid JSON")
