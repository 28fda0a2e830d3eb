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
