"""Records kept only for a while are pruned on the MongoDB-wire server: an enrollment's log entries once
its document caught up with them and they are old, a call's claim records once the call is final and they
are old; whatever a reader may still need stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from outreach_common.mongo import make_client
from outreach_dialer.adapters.calls import CallStore
from outreach_scheduler.adapters.enrollments import EnrollmentRepository

from tests.conftest import Infra

pytestmark = pytest.mark.integration

LONG_AGO = datetime.now(UTC) - timedelta(days=30)


async def test_log_entries_go_once_old_and_applied(infra: Infra, run_id: str) -> None:
    client = make_client(infra.mongo_url)
    try:
        repo = EnrollmentRepository(client[f"{run_id}_scheduler"])
        await repo.collection.insert_many(
            [{"_id": "cmp:a", "version": 3}, {"_id": "cmp:b", "version": 1}, {"_id": "cmp:c", "version": 5}]
        )
        now = datetime.now(UTC)
        await repo.log.insert_many(
            [
                {"_id": "cmp:a#1", "kind": "save", "written": LONG_AGO},  # applied (a is at 3): goes
                {"_id": "cmp:a#2", "kind": "claim", "written": LONG_AGO},  # applied: goes
                {"_id": "cmp:b#1", "kind": "save", "written": LONG_AGO},  # b is still at 1: a reader needs it
                {"_id": "cmp:c#4", "kind": "save", "written": now},  # applied but recent: stays
                {"_id": "gone:x#0", "kind": "save", "written": LONG_AGO},  # its enrollment is gone: goes
                {"_id": "cmp:c#2", "kind": "save"},  # written before entries were dated: stays
            ]
        )
        assert await repo.prune_log(older_than=timedelta(days=7)) == 3
        assert sorted([d["_id"] async for d in repo.log.find({})]) == ["cmp:b#1", "cmp:c#2", "cmp:c#4"]
        assert await repo.prune_log(older_than=timedelta(days=7)) == 0
    finally:
        await client.close()


async def test_claims_go_once_old_and_their_call_is_final(infra: Infra, run_id: str) -> None:
    client = make_client(infra.mongo_url)
    try:
        calls = CallStore(client[f"{run_id}_dialer"], shards=4)
        for key, status in (("k-done", "completed"), ("k-queued", "queued"), ("k-failed", "failed")):
            await calls.collection(key).insert_one({"_id": key, "status": status})
        now = datetime.now(UTC)
        await calls.claims.insert_many(
            [
                {"_id": "k-done#0", "owner": "d1", "at": LONG_AGO},  # final call, old claim: goes
                {"_id": "k-done#0#adopted", "owner": "d2", "at": LONG_AGO},  # goes too
                {"_id": "k-failed#2", "owner": "d1", "at": now},  # final but recent: stays
                {"_id": "k-queued#5", "owner": "d1", "at": LONG_AGO},  # still in the queue: stays
            ]
        )
        assert await calls.prune_claims(before=now - timedelta(days=7)) == 2
        assert sorted([d["_id"] async for d in calls.claims.find({})]) == ["k-failed#2", "k-queued#5"]
    finally:
        await client.close()
