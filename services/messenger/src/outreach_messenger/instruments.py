"""The messenger's own Prometheus metrics (labels stay bounded: no numbers, addresses or campaigns)."""

from __future__ import annotations

from outreach_common.meter import Meter
from prometheus_client import CollectorRegistry


class Instruments:
    """Messages by channel and result, provider retries, inbound replies by verdict."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        meter = Meter("messenger", registry)
        self.messages = meter.counter("messages", "Messages handled, by channel and result", "channel", "result")
        self.retries = meter.counter("send_retries", "Provider retries after 429 / 5xx / network errors", "channel")
        self.replies = meter.counter("inbound_replies", "Inbound SMS by verdict", "verdict")
