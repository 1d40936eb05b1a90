"""At-least-once subscribers on the real broker: handled once, poison to the dead-letter topic."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from faststream.kafka import KafkaBroker
from outreach_common.consumer import DeadLetters, PoisonMessage, subscribe
from outreach_common.kafka import KafkaEventBus
from outreach_contracts.contacts import ContactData, ContactImported
from outreach_contracts.registry import ContactEvent
from outreach_contracts.topics import Topics
from pydantic import TypeAdapter

from tests.conftest import Infra
from tests.integration.helpers import produce, read_topic

pytestmark = pytest.mark.integration


def contact_event(row: int) -> ContactImported:
    return ContactImported(
        occurred_at=datetime.now(UTC),
        workspace_id="ws",
        campaign_id="cmp",
        contact_id=f"ct{row}",
        import_id="imp",
        row=row,
        contact=ContactData(phone="+12125550123"),
    )


async def test_valid_messages_are_handled_and_poison_goes_to_dead_letters(infra: Infra, run_id: str) -> None:
    topics = Topics(f"{run_id}.")
    broker = KafkaBroker(infra.kafka_bootstrap, enable_idempotence=True, acks="all")
    handled: list[int] = []
    flaky_attempts: list[int] = []

    async def handle(event: ContactImported) -> None:
        if event.row == 2:
            raise PoisonMessage("row 2 can never work")
        if event.row == 3:
            flaky_attempts.append(1)
            if len(flaky_attempts) < 2:
                raise RuntimeError("transient")  # redelivered, then succeeds
        handled.append(event.row)

    subscribe(
        broker,
        topic=topics.contacts,
        group_id=f"{run_id}-g",
        adapter=TypeAdapter(ContactEvent),
        handle=handle,
        dead_letters=DeadLetters(broker, topics.dead_letters),
    )
    await broker.start()
    try:
        bus = KafkaEventBus(broker)
        await bus.publish(contact_event(1), topic=topics.contacts, key="ct1")
        await produce(infra.kafka_bootstrap, topics.contacts, [("ct9", b"{not json")])
        for row in (2, 3):
            await bus.publish(contact_event(row), topic=topics.contacts, key="same")
        dead = await read_topic(infra.kafka_bootstrap, topics.dead_letters, count=2, timeout=60)
        for _ in range(100):
            if sorted(handled) == [1, 3]:
                break
            await asyncio.sleep(0.2)
    finally:
        await broker.stop()
    assert sorted(handled) == [1, 3]
    assert len(flaky_attempts) == 2
    reasons = sorted(dict(r.headers)["dlq-reason"].decode() for r in dead)
    assert reasons[0].startswith("invalid message")
    assert reasons[1] == "row 2 can never work"
