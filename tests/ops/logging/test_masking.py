"""Secrets never reach a line: keys at any depth, credentials inside text."""
import json
import logging

from ops.logging.filters import MaskingFilter
from ops.logging.formatters import JsonFormatter
from ops.logging.masking import MASK, mask, mask_text

CANARY = "canary-7f3a9c1e"
JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoxfQ.c2lnbmF0dXJlLXZhbHVl"


def test_sensitive_keys_are_masked_at_any_depth_lists_included():
    data = {"user": {"name": "ann", "password": CANARY}, "items": [{"token": CANARY}, [{"api_key": CANARY}]],
            "Authorization": CANARY, "Cookie": CANARY, "accessToken": CANARY, "refresh_token": CANARY,
            "SENTRY_DSN": CANARY, "AWS_SECRET_ACCESS_KEY": CANARY, "aws_access_key_id": CANARY,
            "client_secret": CANARY, "count": 3}
    masked = mask(data)
    assert CANARY not in json.dumps(masked)
    assert masked["user"] == {"name": "ann", "password": MASK}
    assert masked["count"] == 3
    assert data["user"]["password"] == CANARY  # the caller's data is not modified


def test_credentials_inside_text_are_masked():
    texts = [f"Authorization: Bearer {CANARY}", f"got token {JWT} from client", f"login password={CANARY} ok",
             f'body {{"password": "{CANARY}", "n": 1}}', f"postgres://papyrus:{CANARY}@db:5432/papyrus",
             f"api_key: {CANARY}", f"cookie=sessionid={CANARY}"]
    for text in texts:
        assert CANARY not in mask_text(text), text
    assert "AKIAABCDEFGHIJKLMNOP" not in mask_text("key AKIAABCDEFGHIJKLMNOP here")
    assert JWT not in mask_text(JWT)
    assert mask_text("GET /api/pages/{page_id} 200 3.1ms") == "GET /api/pages/{page_id} 200 3.1ms"


def test_text_rules_keep_the_key_and_mask_only_the_value_whatever_the_case_or_script():
    # The key's own prefix stays (the rule matches from the secret's name), any letter case,
    # and non-ASCII text (where the quick needle test is skipped) gets the same treatment.
    assert mask_text(f"x.MY_Api-Key = '{CANARY}', next") == "x.MY_Api-Key = '[REDACTED]', next"
    assert mask_text(f'{{"dbPassword": "{CANARY}"}}') == '{"dbPassword": "[REDACTED]"}'
    assert mask_text(f"로그인 실패 PASSWORD={CANARY} 사용자") == "로그인 실패 PASSWORD=[REDACTED] 사용자"
    assert mask_text(f"É BEARER {CANARY}") == "É BEARER [REDACTED]"
    # A long run of word characters (a base64 blob, say): no key, nothing changes. Before the
    # key=value rule was anchored at the secret's name this one line took ~40 s of CPU.
    long_word = "a" * 20_000
    assert mask_text(long_word + " done") == long_word + " done"
    assert mask_text("é " + long_word) == "é " + long_word


def test_a_logged_record_carries_no_secret_in_message_args_extras_or_traceback():
    record = logging.LogRecord("app", logging.ERROR, __file__, 1, "login failed password=%s for %s",
                               (CANARY, {"token": CANARY}), None)
    record.payload = {"items": [{"password": CANARY}]}
    record.authorization = f"Bearer {CANARY}"
    try:
        raise RuntimeError(f"connect postgres://u:{CANARY}@h/db")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    MaskingFilter().filter(record)
    line = JsonFormatter().format(record)
    assert CANARY not in line
    assert "login failed password=[REDACTED]" in line
