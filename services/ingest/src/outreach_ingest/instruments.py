"""Ingest's own Prometheus metrics."""

from __future__ import annotations

from outreach_common.meter import Meter
from prometheus_client import CollectorRegistry


class Instruments:
    """Import rows by verdict and imports running."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        meter = Meter("ingest", registry)
        self.rows = meter.counter("import_rows", "Rows read by import jobs, by verdict", "verdict")
        self.running = meter.gauge("imports_running", "Import jobs running in this instance")
        self.dnc = meter.counter("dnc_entries_added", "Numbers added to do-not-call lists")
