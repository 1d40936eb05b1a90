"""The scheduler's own Prometheus metrics (labels stay bounded: no contacts, numbers or campaigns)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Instruments:
    """Due steps waiting, dispatch lag and steps dispatched."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        registry = registry or CollectorRegistry()
        self.due_waiting = Gauge(
            "outreach_scheduler_due_steps",
            "Steps of active campaigns already due and not yet dispatched",
            registry=registry,
        )
        self.lag = Histogram(
            "outreach_scheduler_dispatch_lag_seconds",
            "From a step's due instant to its command's publication",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
            registry=registry,
        )
        self.dispatched = Counter(
            "outreach_scheduler_steps_dispatched", "Step commands published, by channel", ["channel"], registry=registry
        )
        self.enrolled = Counter("outreach_scheduler_contacts_enrolled", "Contacts enrolled", registry=registry)
