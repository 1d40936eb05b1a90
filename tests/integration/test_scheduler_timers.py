"""The durable timer on the MongoDB-wire server and Kafka: two instances share due steps without double
dispatch, a step moved later waits, a crash between claim and publish is repaired with the same keys, and a
writer that stopped between its log entry and its update is completed by the next reader."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from faststream.kafka import KafkaBroker
from outreach_common.clock import SystemClock
from outreach_common.kafka import KafkaEventBus
from outreach_common.mongo import ensure_indexes, make_client
from outreach_contracts.calls import PlaceCall
from outreach_contracts.contacts import ContactData
from outreach_contracts.topics import Topics
from outreach_scheduler.adapters.enrollment_docs import log_id, to_doc
from outreach_scheduler.adapters.enrollments import EnrollmentRepository
from outreach_scheduler.adapters.repository import INDEXES, CallLog, CampaignRepository
from outreach_scheduler.domain.campaign import Campaign, CampaignSpec
from outreach_scheduler.domain.enrollment import Enrollment
from outreach_scheduler.handlers.deps import Deps
from outreach_scheduler.handlers.dispatch import dispatch_due, republish_claims

from tests.conftest import Infra
from tests.integration.helpers import read_messages

pytestmark = pytest.mark.integration

SPEC = CampaignSpec.model_validate(
    {
        "name": "timers",
        "flow": [{"kind": "phone", "agent_id": "agt"}],
        "window": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "00:00", "end": "24:00"},
    }
)


@asynccontextmanager
async def instance(infra: Infra, db_name: str, topics: Topics) -> AsyncIterator[Deps]:
    """One scheduler instance's dispatch side: its own client, broker and due index."""
    client = make_client(infra.mongo_url)
    broker = KafkaBroker(infra.kafka_bootstrap)
    await broker.start()
    db = client[db_name]
    try:
        yield Deps(
            campaigns=CampaignRepository(db),
            enrollments=EnrollmentRepository(db),
            bus=KafkaEventBus(broker),
            clock=SystemClock(),
            topics=topics,
            calls_log=CallLog(db),
        )
    finally:
        await broker.stop()
        await client.close()


async def seed(deps: Deps, count: int, *, due: datetime) -> list[Enrollment]:
    await ensure_indexes(deps.enrollments.collection.database, INDEXES)
    await deps.campaigns.add(
        Campaign(id="cmp", workspace_id="ws", spec=SPEC, status="active", created_at=due), outbox=[]
    )
    enrollments = [
        Enrollment(
            campaign_id="cmp",
            contact_id=f"c{i}",
            workspace_id="ws",
            contact=ContactData(phone=f"+1212555{i:04d}"),
            due_at=due,
        )
        for i in range(count)
    ]
    for e in enrollments:
        assert await deps.enrollments.add(e, outbox=[], at=due)
    return enrollments


async def test_two_instances_dispatch_each_due_step_once(infra: Infra, run_id: str) -> None:
    topics = Topics(f"{run_id}.")
    count = 300
    async with instance(infra, f"{run_id}_sched", topics) as a, instance(infra, f"{run_id}_sched", topics) as b:
        await seed(a, count, due=datetime.now(UTC) - timedelta(seconds=1))
        await b.enrollments.load_index()  # b learns the steps a enrolled, as at its start

        async def drain(deps: Deps) -> int:
            sent = 0  # both pop the same due steps: each claim goes to one of them
            while deps.enrollments.count_due(now=datetime.now(UTC), campaign_ids=["cmp"]):
                sent += await dispatch_due(deps, limit=40)
            return sent

        sent_a, sent_b = await asyncio.gather(drain(a), drain(b))
        assert sent_a + sent_b == count
        commands = await read_messages(infra.kafka_bootstrap, topics.call_commands, count=count + 1, timeout=5)
        keys = Counter(c.idempotency_key for c in commands if isinstance(c, PlaceCall))
        assert len(keys) == count and set(keys.values()) == {1}


async def test_a_step_moved_later_waits_for_its_new_instant(infra: Infra, run_id: str) -> None:
    topics = Topics(f"{run_id}.")
    async with instance(infra, f"{run_id}_sched", topics) as deps:
        now = datetime.now(UTC)
        [first, second] = await seed(deps, 2, due=now - timedelta(seconds=1))
        later = replace(second, due_at=now + timedelta(hours=1), version=second.version + 1)
        assert await deps.transition(second, later)  # the index still holds its old instant too
        assert await dispatch_due(deps) == 1
        assert (await deps.enrollments.get("cmp", first.contact_id)).state == "active"  # type: ignore[union-attr]
        assert (await deps.enrollments.get("cmp", second.contact_id)).state == "queued"  # type: ignore[union-attr]
        assert await dispatch_due(deps) == 0
        assert deps.enrollments.count_due(now=now + timedelta(hours=2), campaign_ids=["cmp"]) == 1


async def test_a_crash_between_claim_and_publish_is_republished_with_the_same_keys(infra: Infra, run_id: str) -> None:
    topics = Topics(f"{run_id}.")
    async with instance(infra, f"{run_id}_sched", topics) as crashed:
        due = await seed(crashed, 5, due=datetime.now(UTC) - timedelta(seconds=1))
        ready = await crashed.enrollments.due(now=datetime.now(UTC), campaign_ids=["cmp"], limit=10)
        claimed = await crashed.enrollments.claim_batch(
            ready, claim="lost", at=datetime.now(UTC) - timedelta(minutes=5)
        )
        assert len(claimed) == 5  # ... and the process dies before publishing
    async with instance(infra, f"{run_id}_sched", topics) as survivor:
        assert await dispatch_due(survivor) == 0  # claimed steps are not dispatched a second time
        assert await republish_claims(survivor) == 5
        assert await republish_claims(survivor) == 0  # marked published
        commands = await read_messages(infra.kafka_bootstrap, topics.call_commands, count=6, timeout=5)
        assert sorted(c.idempotency_key for c in commands if isinstance(c, PlaceCall)) == sorted(e.key for e in due)


async def test_a_writer_that_stopped_half_way_is_completed_by_the_next_reader(infra: Infra, run_id: str) -> None:
    topics = Topics(f"{run_id}.")
    async with instance(infra, f"{run_id}_sched", topics) as deps:
        [enrollment] = await seed(deps, 1, due=datetime.now(UTC) + timedelta(hours=1))
        exited = replace(enrollment, state="exited", reason="opted_out", version=enrollment.version + 1)
        # the log entry is written, then the process stops before the document's update
        entry = {"kind": "save", "set": to_doc(exited), "outbox": []}
        await deps.enrollments.log.insert_one({"_id": log_id(enrollment.doc_id, enrollment.version), **entry})
        assert not await deps.enrollments.save(  # the version is taken: a second writer loses
            replace(enrollment, due_at=datetime.now(UTC), version=enrollment.version + 1),
            expected_version=enrollment.version,
            outbox=[],
        )
        current = await deps.enrollments.get("cmp", enrollment.contact_id)
        assert current is not None and current.state == "exited" and current.version == enrollment.version + 1
        stored = await deps.enrollments.collection.find_one({"_id": enrollment.doc_id})
        assert stored is not None and stored["state"] == "exited"  # the reader completed the update
