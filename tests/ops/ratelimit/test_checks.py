from django.test import override_settings

from ops.ratelimit import checks


def test_valid_rules_pass():
    assert checks.check_rules() == []
    assert checks.check_backend() == []


def test_a_broken_rule_is_a_system_error():
    with override_settings(RATELIMIT_RULES={"reads": {"limit": 0}, "odd": {"limit": 5, "period": 1, "keys": ["nose"]}}):
        errors = checks.check_rules()
    assert [e.id for e in errors] == ["ops_ratelimit.E001", "ops_ratelimit.E001"]
    assert "reads" in errors[0].msg and "odd" in errors[1].msg


def test_an_unknown_backend_is_a_system_error():
    with override_settings(RATELIMIT_BACKEND="ops.ratelimit.backends.nope.Backend"):
        assert [e.id for e in checks.check_backend()] == ["ops_ratelimit.E002"]


def test_keys_joined_by_plus_and_per_key_limits_are_checked_part_by_part():
    with override_settings(RATELIMIT_RULES={
            "pairs": {"limit": 5, "period": 60, "keys": ["ip+body:email", "ip"], "limits": {"ip": 20}},
            "bad_part": {"limit": 5, "period": 60, "keys": ["ip+nose"]},
            "stray_limit": {"limit": 5, "period": 60, "keys": ["ip"], "limits": {"client": 3}}}):
        errors = checks.check_rules()
    assert [e.msg.split("'")[1] for e in errors] == ["bad_part", "stray_limit"]
