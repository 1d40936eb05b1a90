"""At-least-once subscribers on the real broker: handled once, poison to the dead-letter topic."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from faststream.kafka import KafkaBroker
from outreach_cli.main import app as cli
from outreach_common.consumer import DeadLetters, PoisonMessage
from outreach_common.failures import OUTAGES, unavailable
from outreach_common.kafka import KafkaEventBus
from outreach_contracts.contacts import ContactData, ContactImported
from outreach_contracts.topics import Topics
from pymongo.errors import AutoReconnect
from typer.testing import CliRunner

from tests.conftest import Infra
from tests.integration.contacts_consumer import subscribe_contacts
from tests.integration.helpers import produce, read_topic
from tests.waiting import eventually

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

    subscribe_contacts(broker, topics, run_id, handle, DeadLetters(broker, topics.dead_letters))
    await broker.start()
    try:
        bus = KafkaEventBus(broker)
        await bus.publish(contact_event(1), topic=topics.contacts, key="ct1")
        await produce(infra.kafka_bootstrap, topics.contacts, [("ct9", b"{not json")])
        for row in (2, 3):
            await bus.publish(contact_event(row), topic=topics.contacts, key="same")
        dead = await read_topic(infra.kafka_bootstrap, topics.dead_letters, count=2, timeout=60)

        async def both_handled() -> bool:
            return sorted(handled) == [1, 3]

        await eventually(both_handled, timeout=20, what="rows 1 and 3 handled")
    finally:
        await broker.stop()
    assert sorted(handled) == [1, 3]
    assert len(flaky_attempts) == 2
    reasons = sorted(dict(r.headers)["dlq-reason"].decode() for r in dead)
    assert reasons[0].startswith("invalid message")
    assert reasons[1] == "row 2 can never work"


async def test_an_outage_is_waited_for_and_a_broken_handler_dead_letters(infra: Infra, run_id: str) -> None:
    """A database that is away for longer than the tries a broken message gets does not dead-letter a good
    message: it is handled once the database is back; a handler error of the message's own is dead-lettered
    after its tries, with the reason."""
    topics = Topics(f"{run_id}.")
    broker = KafkaBroker(infra.kafka_bootstrap, enable_idempotence=True, acks="all")
    handled: list[int] = []
    outage = {"left": 8}  # more failures than max_attempts

    async def handle(event: ContactImported) -> None:
        if event.row == 1 and outage["left"] > 0:
            outage["left"] -= 1
            raise AutoReconnect("connection refused")
        if event.row == 2:
            raise ValueError("a bug this message always hits")
        handled.append(event.row)

    subscribe_contacts(broker, topics, run_id, handle, DeadLetters(broker, topics.dead_letters), max_attempts=3)
    await broker.start()
    try:
        bus = KafkaEventBus(broker)
        await bus.publish(contact_event(1), topic=topics.contacts, key="ct1")
        await bus.publish(contact_event(2), topic=topics.contacts, key="ct2")
        dead = await read_topic(infra.kafka_bootstrap, topics.dead_letters, count=1, timeout=120)

        async def first_handled() -> bool:
            return handled == [1]

        await eventually(first_handled, timeout=120, what="row 1 handled once the database is back")
        waiting_during = dict(OUTAGES.waiting)
    finally:
        await broker.stop()
    assert handled == [1] and outage["left"] == 0
    assert [dict(r.headers)["dlq-reason"].decode() for r in dead] == [
        "failed 3x: ValueError('a bug this message always hits')"
    ]
    assert topics.contacts not in waiting_during  # the outage is over, and the readiness check says so
    assert unavailable(AutoReconnect("x")) and not unavailable(ValueError("x"))


def test_dead_letters_are_listed_shown_and_redriven(infra: Infra, run_id: str) -> None:
    topics = Topics(f"{run_id}.")
    body = contact_event(7).model_dump_json().encode()

    async def bury() -> None:
        broker = KafkaBroker(infra.kafka_bootstrap)
        await broker.start()
        try:
            letters = DeadLetters(broker, topics.dead_letters)
            await letters.send(body, source_topic=topics.contacts, key=b"ct7", reason="failed 5x: +12125550123")
        finally:
            await broker.stop()

    asyncio.run(bury())
    where = ["--bootstrap", infra.kafka_bootstrap, "--topic-prefix", f"{run_id}."]
    runner = CliRunner()
    listed = runner.invoke(cli, ["deadletters", "list", "--json", *where])
    assert listed.exit_code == 0, listed.output
    [letter] = json.loads(listed.output)
    assert letter["source_topic"] == topics.contacts and "+12125550123" not in letter["reason"]  # masked
    shown = runner.invoke(cli, ["deadletters", "show", letter["id"], *where])
    assert json.loads(shown.output)["body"]["contact_id"] == "ct7"
    assert runner.invoke(cli, ["deadletters", "redrive", *where]).exit_code == 2  # nothing named
    assert runner.invoke(cli, ["deadletters", "redrive", "9:99", *where]).exit_code == 1
    redriven = runner.invoke(cli, ["deadletters", "redrive", letter["id"], *where])
    assert redriven.exit_code == 0, redriven.output
    [record] = asyncio.run(read_topic(infra.kafka_bootstrap, topics.contacts, count=1, timeout=30))
    assert record.value == body and record.key == b"ct7"
    assert dict(record.headers)["outreach-redriven-from"] == letter["id"].encode()


async def test_a_message_that_kills_the_process_reaches_the_dead_letter_topic(
    infra: Infra, run_id: str, tmp_path: Path
) -> None:
    """Row 2 makes every process that takes it die: after `max_attempts` deaths (counted in the database,
    since the process keeps nothing) the next process dead-letters it and goes on to row 3."""
    topics = Topics(f"{run_id}.")
    broker = KafkaBroker(infra.kafka_bootstrap, enable_idempotence=True, acks="all")
    await broker.start()
    try:
        bus = KafkaEventBus(broker)
        for row in (1, 2, 3):
            await bus.publish(contact_event(row), topic=topics.contacts, key="same")
    finally:
        await broker.stop()
    handled = tmp_path / "handled"
    program = [sys.executable, "-m", "tests.integration.programs.crashing_consumer"]
    codes = []
    for _ in range(6):
        done = await asyncio.to_thread(
            subprocess.run,
            [*program, infra.kafka_bootstrap, infra.mongo_url, run_id, str(handled)],
            timeout=120,
            check=False,
        )
        codes.append(done.returncode)
        if done.returncode != 3:
            break
    assert codes == [3, 3, 3, 0]  # died on row 2 three times (first run, then two counted attempts)
    [dead] = await read_topic(infra.kafka_bootstrap, topics.dead_letters, count=1, timeout=30)
    headers = {k: v.decode() for k, v in dead.headers}
    assert headers["dlq-reason"] == "the process stopped 2x while handling it"
    assert headers["dlq-attempts"] == "2"
    assert json.loads(dead.value)["row"] == 2
    assert set(handled.read_text().split()) == {"1", "3"}
