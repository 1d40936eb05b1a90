"""Helpers for tests against the real broker: read a topic, run an app in-process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI
from outreach_common.identity import HEADER, mint
from outreach_common.settings import DEV_SECRET
from outreach_contracts.calls import PlaceCall
from outreach_contracts.contacts import ContactData, ContactImported
from outreach_contracts.envelope import Envelope
from outreach_contracts.registry import ANY_MESSAGE
from outreach_contracts.window import ContactWindow
from outreach_dialer.config import Settings as DialerSettings

from tests.waiting import eventually

__all__ = ["eventually"]


async def read_topic(bootstrap: str, topic: str, *, count: int, timeout: float = 30.0) -> list[Any]:
    """The first `count` records of `topic` (from the beginning), as aiokafka records."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = time.monotonic() + timeout
        while len(records) < count and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for items in batch.values():
                records.extend(items)
    finally:
        await consumer.stop()
    return records


async def read_messages(bootstrap: str, topic: str, *, count: int, timeout: float = 30.0) -> list[Envelope]:
    """The first `count` messages of `topic`, parsed as contracts."""
    return [
        ANY_MESSAGE.validate_json(r.value) for r in await read_topic(bootstrap, topic, count=count, timeout=timeout)
    ]


async def consumed(bootstrap: str, group: str, topic: str) -> bool:
    """Whether consumer group `group` has committed every record of `topic` (it handled what is there)."""
    from aiokafka import TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await admin.start()
    await reader.start()
    try:
        await reader.topics()  # fetches the cluster's metadata
        parts = [TopicPartition(topic, p) for p in (reader.partitions_for_topic(topic) or set())]
        ends = await reader.end_offsets(parts)
        committed = await admin.list_consumer_group_offsets(group, partitions=parts)
        return all((committed.get(tp).offset if committed.get(tp) else 0) >= end for tp, end in ends.items())
    finally:
        await reader.stop()
        await admin.close()


async def produce(bootstrap: str, topic: str, messages: list[tuple[str, bytes]]) -> None:
    """Publish raw (key, value) pairs."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, value, key=key.encode())
    finally:
        await producer.stop()


def caller(workspace_id: str = "ws", scopes: tuple[str, ...] = ("admin",)) -> dict[str, str]:
    """The identity header the gateway would forward for a caller of `workspace_id` (signed with the
    development secret every service has in tests)."""
    return {HEADER: mint(workspace_id, "key:test", scopes, DEV_SECRET, ttl_s=3600)}


async def subscribed(app: Any) -> None:
    """Wait until a service app's subscribers have started (a service is ready before: tests that spread
    work over instances or read what was consumed need them joined)."""
    shell = getattr(getattr(app, "state", None), "shell", None)  # (a plain ASGI callable has none)
    if shell is not None:
        async with asyncio.timeout(60):
            await shell.subscribed()


@asynccontextmanager
async def running(app: FastAPI, workspace_id: str = "ws_default") -> AsyncIterator[httpx.AsyncClient]:
    """Run `app`'s lifespan (broker, loops) and give an HTTP client bound to it, calling as `workspace_id`, once
    its subscribers have joined their groups."""
    async with app.router.lifespan_context(app):
        await subscribed(app)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=caller(workspace_id)
        ) as client:
            yield client


@asynccontextmanager
async def serving(app: Any, port: int) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1:`port` inside this event loop; yield its base URL once it serves
    and its subscribers (a service's) have joined their groups."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
        await subscribed(app)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


ALWAYS = ContactWindow(
    days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"], start="00:00", end="24:00", compliance="none"
)


OPEN = ALWAYS.model_dump(mode="json")  # the same window as a campaign's JSON


def imported(campaign_id: str, contact_id: str, phone: str) -> tuple[str, bytes]:
    """A ContactImported of the default workspace, keyed and serialised for `produce`."""
    ids = {"workspace_id": "ws_default", "campaign_id": campaign_id, "contact_id": contact_id, "import_id": "imp"}
    event = ContactImported(occurred_at=datetime.now(UTC), **ids, row=1, contact=ContactData(phone=phone))
    return contact_id, event.model_dump_json().encode()


def place_call(key: str, phone: str, **fields: Any) -> PlaceCall:
    """A PlaceCall for dialer tests: campaign `cmp`, agent `agt`, first step and attempt, contact id = key,
    a window that is always open; `fields` replace any of those."""
    base: dict[str, Any] = {
        "occurred_at": datetime.now(UTC),
        "workspace_id": "ws",
        "idempotency_key": key,
        "campaign_id": "cmp",
        "contact_id": key,
        "step_index": 0,
        "attempt": 1,
        "agent_id": "agt",
        "contact": ContactData(phone=phone),
        "window": ALWAYS,
    }
    return PlaceCall(**(base | fields))


def dialer_settings(
    infra: Any, run_id: str, *, port: int, sim_port: int, sid: str, token: str, **overrides: Any
) -> DialerSettings:
    """A dialer of this test: its topics and database, callbacks on `port`, Twilio on the simulator."""
    base: dict[str, Any] = {
        "kafka_bootstrap": infra.kafka_bootstrap,
        "mongo_url": infra.mongo_url,
        "mongo_db": f"{run_id}_dialer",
        "topic_prefix": f"{run_id}.",
        "public_url": f"http://127.0.0.1:{port}",
        "twilio_account_sid": sid,
        "twilio_auth_token": token,
        "twilio_base_url": f"http://127.0.0.1:{sim_port}",
        "default_agent_url": f"http://127.0.0.1:{sim_port}/twiml/agent",
        "dial_interval_s": 0.05,
    }
    return DialerSettings(**(base | overrides))
