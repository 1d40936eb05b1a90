"""The dialer's own Prometheus metrics (labels stay bounded: no numbers, contacts or campaigns)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Instruments:
    """Calls in flight, dial-queue depth, calls placed, outcomes and dialing overhead."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        registry = registry or CollectorRegistry()
        self.in_flight = Gauge("outreach_dialer_calls_in_flight", "Calls placed and not yet ended", registry=registry)
        self.queue_depth = Gauge("outreach_dialer_queue_depth", "Calls waiting in the dial queue", registry=registry)
        self.placed = Counter("outreach_dialer_calls_placed", "Calls the provider accepted", registry=registry)
        self.outcomes = Counter(
            "outreach_dialer_call_outcomes", "Calls ended, by outcome", ["outcome"], registry=registry
        )
        self.deferred = Counter(
            "outreach_dialer_calls_deferred", "Calls handed back because the window closed", registry=registry
        )
        self.overhead = Histogram(
            "outreach_dialer_overhead_seconds",
            "Dialer time per call outside the provider request",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
            registry=registry,
        )
