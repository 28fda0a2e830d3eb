import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _has_lone_surrogate(value) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


class StrictJSONParser(JSONParser):
    """JSON that PostgreSQL can store: no NaN/Infinity, no lone UTF-16 surrogates."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if not raw.strip():
            return {}
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=self._reject_constant)
            surrogate = _has_lone_surrogate(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"Malformed JSON: {exc}") from None
        except RecursionError:  # absurdly deep nesting is malformed input, not a server error
            raise ParseError("Malformed JSON: nested too deeply") from None
        if surrogate:
            raise ParseError("Malformed JSON: invalid unicode surrogate")
        return data

    @staticmethod
    def _reject_constant(name):
        raise ValueError(f"{name} is not valid JSON")
