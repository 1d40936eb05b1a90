"""Ingest's own Prometheus metrics."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class Instruments:
    """Import rows by verdict and imports running."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        registry = registry or CollectorRegistry()
        self.rows = Counter(
            "outreach_ingest_import_rows", "Rows read by import jobs, by verdict", ["verdict"], registry=registry
        )
        self.running = Gauge(
            "outreach_ingest_imports_running", "Import jobs running in this instance", registry=registry
        )
        self.dnc = Counter("outreach_ingest_dnc_entries_added", "Numbers added to do-not-call lists", registry=registry)
