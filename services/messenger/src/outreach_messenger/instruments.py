"""The messenger's own Prometheus metrics (labels stay bounded: no numbers, addresses or campaigns)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter


class Instruments:
    """Messages by channel and result, provider retries, inbound replies by verdict."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        registry = registry or CollectorRegistry()
        self.messages = Counter(
            "outreach_messenger_messages",
            "Messages handled, by channel and result",
            ["channel", "result"],
            registry=registry,
        )
        self.retries = Counter(
            "outreach_messenger_send_retries",
            "Provider retries after 429 / 5xx / network errors",
            ["channel"],
            registry=registry,
        )
        self.replies = Counter(
            "outreach_messenger_inbound_replies", "Inbound SMS by verdict", ["verdict"], registry=registry
        )
