"""Dispatch from the MongoDB-wire server to Kafka: throughput with a backlog, lag with dues spread over a
minute, and APScheduler 3.x with its MongoDB job store on the same one-off jobs."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from faststream.kafka import KafkaBroker
from outreach_common.kafka import PRODUCER_OPTIONS, KafkaEventBus
from outreach_common.mongo import ensure_indexes, make_client
from outreach_contracts.contacts import ContactData
from outreach_contracts.topics import Topics
from outreach_contracts.window import WEEKDAYS
from outreach_scheduler.adapters.enrollment_docs import to_doc
from outreach_scheduler.adapters.enrollments import EnrollmentRepository
from outreach_scheduler.adapters.repository import INDEXES, CallLog, CampaignRepository
from outreach_scheduler.domain.campaign import Campaign, CampaignSpec
from outreach_scheduler.domain.enrollment import Enrollment
from outreach_scheduler.handlers.deps import Deps
from outreach_scheduler.handlers.dispatch import dispatch_backlog

ALWAYS = {"days": list(WEEKDAYS), "start": "00:00", "end": "24:00", "compliance": "none"}  # any minute, any day
SPEC = CampaignSpec.model_validate({"name": "bench", "flow": [{"kind": "phone", "agent_id": "agt"}], "window": ALWAYS})


WORKERS = int(os.environ.get("BENCH_DISPATCH_WORKERS", "3"))  # concurrent rounds, as the service's default


class ShiftedClock:
    """Real time plus a fixed offset."""

    def __init__(self, offset: float) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset)


async def _seed(db: Any, campaign_id: str, dues: list[datetime]) -> None:
    """Enrollments as the scheduler stores them, queued at `dues`."""
    batch: list[dict[str, Any]] = []
    for i, due in enumerate(dues):
        enrollment = Enrollment(
            campaign_id=campaign_id,
            contact_id=f"c{i}",
            workspace_id="ws",
            contact=ContactData(phone=f"+1212555{i % 10000:04d}"),
            due_at=due,
        )
        batch.append({"_id": enrollment.doc_id, **to_doc(enrollment), "enrolled_at": due})
        if len(batch) == 5000:
            await db["enrollments"].insert_many(batch, ordered=False)
            batch = []
    if batch:
        await db["enrollments"].insert_many(batch, ordered=False)


async def _collect(bootstrap: str, topic: str, n: int) -> dict[str, float]:
    """Kafka's timestamp of the first command of each contact, until `n` contacts have one."""
    seen: dict[str, float] = {}
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    try:
        while len(seen) < n:
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                for r in records:
                    seen.setdefault(r.key.decode(), r.timestamp / 1000)
    finally:
        await consumer.stop()
    return seen


def _collect_in_process(bootstrap: str, topic: str, n: int, out: Any) -> None:
    out.put(asyncio.run(_collect(bootstrap, topic, n)))


