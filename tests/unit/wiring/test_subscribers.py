"""Each service's subscriber wiring, through FastStream's in-memory test broker: a message published on a
topic reaches the handler of its type (stores are the unit tests' fakes), and a message that does not parse
goes to the dead-letter topic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage
from outreach_common.consumer import DeadLetters
from outreach_contracts.calls import PlaceCall
from outreach_contracts.contacts import ContactData, ContactImported
from outreach_contracts.messages import ContactOptedOut
from outreach_contracts.numbers import NumberRegistered
from outreach_contracts.window import ContactWindow
from outreach_dialer.entrypoints import subscribers as dialer_subscribers
from outreach_ingest.entrypoints import subscribers as ingest_subscribers
from outreach_ingest.handlers.dnc import DncDeps
from outreach_messenger.entrypoints import subscribers as messenger_subscribers
from outreach_scheduler.entrypoints import subscribers as scheduler_subscribers

from tests.unit.dialer.test_handlers import make_deps as dialer_deps
from tests.unit.fakes.bus import FakeBus
from tests.unit.fakes.crm import crm_deps
from tests.unit.fakes.ingest import FakePending, FakeSuppressions
from tests.unit.messenger.test_handlers import make_deps as messenger_deps
from tests.unit.scheduler.test_handlers import active_campaign, imported
from tests.unit.scheduler.test_handlers import make_deps as scheduler_deps

pytestmark = pytest.mark.unit
NOW = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
DLQ = "outreach.deadletter.v1"


async def delivered(register: Callable[[KafkaBroker, DeadLetters], None], topic: str, message: Any) -> Any:
    """Register a service's subscribers on a test broker, publish `message` to `topic`; the dead-letter
    subscriber's messages."""
    broker = KafkaBroker()
    dead: list[Any] = []

    @broker.subscriber(DLQ)
    async def dead_letter(msg: KafkaMessage) -> None:
        dead.append((msg.body, msg.headers.get("dlq-reason", "")))

    register(broker, DeadLetters(broker, DLQ))
    async with TestKafkaBroker(broker):
        await broker.publish(message.model_dump_json().encode(), topic, key=b"k")
        await broker.publish(b'{"type": "nonsense"}', topic, key=b"k")
    assert [reason.split(":")[0] for _, reason in dead] == ["invalid message"]
    return dead


async def test_the_scheduler_enrolls_what_it_reads() -> None:
    deps = scheduler_deps()
    campaign = await active_campaign(deps)
    event: ContactImported = imported(campaign, 1)
    dead = await delivered(lambda b, d: scheduler_subscribers.register(b, deps, d), deps.topics.contacts, event)
    assert await deps.enrollments.get(campaign.id, "ct1") is not None and len(dead) == 1


async def test_the_dialer_queues_what_it_reads() -> None:
    deps = dialer_deps()
    window = ContactWindow(days=["mon"], start="00:00", end="24:00", compliance="none")
    command = PlaceCall(occurred_at=NOW, workspace_id="ws", idempotency_key="k1", campaign_id="cmp", contact_id="c",
                        step_index=0, attempt=1, agent_id="agt", contact=ContactData(phone="+12125550001"),
                        window=window)  # fmt: skip
    dead = await delivered(lambda b, d: dialer_subscribers.register(b, deps, d), deps.topics.call_commands, command)
    assert await deps.calls.by_key("k1") is not None and len(dead) == 1


async def test_the_messenger_learns_numbers_it_reads() -> None:
    deps = messenger_deps()
    event = NumberRegistered(occurred_at=NOW, workspace_id="ws", number="+12125550100", tags=["us"])
    dead = await delivered(lambda b, d: messenger_subscribers.register(b, deps, d), deps.topics.numbers, event)
    assert await deps.messages.senders("ws", numbers=[], tags=["us"]) and len(dead) == 1


async def test_ingest_lists_opt_outs_it_reads() -> None:
    deps = DncDeps(dnc=FakeSuppressions(), bus=FakeBus(), clock=None, topics=scheduler_deps().topics,  # type: ignore[arg-type]
                   pending=FakePending())  # type: ignore[arg-type]  # fmt: skip
    event = ContactOptedOut(occurred_at=NOW, workspace_id="ws", phone="+12125550001", channel="sms")
    register = lambda b, d: ingest_subscribers.register(b, deps, None, crm_deps(), d)  # type: ignore[arg-type]  # noqa: E731
    dead = await delivered(register, deps.topics.messages, event)
    assert await deps.dnc.all_of("ws") == {"+12125550001": "opt_out:sms"} and len(dead) == 1
