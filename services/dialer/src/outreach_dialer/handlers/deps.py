"""What the dialer's handlers need, wired once in bootstrap."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from outreach_common.clock import Clock
from outreach_common.journey import stamped
from outreach_common.kafka import EventBus
from outreach_common.mongo import Document
from outreach_common.outbox import PendingOutbox, outbox_entry, publish
from outreach_contracts.envelope import Envelope
from outreach_contracts.topics import Topics

from outreach_dialer.adapters.provider import CallProvider
from outreach_dialer.domain.dialqueue import DialQueue
from outreach_dialer.domain.recent_opt_outs import RecentOptOuts
from outreach_dialer.handlers.ports import Agents, Calls, Numbers, OptOuts, SharedLimits
from outreach_dialer.instruments import Instruments

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Health:
    """When a number is rested: at least `min_calls` in `window_h` hours and an answer rate below `share`
    of the pool's; it rests `rest_h` hours."""

    window_h: float = 24.0
    min_calls: int = 20
    share: float = 0.5
    rest_h: float = 24.0


@dataclass
class Placed:
    """A call this instance placed, until its final state is written: what the final write records."""

    call_id: str
    from_number: str
    slots: list[str]
    sid: str | None = None
    placed_at: Any = None
    heard_at: Any = None  # the last callback or provider answer (virtual clock)
    trail: list[dict[str, Any]] = field(default_factory=list)  # progress not yet written
    unsent: list[Document] = field(default_factory=list)  # events Kafka did not take: written with the outbox
    call: dict[str, Any] = field(default_factory=dict)  # the record's ids its events carry
    flushed: bool = False  # written as `placed` (a long call)

    def record(self) -> dict[str, Any]:
        """The call's fields this instance holds."""
        fields = {"from_number": self.from_number, "placed_at": self.placed_at, "provider_sid": self.sid}
        return {k: v for k, v in fields.items() if v is not None}


@dataclass
class Runtime:
    """What one dialer instance holds in memory while it runs: its name, the dial queue, the calls it placed
    (their progress not yet written), its placing tasks, and when to look at the queue again."""

    instance: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    campaign_limits: dict[str, int] = field(default_factory=dict)  # calls in flight per campaign, as commanded
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    live: dict[str, Placed] = field(default_factory=dict)  # idempotency key -> a call placed here, not final
    answers: dict[str, dict[str, int]] = field(default_factory=dict)  # caller id -> answer counts to write
    unrelayed: set[str] = field(default_factory=set)  # calls whose events stayed in their outbox (Kafka away)
    queue: DialQueue = field(default_factory=DialQueue)
    opted_out: RecentOptOuts = field(default_factory=RecentOptOuts)  # heard lately: the last check reads them
    idle_until: float = 0.0  # nothing was claimable: skip the queue scan until then or until woken
    number_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    taking: set[str] = field(default_factory=set)  # calls taken from the queue, before their placing starts

    def holds(self, key: str) -> bool:
        """The call is in this instance's hands: queued, being taken, being placed (a task named by its key) or
        placed here and not final."""
        in_tasks = any(task.get_name() == key for task in self.tasks)
        return key in self.queue or key in self.taking or key in self.live or in_tasks

    def wake(self) -> None:
        """Something may be claimable now (a new call, a resumed campaign, a freed slot)."""
        self.idle_until = 0.0


@dataclass
class Deps:
    """Stores, provider, bus, clock, topics, dialing settings, and the instance's runtime state (`run`)."""

    calls: Calls
    numbers: Numbers
    agents: Agents
    opt_outs: OptOuts
    number_events: PendingOutbox
    limits: SharedLimits
    provider: CallProvider
    bus: EventBus
    clock: Clock
    topics: Topics
    public_url: str
    default_caller_id: str
    default_agent_url: str
    account: str = "default"
    calls_per_second: float = 1.0
    max_concurrent: int = 100
    health: Health = field(default_factory=Health)
    instruments: Instruments = field(default_factory=Instruments)
    run: Runtime = field(default_factory=Runtime)

    def wake(self) -> None:
        """Something may be claimable now (a new call, a resumed campaign, a freed slot)."""
        self.run.wake()

    def entry(self, message: Envelope, *, key: str, journey: Any = None) -> Document:
        """Outbox entry of a call event; `journey` is the trace context of the command it answers."""
        return outbox_entry(stamped(message, journey), topic=self.topics.calls, key=key)

    async def announce(self, entries: list[Document]) -> bool:
        """Publish outbox entries now; False (logged) when Kafka could not take them."""
        try:
            await publish(entries, self.bus)
        except Exception:
            logger.warning("Kafka did not take %d call events; they go to the outbox", len(entries), exc_info=True)
            return False
        return True

    async def relay(self, call_key: str, entries: list[Document]) -> None:
        """Publish a call document's new outbox entries and clear them; when Kafka cannot take them, the call
        is remembered and `relay_again` publishes them as soon as it can (the full sweep is minutes apart)."""
        try:
            await self.calls.relay(call_key, entries, self.bus)
        except Exception:
            self.run.unrelayed.add(call_key)
            raise

    async def relay_again(self) -> int:
        """Publish what stayed in the outboxes of the calls remembered by `relay`; how many were published."""
        done = 0
        for call_key in list(self.run.unrelayed):
            await self.calls.relay(call_key, await self.calls.outbox_of(call_key), self.bus)
            self.run.unrelayed.discard(call_key)
            done += 1
        return done
