"""Opt-outs are held before they are written: a publish that fails after the do-not-call entry is stored
(the broker away for a moment) loses nothing. The retry finds the number already listed, and the sweeper
publishes what the failed attempt held. Real MongoDB-wire server; the bus is a fake of our interface that
fails on demand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from outreach_common.clock import SystemClock
from outreach_common.outbox import PendingOutbox
from outreach_contracts.envelope import Envelope
from outreach_contracts.messages import ContactOptedOut
from outreach_contracts.topics import Topics
from outreach_ingest.adapters.dnc import SuppressionRepository
from outreach_ingest.handlers.dnc import DncDeps, add_numbers
from pymongo import AsyncMongoClient

from tests.conftest import Infra

pytestmark = pytest.mark.integration


class FlakyBus:
    """Records what is published; raises while `down`."""

    def __init__(self) -> None:
        self.down = False
        self.sent: list[tuple[Envelope, str, str]] = []

    async def publish(self, message: Envelope, *, topic: str, key: str) -> None:
        await self.publish_many([(message, topic, key)])

    async def publish_many(self, items: Sequence[tuple[Envelope, str, str]]) -> None:
        if self.down:
            raise ConnectionError("broker unavailable")
        self.sent.extend(items)

    async def publish_encoded(self, items: Sequence[tuple[object, str, str]]) -> None:
        raise NotImplementedError


async def test_a_do_not_call_add_whose_publish_failed_is_published_by_the_sweeper(infra: Infra, run_id: str) -> None:
    db = AsyncMongoClient(infra.mongo_url, tz_aware=True)[f"{run_id}_ingest"]
    bus = FlakyBus()
    deps = DncDeps(
        dnc=SuppressionRepository(db),
        bus=bus,  # type: ignore[arg-type]
        clock=SystemClock(),
        topics=Topics(f"{run_id}."),
        pending=PendingOutbox(db["dnc_outbox"]),
    )
    bus.down = True
    with pytest.raises(ConnectionError):
        await add_numbers("ws", [(1, "+1 212 555 0191"), (2, "+1 212 555 0192")], deps, source="api")
    bus.down = False
    again = await add_numbers("ws", [(1, "+1 212 555 0191"), (2, "+1 212 555 0192")], deps, source="api")
    assert (again.added, again.already, bus.sent) == (0, 2, [])  # the retry alone would have lost them
    assert await deps.pending.sweep(bus, now=datetime.now(UTC) + timedelta(minutes=1)) == 2
    published = sorted(m.phone for m, _, _ in bus.sent if isinstance(m, ContactOptedOut))
    assert published == ["+12125550191", "+12125550192"]
    assert await deps.pending.sweep(bus, now=datetime.now(UTC) + timedelta(minutes=1)) == 0  # once

    fresh = await add_numbers("ws", [(1, "+1 212 555 0191"), (2, "+1 212 555 0193")], deps, source="api")
    assert fresh.added == 1 and [m.phone for m, _, _ in bus.sent[2:]] == ["+12125550193"]  # type: ignore[attr-defined]
    assert await db["dnc_outbox"].count_documents({}) == 0  # nothing left held for the number already listed
