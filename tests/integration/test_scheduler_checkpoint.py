"""A restarted scheduler starts from the due index's checkpoint and the journal since it, not from a read of
every enrollment: what was due before and what was queued after the checkpoint is dispatched, the roster
names the same contacts in the same states, and without a checkpoint the full read still works."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from outreach_common.mongo import make_client
from outreach_contracts.contacts import ContactData
from outreach_scheduler.adapters.enrollments import EnrollmentRepository
from outreach_scheduler.domain.enrollment import Enrollment

from tests.conftest import Infra

pytestmark = pytest.mark.integration


def _enrollment(i: int, due: datetime) -> Enrollment:
    return Enrollment(campaign_id="cmp", contact_id=f"c{i:03d}", workspace_id="ws",
                      contact=ContactData(phone=f"+1212555{i:04d}"), due_at=due)  # fmt: skip


async def test_a_restart_starts_from_the_checkpoint_and_the_journal_since(infra: Infra, run_id: str) -> None:
    client = make_client(infra.mongo_url)
    db = client[f"{run_id}_checkpoint"]
    now = datetime.now(UTC)
    try:
        first = EnrollmentRepository(db)
        checkpoint = first.keep_checkpoints(db)
        await first.start_index()  # no checkpoint yet: every enrollment is read (none), and one is written
        assert await db["due_checkpoint"].find_one({"_id": "head"}) is not None
        for i in range(5):
            assert await first.add(_enrollment(i, now - timedelta(seconds=1)), outbox=[], at=now)
        assert await checkpoint.save() == 10  # five due entries, five roster entries
        later = _enrollment(5, now - timedelta(seconds=1))  # queued after the checkpoint: in the journal
        assert await first.add(later, outbox=[], at=now)
        assert await checkpoint.flush() == 2
        first.roster.note("cmp", "c000", "exited")
        await checkpoint.flush()
        # the first instance is killed here; the next one never reads the enrollments collection
        second = EnrollmentRepository(db)
        second.keep_checkpoints(db)
        await second.start_index()
        assert second.index.loaded and second.roster.loaded
        assert sorted(c for _, c in second.index.pop_due(now, ["cmp"], 100)) == [f"c{i:03d}" for i in range(6)]
        assert second.roster.after("cmp", None, ("queued",), 10) == [f"c{i:03d}" for i in range(1, 6)]
        assert second.roster.after("cmp", None, ("exited",), 10) == ["c000"]
        # without a checkpoint the full read builds the same index
        await db["due_checkpoint"].drop()
        third = EnrollmentRepository(db)
        third.keep_checkpoints(db)
        await third.start_index()
        assert sorted(c for _, c in third.index.pop_due(now, ["cmp"], 100)) == [f"c{i:03d}" for i in range(6)]
    finally:
        await client.drop_database(db.name)
        await client.close()
