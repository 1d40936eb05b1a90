"""The scheduler's own Prometheus metrics (labels stay bounded: no contacts, numbers or campaigns)."""

from __future__ import annotations

from outreach_common.meter import Meter
from prometheus_client import CollectorRegistry

LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300)


class Instruments:
    """Due steps waiting, dispatch lag and steps dispatched."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        meter = Meter("scheduler", registry)
        self.due_waiting = meter.gauge("due_steps", "Steps of active campaigns already due and not yet dispatched")
        self.lag = meter.histogram(
            "dispatch_lag_seconds", "From a step's due instant to its command's publication", LAG_BUCKETS
        )
        self.dispatched = meter.counter("steps_dispatched", "Step commands published, by channel", "channel")
        self.enrolled = meter.counter("contacts_enrolled", "Contacts enrolled")
