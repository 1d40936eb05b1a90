"""The dialer's own Prometheus metrics (labels stay bounded: no numbers, contacts or campaigns)."""

from __future__ import annotations

from outreach_common.meter import Meter
from prometheus_client import CollectorRegistry

OVERHEAD_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)


class Instruments:
    """Calls in flight, dial-queue depth, calls placed, outcomes and dialing overhead."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        meter = Meter("dialer", registry)
        self.in_flight = meter.gauge("calls_in_flight", "Calls placed and not yet ended")
        self.queue_depth = meter.gauge("queue_depth", "Calls waiting in the dial queue")
        self.placed = meter.counter("calls_placed", "Calls the provider accepted")
        self.outcomes = meter.counter("call_outcomes", "Calls ended, by outcome", "outcome")
        self.deferred = meter.counter("calls_deferred", "Calls handed back because the window closed")
        self.overhead = meter.histogram(
            "overhead_seconds", "Dialer time per call outside the provider request", OVERHEAD_BUCKETS
        )
