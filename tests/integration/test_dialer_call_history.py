"""The call history's order on FerretDB: numbers without gaps or repeats when instances write at once, the
last number found from nothing, no call entered twice, and pages that read by `_id` (a page's statements
do not grow with the history)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from outreach_common.mongo import make_client
from outreach_dialer.adapters.call_history import CallHistory, entry_id
from outreach_dialer.adapters.calls import CallStore
from pymongo import monitoring

from tests.conftest import Infra

pytestmark = pytest.mark.integration

T0 = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


class Statements(monitoring.CommandListener):
    """Counts the commands a client sends, by name."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
async def clients(infra: Infra) -> AsyncIterator[tuple[Any, Statements]]:
    statements = Statements()
    client = make_client(infra.mongo_url, listeners=[statements])
    yield client, statements
    await client.close()


def call(i: int, workspace: str = "ws_a", **fields: Any) -> dict[str, Any]:
    return {
        "_id": f"key{i:04d}",
        "call_id": f"call_{i % 128:03d}_{i:016x}",
        "workspace_id": workspace,
        "campaign_id": fields.get("campaign_id", f"cmp{i % 3}"),
        "contact_id": f"c{i}",
        "agent_id": "agent",
        "status": fields.get("status", "completed"),
        "outcome": fields.get("outcome", "answered_human" if i % 7 == 0 else "no_answer"),
        "queued_at": T0 + timedelta(seconds=i),
        "owner": "d1",
        "trail": [],
        "outbox": [],
        "command": "{}",
    }


async def test_instances_writing_at_once_number_every_call_once(clients: Any, run_id: str) -> None:
    client, _ = clients
    collection = client[f"{run_id}_history"]["call_history"]
    writers = [CallHistory(collection) for _ in range(3)]

    async def write(w: int) -> None:
        for batch in range(10):
            for i in range(20):
                writers[w].add(call(w * 1000 + batch * 20 + i))
            await writers[w].flush()

    await asyncio.gather(*(write(w) for w in range(3)))
    entries = [d async for d in collection.find({"_id": {"$regex": "^s\\|"}})]
    numbers = sorted(int(d["_id"].rsplit("|", 1)[1]) for d in entries)
    assert numbers == list(range(1, 601))  # no gap, no repeat
    assert len({d["key"] for d in entries}) == 600  # every call once

    reader = CallHistory(collection)  # knows nothing yet
    assert await reader.head("ws_a") == 600
    assert await reader.head("ws_none") == 0

    again = CallHistory(collection)  # an adopter enters calls that have entries already, and one that has not
    again.add(call(5), maybe_entered=True)
    again.add(call(5000), maybe_entered=True)
    await again.flush()
    assert await collection.count_documents({"key": "key0005"}) == 1
    assert (await collection.find_one({"_id": entry_id("ws_a", 601)}))["key"] == "key5000"


async def test_pages_read_by_id_and_follow_the_cursor(clients: Any, run_id: str) -> None:
    client, statements = clients
    store = CallStore(client[f"{run_id}_pages"], shards=16)
    for i in range(1, 301):
        assert await store.enqueue(call(i, "ws_a" if i % 5 else "ws_b"))
    assert not await store.enqueue(call(7))  # a repeated key is neither queued nor entered again
    await store.log.flush()

    seen: list[str] = []
    before = None
    while True:
        page, before = await store.history("ws_a", {}, before=before, limit=50)
        seen += [d["_id"] for d in page]
        if before is None:
            break
    assert seen == [f"key{i:04d}" for i in range(300, 0, -1) if i % 5]  # newest first, each once

    statements.names.clear()
    page, following = await store.history("ws_a", {"campaign_id": "cmp1"}, before=None, limit=10)
    assert [d["_id"] for d in page] == [f"key{i:04d}" for i in range(300, 0, -1) if i % 5 and i % 3 == 1][:10]
    assert following is not None
    finds = statements.names.count("find")
    assert finds <= 2 + 1 + 10  # the last number, one block, a shard per call at most (16 here)

    answered, _ = await store.history("ws_a", {"outcome": "answered_human"}, before=None, limit=100)
    assert [d["_id"] for d in answered] == [f"key{i:04d}" for i in range(300, 0, -1) if i % 5 and i % 7 == 0]
    short, where = await store.history("ws_a", {"outcome": "busy"}, before=None, limit=5, budget=100)
    assert short == [] and where == 141  # nothing found in the 100 newest numbers: go on below them
    assert (await store.history("ws_b", {}, before=None, limit=100))[0][0]["_id"] == "key0300"