def _collector(bootstrap: str, topic: str, n: int) -> tuple[Any, Any]:
    """The reader of the commands runs as its own process, as a consumer of the scheduler would: it must not
    take the dispatcher's event loop."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    process = context.Process(target=_collect_in_process, args=(bootstrap, topic, n, out), daemon=True)
    process.start()
    return process, out


async def ours(bootstrap: str, mongo_url: str, n: int, *, spread_s: float, batch: int) -> dict[str, float]:
    """Dispatch `n` enrollments whose dues are spread over `spread_s` seconds from the start (0: all due)."""
    run = uuid.uuid4().hex[:8]
    topics = Topics(f"bench{run}.")
    client = make_client(mongo_url)
    db = client[f"bench_{run}"]
    await ensure_indexes(db, INDEXES)
    t0 = datetime(2030, 1, 1, tzinfo=UTC)
    dues = [t0 + timedelta(seconds=spread_s * i / n) for i in range(n)]
    campaigns = CampaignRepository(db)
    await campaigns.add(Campaign(id="cmp", workspace_id="ws", spec=SPEC, status="active", created_at=t0), outbox=[])
    await _seed(db, "cmp", dues)
    broker = KafkaBroker(bootstrap, **PRODUCER_OPTIONS)  # as the services produce
    await broker.start()
    collector, results = _collector(bootstrap, topics.call_commands, n)
    clock = ShiftedClock((t0 - datetime.now(UTC)).total_seconds())
    deps = Deps(
        campaigns=campaigns,
        enrollments=EnrollmentRepository(db),
        bus=KafkaEventBus(broker),
        clock=clock,
        topics=topics,
        calls_log=CallLog(db),
    )
    loading = time.time()
    await deps.enrollments.load_index()  # as the service does at start, before it consumes or dispatches
    index_load_s = time.time() - loading
    clock.offset = (t0 - datetime.now(UTC)).total_seconds()  # the first due instant is now
    start = time.time()
    sent = 0
    while sent < n:
        count = await dispatch_backlog(deps, limit=batch, workers=WORKERS)
        sent += count
        if count == 0:
            await asyncio.sleep(0.02)
    elapsed = time.time() - start
    seen: dict[str, float] = await asyncio.to_thread(results.get, True, 300)
    collector.join(timeout=30)
    await broker.stop()
    await client.drop_database(f"bench_{run}")
    await client.close()
    due_of = {f"c{i}": dues[i].timestamp() - clock.offset for i in range(n)}  # in real time
    lags = np.array([seen[k] - due_of[k] for k in seen])
    return {
        "steps_per_s": n / elapsed,
        "p99_lag_s": float(np.percentile(lags, 99)),
        "p50_lag_s": float(np.percentile(lags, 50)),
        "seconds": elapsed,
        "index_load_s": index_load_s,
    }


_APS: dict[str, Any] = {}  # the job store keeps jobs by a textual reference: their state lives here


async def aps_place_call(key: str) -> None:
    """APScheduler's job: send one command to Kafka, as our dispatcher does. At most 1,000 sends wait at
    once: APScheduler starts every due job at the same moment, and 200,000 waiting sends overflow the
    producer's buffer (its sends then fail with KafkaTimeoutError)."""
    async with _APS["sending"]:
        await _APS["producer"].send_and_wait(_APS["topic"], b'{"type":"PlaceCall"}', key=key.encode())
    _APS["fired"] += 1
    if _APS["fired"] == _APS["n"]:
        _APS["finished"].set()


async def apscheduler(bootstrap: str, mongo_url: str, n: int) -> dict[str, float]:
    """APScheduler 3.x, MongoDB job store, the same one-off jobs all due: time from resume to the last one."""
    from apscheduler.executors.asyncio import AsyncIOExecutor
    from apscheduler.jobstores.mongodb import MongoDBJobStore
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from pymongo import MongoClient

    run = uuid.uuid4().hex[:8]
    topic = f"bench{run}.aps.commands"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, **PRODUCER_OPTIONS)  # as ours
    await producer.start()
    _APS.update(producer=producer, topic=topic, n=n, fired=0, finished=asyncio.Event(), sending=asyncio.Semaphore(1000))

    sync_client: MongoClient[dict[str, Any]] = MongoClient(mongo_url)
    store = MongoDBJobStore(database=f"aps_{run}", collection="jobs", client=sync_client)
    scheduler = AsyncIOScheduler(
        jobstores={"default": store},
        executors={"default": AsyncIOExecutor()},
        job_defaults={"misfire_grace_time": None, "coalesce": False, "max_instances": 1},
    )
    scheduler.start(paused=True)
    due = datetime.now(UTC) - timedelta(seconds=1)
    add_start = time.time()
    for i in range(n):
        scheduler.add_job(f"{__name__}:aps_place_call", "date", run_date=due, args=[f"c{i}"], id=f"c{i}")
    add_s = time.time() - add_start
    start = time.time()
    scheduler.resume()
    await asyncio.wait_for(_APS["finished"].wait(), timeout=3600)
    elapsed = time.time() - start
    scheduler.shutdown(wait=False)
    await producer.stop()
    with MongoClient(mongo_url) as cleanup:  # the job store closed its client on shutdown
        cleanup.drop_database(f"aps_{run}")
    return {"steps_per_s": n / elapsed, "seconds": elapsed, "add_seconds": add_s}
