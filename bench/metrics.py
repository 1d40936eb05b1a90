"""`make bench-metrics`: projection throughput of the metrics service from Kafka into the MongoDB-wire
server, against a bare aiokafka consumer reading the same topics in the same run."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import time
from datetime import UTC, datetime

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from outreach_common.identity import HEADER, mint
from outreach_contracts.calls import CallCompleted, CallPlaced
from outreach_contracts.campaigns import CampaignStarted
from outreach_contracts.enrollments import EnrollmentChanged
from outreach_contracts.envelope import Envelope
from outreach_contracts.topics import Topics
from outreach_devstack import processes
from outreach_devstack.stack import free_port

from bench.common import write
from bench.infra import endpoints

CONTACTS = int(os.environ.get("BENCH_METRICS_CONTACTS", "40000"))  # five events each


def events(topics: Topics) -> list[tuple[str, str, Envelope]]:
    """The campaign's start, then five events per contact: queued, active, call placed, answered, exited."""
    at = datetime(2026, 3, 9, 15, tzinfo=UTC)
    started = CampaignStarted(workspace_id="ws", campaign_id="bench", name="Bench", occurred_at=at)
    out: list[tuple[str, str, Envelope]] = [(topics.campaigns, "bench", started)]  # the overview exists from it
    for i in range(CONTACTS):
        common = {"workspace_id": "ws", "campaign_id": "bench", "contact_id": f"ct{i}", "occurred_at": at}
        call = {**common, "idempotency_key": f"bench:ct{i}:0:1", "step_index": 0, "call_id": f"c{i}"}

        def state(name: str, version: int, reason: str | None = None) -> EnrollmentChanged:
            return EnrollmentChanged(**common, state=name, version=version, step_index=0, reason=reason)  # noqa: B023

        out += [
            (topics.enrollments, f"ct{i}", state("queued", 1)),
            (topics.enrollments, f"ct{i}", state("active", 2)),
            (topics.calls, f"ct{i}", CallPlaced(**call, provider_call_sid=f"CA{i}", from_number="+12125550100")),
            (topics.calls, f"ct{i}", CallCompleted(**call, outcome="answered_human")),
            (topics.enrollments, f"ct{i}", state("exited", 3, "answered")),
        ]
    return out


async def produce(bootstrap: str, batch: list[tuple[str, str, Envelope]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20)
    await producer.start()
    try:
        for topic, key, event in batch:
            await producer.send(topic, event.model_dump_json().encode(), key=key.encode())
        await producer.flush()
    finally:
        await producer.stop()


async def bare(bootstrap: str, topics: list[str], count: int) -> float:
    """Seconds for a plain aiokafka consumer to read and parse `count` messages from the start."""
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    seen = 0
    started = time.perf_counter()
    try:
        while seen < count:
            for records in (await consumer.getmany(timeout_ms=500, max_records=5000)).values():
                for record in records:
                    EnrollmentChanged.model_validate_json(
                        record.value
                    ) if b"EnrollmentChanged" in record.value else None
                    seen += 1
    finally:
        await consumer.stop()
    return time.perf_counter() - started


async def main(bootstrap: str, mongo: str) -> None:
    run = f"benchmetrics{int(time.time())}"
    topics = Topics(prefix=f"{run}.")
    batch = events(topics)
    await produce(bootstrap, batch)
    count = sum(1 for topic, _, _ in batch if topic != topics.campaigns)  # the contacts' events
    bare_s = await bare(bootstrap, [topics.enrollments, topics.calls], count)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    secret = secrets.token_hex(16)
    headers = {HEADER: mint("ws", "key:bench", ["read"], secret, ttl_s=3600)}
    env = {
        "OUTREACH_KAFKA_BOOTSTRAP": bootstrap,
        "OUTREACH_MONGO_URL": mongo,
        "OUTREACH_MONGO_DB": f"{run}_metrics",
        "OUTREACH_TOPIC_PREFIX": f"{run}.",
        "OUTREACH_HTTP_PORT": str(port),
        "OUTREACH_LOG_LEVEL": "WARNING",
        "OUTREACH_IDENTITY_SECRET": secret,
    }
    name = f"{run}-metrics"

    async def complete(http: httpx.AsyncClient) -> bool:
        try:
            view = (await http.get(f"{url}/campaigns/bench/overview")).json()
        except httpx.HTTPError:
            return False
        return bool(view.get("exited") == CONTACTS and view.get("funnel", {}).get("answered_human") == CONTACTS)

    async def ready(http: httpx.AsyncClient) -> float:
        """Seconds until the service answers (its overview loaded, its consumer started)."""
        started = time.perf_counter()
        while True:
            try:
                if (await http.get(f"{url}/health")).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)

    async with httpx.AsyncClient(timeout=120, headers=headers) as http:
        processes.start(name, [sys.executable, "-m", "outreach_metrics"], env=env)
        try:
            await ready(http)
            started = time.perf_counter()
            while True:
                if await complete(http):
                    break
                await asyncio.sleep(0.2)
            seconds = time.perf_counter() - started
        finally:
            processes.stop(name)
        # a restart rebuilds the overview from the stored rows before it consumes again
        processes.start(name, [sys.executable, "-m", "outreach_metrics"], env=env)
        try:
            rebuild_s = await ready(http)
            assert await complete(http), "the restarted service lost counts"
        finally:
            processes.stop(name)
    write(
        "metrics",
        {
            "events_per_s": round(count / seconds),
            "ratio_vs_bare_consumer": round((count / seconds) / (count / bare_s), 4),
        },
        events=count,
        projection_seconds=round(seconds, 2),
        bare_consumer_events_per_s=round(count / bare_s),
        restart_rebuild_seconds=round(rebuild_s, 2),
        note="projection time runs from the service answering its health check (consumer-group join included)",
    )


if __name__ == "__main__":
    asyncio.run(main(*endpoints()))
