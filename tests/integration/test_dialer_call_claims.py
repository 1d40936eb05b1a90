"""The call store's records and claims on FerretDB: a call is one insert with its command (a redelivery
records nothing), a queued call a stopped instance never claimed is adopted by one instance, a call it
claimed for dialing is never adopted but settled by one instance, and a claimed call shows as dialing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from outreach_dialer.adapters.calls import CallStore
from pymongo import AsyncMongoClient

from tests.conftest import Infra

pytestmark = pytest.mark.integration


def _call(store: CallStore, key: str, owner: str) -> dict[str, Any]:
    call_id = f"call_{store.shard_of(key):03d}_{key}"
    return {"_id": key, "call_id": call_id, "workspace_id": "ws", "status": "queued", "owner": owner, "round": 0,
            "queued_at": datetime.now(UTC), "trail": [], "outbox": [], "command": '{"k": 1}'}  # fmt: skip


async def test_queued_calls_are_adopted_once_and_claimed_ones_settled_once(infra: Infra, run_id: str) -> None:
    db = AsyncMongoClient(infra.mongo_url)[f"{run_id}_call_claims"]
    store = CallStore(db, shards=4)
    now = datetime.now(UTC)
    assert await store.enqueue(_call(store, "k1", "dead")) and not await store.enqueue(_call(store, "k1", "dead"))
    assert await store.enqueue(_call(store, "k2", "dead"))
    await store.heartbeat("dead", now - timedelta(minutes=5))
    claim = {
        "owner": "dead",
        "at": now,
        "dialing_wall": now,
        "from_number": "+12125550100",
        "call_id": f"call_{store.shard_of('k2'):03d}_k2",
    }
    assert await store.claim("k2", claim) and not await store.claim("k2", {**claim, "owner": "other"})
    assert [d["_id"] for d in await store.stranded(owners=["dead"])] == ["k1"]  # k2 may be at the provider
    [dialing] = await store.dialing_by(owners=["dead"])
    assert (dialing["_id"], dialing["status"], dialing["from_number"]) == ("k2", "dialing", "+12125550100")
    shown = await store.by_id(claim["call_id"])
    assert shown is not None and (shown["status"], shown["dialer"]) == ("dialing", "dead")
    [stranded] = await store.stranded(owners=["dead"])
    assert await store.adopt(stranded, owner="a", now=now)
    assert not await store.adopt(_call(store, "k1", "dead"), owner="b", now=now)
    await store.collection("k1").update_one({"_id": "k1"}, {"$set": {"owner": "dead", "round": 0}})
    assert await store.adopt(_call(store, "k1", "dead"), owner="a", now=now)  # as if its update was lost: won again
    assert (await store.by_key("k1") or {})["owner"] == "a"
    assert await store.take_over(dialing, owner="a", now=now, alive={"a"})
    assert not await store.take_over(dialing, owner="b", now=now, alive={"a", "b"})  # "a" settles it
    # "a" stops too; "b" takes over from it, then stops between its insert and renaming the claim
    await store.claims.insert_one({"_id": "k2#settle#a", "owner": "b", "at": now})
    assert await store.take_over(dialing, owner="c", now=now, alive={"c"})  # followed along: b stopped
    assert (await store.claims.find_one({"_id": "k2"}))["owner"] == "c"
    await store.claims.update_one({"_id": "k2"}, {"$set": {"owner": "a"}})  # as if c's renaming was lost
    assert await store.take_over(dialing, owner="c", now=now, alive={"c"})  # its own: won before
    await store.claims.update_one({"_id": "k2"}, {"$set": {"owner": "a"}})
    assert (await store.owners())["dead"] < now and await store.dialing_by(owners=["dead"]) == []  # a settles it
    await store.update("k2", expect={"outcome": None}, changes={"status": "completed", "outcome": "answered_human"})
    assert await store.dialing_by(owners=["a"]) == []  # final: nothing is left to settle
    await store.unclaim("k2")
    assert await store.claim("k2", claim)
