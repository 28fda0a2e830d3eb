"""ops.series: the one factory of `<PROMETHEUS_PREFIX><name>` series, and every ops app's series use it."""
import pytest
from django.test import override_settings
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from ops import series
from ops.cache import metrics as cache_metrics
from ops.metrics import metrics as ops_metrics
from ops.ratelimit import metrics as ratelimit_metrics
from ops.realtime import metrics as realtime_metrics

EVERY_OPS_SERIES_SET = {"ops.metrics": ops_metrics.SERIES, "ops.realtime": realtime_metrics.SERIES,
                        "ops.cache": cache_metrics.SERIES, "ops.ratelimit": ratelimit_metrics.SERIES}


def registered(full_name: str) -> bool:
    return full_name in REGISTRY._names_to_collectors  # noqa: SLF001


def test_name_is_the_configured_prefix_then_the_name(settings):
    settings.PROMETHEUS_PREFIX = "one_"
    assert series.name("backup_size_bytes") == "one_backup_size_bytes"
    settings.PROMETHEUS_PREFIX = "two_"
    assert series.name("backup_size_bytes") == "two_backup_size_bytes"
    assert series.name("backup_size_bytes", "given_") == "given_backup_size_bytes"
    settings.PROMETHEUS_PREFIX = None
    assert series.name("backup_size_bytes") == "backup_size_bytes"
    del settings.PROMETHEUS_PREFIX  # a project without the setting: unprefixed, like the ops apps' default
    assert series.name("backup_size_bytes") == "backup_size_bytes"


@pytest.mark.parametrize("app", sorted(EVERY_OPS_SERIES_SET))
def test_two_prefixes_name_every_ops_series_apart(app):
    declared = EVERY_OPS_SERIES_SET[app]
    first, second = declared.for_prefix("pfxone_"), declared.for_prefix("pfxtwo_")
    for attr, spec in declared.specs.items():
        one, two = getattr(first, attr), getattr(second, attr)
        assert one is not two
        assert one._name == "pfxone_" + spec.name.removesuffix("_total")
        assert two._name == "pfxtwo_" + spec.name.removesuffix("_total")
        assert registered(one._name) and registered(two._name)


def test_without_a_prefix_every_ops_series_is_unprefixed(settings):
    del settings.PROMETHEUS_PREFIX
    assert ops_metrics.get().prefix == ""
    assert ops_metrics.get().http_requests._name == "http_requests"
    assert cache_metrics.SERIES.current().cache_hits_total._name == "cache_hits"
    assert realtime_metrics.SERIES.current().connections._name == "websocket_connections"


def test_a_series_made_before_a_prefix_change_keeps_counting_under_its_name(settings):
    declared = series.SeriesSet(series.counter("series_probe_total", "probe", ["x"]))
    settings.PROMETHEUS_PREFIX = "before_"
    old = declared.current().series_probe_total
    old.labels("a").inc()
    settings.PROMETHEUS_PREFIX = "after_"
    new = declared.current().series_probe_total
    new.labels("a").inc(2)
    assert new is not old
    old.labels("a").inc()
    assert REGISTRY.get_sample_value("before_series_probe_total", {"x": "a"}) == 2
    assert REGISTRY.get_sample_value("after_series_probe_total", {"x": "a"}) == 2
    settings.PROMETHEUS_PREFIX = "before_"
    assert declared.current().series_probe_total is old  # the prefix's set is kept, not rebuilt


def test_declaring_registers_nothing_and_each_lazy_series_registers_on_first_use():
    declared = series.SeriesSet(series.counter("lazy_used_total", "used"), series.gauge("lazy_unused", "unused"))
    assert not registered("lazyp_lazy_used_total")
    got = declared.for_prefix("lazyp_")
    assert not registered("lazyp_lazy_used_total")
    got.lazy_used_total.inc()
    assert registered("lazyp_lazy_used_total") and not registered("lazyp_lazy_unused")
    assert "lazy_used_total" in vars(got)  # later lookups find it in the instance
    with pytest.raises(AttributeError):
        got.no_such_series


def test_an_eager_set_registers_all_its_series_together():
    declared = series.SeriesSet(series.counter("eager_a", "a"), series.counter("eager_b", "b"), eager=True)
    declared.for_prefix("eagerp_")
    assert registered("eagerp_eager_a") and registered("eagerp_eager_b")


def test_kinds_labels_buckets_and_multiprocess_mode_reach_prometheus_client():
    registry = CollectorRegistry()
    declared = series.SeriesSet(
        total=series.counter("kinds_total", "c", ["a"]),
        live=series.gauge("kinds_live", "g", multiprocess_mode="livesum"),
        seconds=series.histogram("kinds_seconds", "h", ["b"], buckets=(0.5, 2.0)))
    built = declared.build("k_", registry=registry)
    assert isinstance(built.total, Counter) and built.total._labelnames == ("a",)
    assert isinstance(built.live, Gauge) and built.live._multiprocess_mode == "livesum"
    assert isinstance(built.seconds, Histogram) and built.seconds._upper_bounds == [0.5, 2.0, float("inf")]
    built.seconds.labels("x").observe(1)
    text = generate_latest(registry).decode()
    assert 'k_kinds_seconds_bucket{b="x",le="2.0"} 1.0' in text and "# TYPE k_kinds_total counter" in text
    assert not registered("k_kinds_total")  # another registry than the default one


def test_re_registration_returns_the_registered_series():
    """A module reloaded in tests declares its series again: it gets the ones already registered."""
    spec = series.counter("reloaded_total", "probe")
    first = series.SeriesSet(spec).for_prefix("rel_").reloaded_total
    assert series.SeriesSet(spec).for_prefix("rel_").reloaded_total is first
    with pytest.raises(ValueError):  # anything else prometheus_client refuses still raises
        series.create(series.counter("reserved_label", "probe", ["__reserved"]), "rel_")


def test_a_writer_set_is_unregistered():
    built = ops_metrics.SERIES.build("unreg_", registry=None)
    built.http_requests.labels("GET", "/", "200").inc()
    assert not registered("unreg_http_requests")


@override_settings(PROMETHEUS_PREFIX="facts_")
def test_ops_metrics_follows_the_configured_prefix():
    assert ops_metrics.get().prefix == "facts_"
    assert ops_metrics.get() is ops_metrics.for_prefix("facts_")
    assert ops_metrics.get().http_duration._name == "facts_http_request_duration_seconds"
