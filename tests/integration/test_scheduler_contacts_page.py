"""A campaign's contacts paged by state on the MongoDB-wire server: the roster names the candidates in
contact order, the documents (read by `_id`, log applied) decide, on the instance that wrote them and on one
that only loaded them, and before any roster is loaded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from outreach_common.mongo import ensure_indexes, make_client
from outreach_contracts.contacts import ContactData
from outreach_scheduler.adapters.enrollments import EnrollmentRepository
from outreach_scheduler.adapters.repository import INDEXES
from outreach_scheduler.domain.enrollment import Enrollment, exit_with

from tests.conftest import Infra

pytestmark = pytest.mark.integration


def queued_in_a_day(n: int) -> tuple[datetime, list[Enrollment]]:
    """`n` enrollments of campaign `cmp`, queued and due in a day (contacts ct_0000 ...), and that time."""
    due = datetime.now(UTC) + timedelta(days=1)
    return due, [
        Enrollment(campaign_id="cmp", contact_id=f"ct_{i:04d}", workspace_id="ws",
                   contact=ContactData(phone=f"+1212555{i:04d}"), due_at=due, version=0)
        for i in range(n)
    ]  # fmt: skip


@pytest.fixture
async def three(infra: Infra, run_id: str) -> AsyncIterator[tuple[EnrollmentRepository, ...]]:
    """A writer, a reader and a cold instance's repositories over one new database with the indexes."""
    client = make_client(infra.mongo_url)
    db = client[f"{run_id}_roster"]
    try:
        await ensure_indexes(db, INDEXES)
        yield EnrollmentRepository(db), EnrollmentRepository(db), EnrollmentRepository(db)
    finally:
        await client.drop_database(f"{run_id}_roster")
        await client.close()


async def all_pages(repo: EnrollmentRepository, states: tuple[str, ...] | None, limit: int) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        page = await repo.page("cmp", states=states, after=after, limit=limit)
        seen += [e.contact_id for e in page]
        if len(page) < limit:
            return seen
        after = page[-1].contact_id


async def test_pages_by_state_read_the_stored_truth(three: tuple[EnrollmentRepository, ...]) -> None:
    writer, reader, cold = three
    due, enrollments = queued_in_a_day(250)
    other = replace(enrollments[0], campaign_id="cmp_other")
    await writer.add_many([*reversed(enrollments), other], at=due)
    writer.track([*enrollments, other])
    for e in enrollments[3::50]:
        assert await writer.save(exit_with(e, "opted_out"), expected_version=e.version, outbox=[])
    exited = [e.contact_id for e in enrollments[3::50]]
    queued = sorted({e.contact_id for e in enrollments} - set(exited))

    await reader.load_index()  # another instance, as after its start
    for repo in (writer, reader):
        assert await all_pages(repo, ("exited",), 2) == exited
        assert await all_pages(repo, ("queued",), 100) == queued
        assert await all_pages(repo, None, 64) == sorted(e.contact_id for e in enrollments)
    assert not cold.roster.loaded  # before its first load: the server sorts, the states are filtered here
    assert await all_pages(cold, ("exited",), 2) == exited

    moved = enrollments[10]  # changed by the writer after the reader loaded: the reader's hint is stale
    assert await writer.save(exit_with(moved, "answered"), expected_version=moved.version, outbox=[])
    assert moved.contact_id not in await all_pages(reader, ("queued",), 100)
    assert moved.contact_id in await all_pages(writer, ("exited",), 100)


async def test_whether_a_campaign_has_open_enrollments_is_the_stored_truth(
    three: tuple[EnrollmentRepository, ...],
) -> None:
    """`has_open` reads the roster's open candidates by `_id`; a stale roster (another instance closed them)
    falls back to the search, and the answer is the documents' in every case."""
    writer, reader, cold = three
    due, enrollments = queued_in_a_day(30)
    await writer.add_many(enrollments, at=due)
    writer.track(enrollments)
    await reader.load_index()
    for repo in (writer, reader, cold):
        assert await repo.has_open("cmp") and not await repo.has_open("cmp_none")
    for e in enrollments[:-1]:  # all but the last close; the reader's roster still names them open
        assert await writer.save(exit_with(e, "answered"), expected_version=e.version, outbox=[])
    for repo in (writer, reader, cold):
        assert await repo.has_open("cmp")  # the last one (the reader finds it by the search)
    last = enrollments[-1]
    assert await writer.save(exit_with(last, "answered"), expected_version=last.version, outbox=[])
    for repo in (writer, reader, cold):
        assert not await repo.has_open("cmp")
