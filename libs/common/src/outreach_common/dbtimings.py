"""How long each database statement takes, by command and collection (a Prometheus histogram).

Shard collections (`calls_017`) are counted under one name (`calls_*`), so label values stay bounded."""

from __future__ import annotations

import re

from prometheus_client import CollectorRegistry, Histogram
from pymongo import monitoring

_SHARD = re.compile(r"_\d+$")
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def collection_label(value: object) -> str:
    """The collection a command names, with shard numbers folded; "-" for commands without one."""
    return _SHARD.sub("_*", value) if isinstance(value, str) else "-"


class CommandTimings(monitoring.CommandListener):
    """Observes every command's duration as reported by the driver."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.seconds = Histogram(
            "outreach_db_command_seconds",
            "Database statements by command and collection",
            ["command", "collection"],
            registry=registry,
            buckets=BUCKETS,
        )
        self._started: dict[tuple[object, int], tuple[str, str]] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        name = event.command_name
        self._started[(event.connection_id, event.request_id)] = (name, collection_label(event.command.get(name)))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._observe(event)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._observe(event)

    def _observe(self, event: monitoring.CommandSucceededEvent | monitoring.CommandFailedEvent) -> None:
        labels = self._started.pop((event.connection_id, event.request_id), None)
        if labels is not None:
            self.seconds.labels(*labels).observe(event.duration_micros / 1_000_000)
