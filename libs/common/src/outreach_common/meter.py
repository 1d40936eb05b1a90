"""A service's own Prometheus instruments: named `outreach_<service>_<name>`, on the registry its /metrics serves."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Meter:
    """Makes one service's instruments; a fresh registry when none is given (tests, benchmarks)."""

    def __init__(self, service: str, registry: CollectorRegistry | None = None) -> None:
        self.prefix = f"outreach_{service}_"
        self.registry = registry or CollectorRegistry()

    def counter(self, name: str, doc: str, *labels: str) -> Counter:
        return Counter(self.prefix + name, doc, labels, registry=self.registry)

    def gauge(self, name: str, doc: str) -> Gauge:
        return Gauge(self.prefix + name, doc, registry=self.registry)

    def histogram(self, name: str, doc: str, buckets: Sequence[float]) -> Histogram:
        return Histogram(self.prefix + name, doc, buckets=buckets, registry=self.registry)
