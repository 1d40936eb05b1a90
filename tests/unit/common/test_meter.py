"""A service's instruments carry its prefix and live on the registry they were given."""

from __future__ import annotations

import pytest
from outreach_common.meter import Meter
from prometheus_client import CollectorRegistry, generate_latest

pytestmark = pytest.mark.unit


def test_instruments_are_named_for_the_service_on_its_registry() -> None:
    registry = CollectorRegistry()
    meter = Meter("dialer", registry)
    meter.counter("calls_placed", "Calls the provider accepted").inc()
    meter.counter("call_outcomes", "Calls ended, by outcome", "outcome").labels("busy").inc(2)
    meter.gauge("queue_depth", "Calls waiting").set(3)
    meter.histogram("overhead_seconds", "Time per call", (0.01, 0.1)).observe(0.05)
    text = generate_latest(registry).decode()
    assert "outreach_dialer_calls_placed_total 1.0" in text
    assert 'outreach_dialer_call_outcomes_total{outcome="busy"} 2.0' in text
    assert "outreach_dialer_queue_depth 3.0" in text
    assert 'outreach_dialer_overhead_seconds_bucket{le="0.01"} 0.0' in text
    assert 'outreach_dialer_overhead_seconds_bucket{le="0.1"} 1.0' in text


def test_each_meter_without_a_registry_gets_its_own() -> None:
    first, second = Meter("ingest"), Meter("ingest")
    first.counter("import_rows", "Rows", "verdict")
    second.counter("import_rows", "Rows", "verdict")  # no clash: two registries
    assert first.registry is not second.registry
