"""Two dialer instances share one call pace and one concurrency limit (checked from the simulator's log)."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from outreach_contracts.calls import CallCompleted
from outreach_devstack.stack import free_port
from outreach_dialer.bootstrap import build
from outreach_dialer.config import Settings
from outreach_twilio_sim.app import build as build_sim
from outreach_twilio_sim.measure import max_concurrency, max_per_window
from outreach_twilio_sim.scenario import Behaviour, Scenario

from tests.conftest import Infra
from tests.integration.helpers import caller, dialer_settings, eventually, place_call, produce, read_messages, serving

pytestmark = pytest.mark.integration
TOKEN = "test-token-pace"
SID = "AC" + "4" * 32
CALLS, RATE, CONCURRENT = 40, 8.0, 4


async def test_two_instances_never_exceed_the_shared_pace_and_concurrency(infra: Infra, run_id: str) -> None:
    sim_port = free_port()
    ports = [free_port(), free_port()]

    def settings(port: int) -> Settings:
        # one database: the instances share queue, pace and limits
        limits = {"calls_per_second": RATE, "max_concurrent_calls": CONCURRENT}
        return dialer_settings(infra, run_id, port=port, sim_port=sim_port, sid=SID, token=TOKEN, dial_interval_s=0.02,
                               **limits)  # fmt: skip

    topics = settings(ports[0]).topics
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap)
    await admin.start()
    try:  # several partitions, so both instances receive commands
        await admin.create_topics([NewTopic(topics.call_commands, num_partitions=4, replication_factor=1)])
    finally:
        await admin.close()
    scenario = Scenario(default=Behaviour(outcome="answered_human", ring_s=0.05, duration_s=0.4))
    commands = [place_call(f"k{i}", f"+1212555{i:04d}", contact_id=f"ct{i}") for i in range(CALLS)]
    async with (
        serving(build_sim(account_sid=SID, auth_token=TOKEN, scenario=scenario), sim_port) as sim_url,
        serving(build(settings(ports[0])), ports[0]) as first,
        serving(build(settings(ports[1])), ports[1]),
        httpx.AsyncClient(timeout=30, headers=caller()) as http,
    ):
        await produce(
            infra.kafka_bootstrap,
            topics.call_commands,
            [(c.contact_id, c.model_dump_json().encode()) for c in commands],
        )

        async def finished() -> bool:
            events = await read_messages(infra.kafka_bootstrap, topics.calls, count=2 * CALLS, timeout=1)
            return sum(isinstance(e, CallCompleted) for e in events) == CALLS

        await eventually(finished, timeout=120)
        calls = (await http.get(f"{sim_url}/_sim/calls")).json()
        count = (await http.get(f"{sim_url}/_sim/calls/count")).json()
        history = (await http.get(f"{first}/calls", params={"limit": 500})).json()["items"]
    assert len(calls) == CALLS  # each command dialed exactly once
    assert count == {"created": CALLS, "ended": sum(1 for c in calls if c["ended_at"])}
    assert len({h["dialer"] for h in history}) == 2  # both instances dialed
    assert max_concurrency(calls) <= CONCURRENT
    assert max_per_window([c["created"] for c in calls]) <= RATE + 1  # a window can straddle two slots' edges


async def test_pace_slots_come_from_one_insert_at_a_time_and_are_never_shared(
    infra: Infra, run_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many callers in two instances: every slot is handed out once, in time order per instance, none already
    passed; an instance's callers wait on one insert of a block instead of racing with inserts of their own,
    and the next block is reserved before the last one runs out."""
    from outreach_dialer.adapters import limits as module
    from pymongo import AsyncMongoClient

    inserts: list[int] = []
    real = module.insert_new

    async def counted(collection: Any, docs: list[Any]) -> list[Any]:
        inserts.append(len(docs))
        return await real(collection, docs)

    monkeypatch.setattr(module, "insert_new", counted)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongo_url)
    rate, per_caller, callers = 40.0, 10, 8
    try:
        instances = [module.Limits(client[f"{run_id}_dialer"], owner=f"d{i}") for i in range(2)]
        handed: list[tuple[int, float, float]] = []  # (instance, slot time, when it was handed out)

        async def caller_of(index: int) -> None:
            for _ in range(per_caller):
                at = await instances[index].reserve_slot("acct", rate)
                handed.append((index, at, time.time()))
                await asyncio.sleep(max(0.0, at - time.time()))  # dial at the slot, as a call does

        await asyncio.gather(*(caller_of(i % 2) for i in range(2 * callers)))
    finally:
        await client.close()
    times = [at for _, at, _ in handed]
    assert len(set(times)) == len(times) == 2 * callers * per_caller  # no slot twice, across instances
    assert all(at >= now - 1 / rate for _, at, now in handed)  # never a slot already passed
    for index in range(2):
        mine = [at for i, at, _ in handed if i == index]
        assert mine == sorted(mine)
    block = math.ceil(rate / 4)
    assert len(inserts) <= 2 * (len(times) / block + 4)  # about a block per insert (racing inserts win few)
