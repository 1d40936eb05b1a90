"""A dialer killed between recording a call and recording its command: the command's redelivery leaves a
call that another instance can adopt (a call without its command could never be dialed, and its contact
would stay active for good)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from outreach_dialer.adapters.calls import CallStore
from pymongo import AsyncMongoClient

from tests.conftest import Infra

pytestmark = pytest.mark.integration


class KilledError(Exception):
    """The process died here."""


class DyingAfter:
    """A collection whose next insert kills the process before it is written."""

    def __init__(self, real: Any) -> None:
        self.real, self.dead = real, False

    async def insert_one(self, doc: dict[str, Any]) -> Any:
        if not self.dead:
            self.dead = True
            raise KilledError
        return await self.real.insert_one(doc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def _call(key: str, owner: str) -> dict[str, Any]:
    return {"_id": key, "call_id": "c1", "status": "queued", "owner": owner, "round": 0,
            "queued_at": datetime.now(UTC), "trail": [], "outbox": []}  # fmt: skip


@pytest.mark.parametrize("dies_at", ["commands", "shard"])
async def test_a_redelivered_command_after_a_kill_leaves_an_adoptable_call(
    infra: Infra, run_id: str, dies_at: str
) -> None:
    db = AsyncMongoClient(infra.mongo_url)[f"{run_id}_enqueue_{dies_at}"]
    store = CallStore(db, shards=4)
    key, command = "cmp:ct:0:1", {"idempotency_key": "cmp:ct:0:1"}
    if dies_at == "commands":
        store.commands = DyingAfter(store.commands)  # type: ignore[assignment]
    else:
        store.shards[store.shard_of(key)] = DyingAfter(store.collection(key))  # type: ignore[assignment]
    with pytest.raises(KilledError):
        await store.enqueue(_call(key, "dead"), command)
    assert await store.enqueue(_call(key, "dead"), command)  # the redelivery, after the restart
    stranded = await store.stranded(owners=["dead"])
    assert [(d["_id"], d["command"]) for d in stranded] == [(key, command)]
