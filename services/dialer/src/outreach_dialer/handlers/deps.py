"""What the dialer's handlers need, wired once in bootstrap."""

from __future__ import annotations

from dataclasses import dataclass, field

from outreach_common.clock import Clock
from outreach_common.kafka import EventBus
from outreach_common.mongo import Document
from outreach_common.outbox import outbox_entry, relay
from outreach_contracts.envelope import Envelope
from outreach_contracts.topics import Topics

from outreach_dialer.adapters.provider import CallProvider
from outreach_dialer.adapters.repository import CallRepository
from outreach_dialer.domain.pacing import TokenBucket


@dataclass
class Deps:
    """Repositories, provider, bus, clock, topics and dialing settings."""

    calls: CallRepository
    provider: CallProvider
    bus: EventBus
    clock: Clock
    topics: Topics
    public_url: str
    default_caller_id: str
    default_agent_url: str
    bucket: TokenBucket = field(default_factory=lambda: TokenBucket(5.0))

    def entry(self, message: Envelope, *, key: str) -> Document:
        """Outbox entry of a call event."""
        return outbox_entry(message, topic=self.topics.calls, key=key)

    async def relay(self, call_key: str, entries: list[Document]) -> None:
        """Publish a call document's new outbox entries and clear them."""
        await relay(self.calls.collection, call_key, entries, self.bus)
