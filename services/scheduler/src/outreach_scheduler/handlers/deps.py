"""What the scheduler's handlers need, wired once in bootstrap."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from outreach_common.clock import Clock
from outreach_common.journey import stamped
from outreach_common.kafka import EventBus
from outreach_common.mongo import Document
from outreach_common.outbox import outbox_entry
from outreach_contracts.envelope import Envelope, TraceContext
from outreach_contracts.topics import Topics

from outreach_scheduler.adapters.enrollment_docs import enrollment_id
from outreach_scheduler.domain.enrollment import Enrollment
from outreach_scheduler.domain.messages import state_events
from outreach_scheduler.handlers.ports import CallCounts, Campaigns, Enrollments, OptOuts
from outreach_scheduler.instruments import Instruments


@dataclass
class Deps:
    """Repositories, the event bus, the clock and the topic names."""

    campaigns: Campaigns
    enrollments: Enrollments
    bus: EventBus
    clock: Clock
    topics: Topics
    calls_log: CallCounts
    workspace_call_cap: int | None = None
    resume_rate_per_s: float = 20.0
    completion_grace_s: float = 10.0
    opt_outs: OptOuts | None = None
    instruments: Instruments = field(default_factory=Instruments)

    async def transition(self, before: Enrollment, after: Enrollment) -> bool:
        """Store `after` if `before` is still current (its state events ride in the outbox), then publish them."""
        entries = self.entries(state_events(after, now=self.clock.now()), key=after.contact_id, trace=after.trace)
        if not await self.enrollments.save(after, expected_version=before.version, outbox=entries):
            return False
        await self.relay_enrollment(after.campaign_id, after.contact_id, entries)
        return True

    def topic_of(self, message: Envelope) -> str:
        """Where a message produced by the scheduler goes."""
        kind = getattr(message, "type", "")
        if kind.startswith("Campaign"):
            return self.topics.campaigns
        if kind == "PlaceCall":
            return self.topics.call_commands
        if kind in ("SendSms", "SendEmail"):
            return self.topics.message_commands
        return self.topics.enrollments

    def entries(self, messages: list[Envelope], *, key: str, trace: TraceContext | None = None) -> list[Document]:
        """Outbox entries for `messages`, keyed by `key`; messages without a trace context take the active
        span's, else `trace` (the enrollment's journey, for steps a timer dispatches)."""
        return [outbox_entry(stamped(m, trace), topic=self.topic_of(m), key=key) for m in messages]

    async def relay_enrollment(self, campaign_id: str, contact_id: str, entries: list[Any]) -> None:
        """Publish an enrollment's new outbox entries and clear them."""
        await self.enrollments.relay(enrollment_id(campaign_id, contact_id), entries, self.bus)

    async def relay_campaign(self, campaign_id: str, entries: list[Any]) -> None:
        """Publish a campaign's new outbox entries and clear them."""
        await self.campaigns.relay(campaign_id, entries, self.bus)
