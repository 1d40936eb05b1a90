"""What the messenger's handlers need."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from outreach_common.bounded import Bounded
from outreach_common.clock import Clock
from outreach_common.journey import stamped
from outreach_common.kafka import EventBus
from outreach_common.mongo import Document
from outreach_common.outbox import PendingOutbox, outbox_entry
from outreach_contracts.envelope import Envelope, TraceContext
from outreach_contracts.topics import Topics

from outreach_messenger.adapters.providers import EmailProvider, SmsProvider
from outreach_messenger.handlers.ports import Messages
from outreach_messenger.instruments import Instruments


@dataclass
class Deps:
    """Repository, providers, bus, clock, topics and sending settings."""

    messages: Messages
    sms: SmsProvider
    email: EmailProvider
    bus: EventBus
    clock: Clock
    topics: Topics
    public_url: str
    default_sms_from: str
    email_from: str
    pending: PendingOutbox
    help_reply: str = "Reply STOP to opt out."
    send_attempts: int = 4
    retry_base_s: float = 0.5
    retry_max_s: float = 8.0
    lease_s: float = 300.0
    instruments: Instruments = field(default_factory=Instruments)
    sending: Bounded = field(default_factory=lambda: Bounded(16, "sends"))  # sends under way, after their record
    choosing: asyncio.Lock = field(default_factory=asyncio.Lock)  # one sender choice at a time: caps hold

    def entry(self, message: Envelope, *, key: str, journey: TraceContext | None = None) -> Document:
        """Outbox entry of a message event; `journey` is the trace context of the command it answers."""
        return outbox_entry(stamped(message, journey), topic=self.topics.messages, key=key)

    async def relay(self, doc_id: str, entries: list[Document]) -> None:
        """Publish and clear outbox entries."""
        await self.messages.relay(doc_id, entries, self.bus)
