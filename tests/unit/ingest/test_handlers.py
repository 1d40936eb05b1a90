"""Ingest's do-not-call handlers and launch preview on in-memory fakes: every new entry announced once (its
message held before the list changes), opt-outs from other channels kept, and the preview's split."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from outreach_common.clock import VirtualClock
from outreach_contracts.messages import ContactOptedOut
from outreach_contracts.topics import Topics
from outreach_ingest.handlers.dnc import DncDeps, add_numbers, record_opt_out
from outreach_ingest.handlers.preview import launch_preview

from tests.unit.fakes.bus import FakeBus
from tests.unit.fakes.ingest import FakeContacts, FakeImports, FakePending, FakeSuppressions

pytestmark = pytest.mark.unit
NOW = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)


def make_deps() -> DncDeps:
    return DncDeps(dnc=FakeSuppressions(), bus=FakeBus(), clock=VirtualClock(NOW), topics=Topics(),  # type: ignore[arg-type]
                   pending=FakePending())  # type: ignore[arg-type]  # fmt: skip


async def test_new_numbers_are_listed_and_announced_once_invalid_ones_reported() -> None:
    deps = make_deps()
    rows = [(1, "(212) 555-0101"), (2, "+1 212 555 0101"), (3, "12345"), (4, "212-555-0102")]
    result = await add_numbers("ws", rows, deps, source="api")
    assert (result.added, result.already) == (2, 0)
    assert [(i["row"], i["value"]) for i in result.invalid] == [(3, "12345")]
    again = await add_numbers("ws", [(1, "2125550101")], deps, source="api")
    assert (again.added, again.already) == (0, 1)
    assert isinstance(deps.bus, FakeBus) and isinstance(deps.pending, FakePending)
    opted = deps.bus.of_type("ContactOptedOut")
    assert sorted(e.phone for e in opted) == ["+12125550101", "+12125550102"] and {e.channel for e in opted} == {"dnc"}
    assert deps.pending.held == {}  # nothing left for the sweeper


async def test_an_opt_out_from_another_channel_lands_on_the_list_without_a_second_announcement() -> None:
    deps = make_deps()
    event = ContactOptedOut(occurred_at=NOW, workspace_id="ws", phone="+12125550101", channel="sms", campaign_id="c")
    await record_opt_out(event, deps)
    await record_opt_out(event, deps)  # redelivered
    assert await deps.dnc.all_of("ws") == {"+12125550101": "opt_out:sms"}
    assert isinstance(deps.bus, FakeBus) and deps.bus.sent == []


async def test_the_launch_preview_splits_what_will_be_skipped() -> None:
    deps = make_deps()
    await add_numbers("ws", [(1, "2125550103")], deps, source="api")  # listed after its import
    await record_opt_out(ContactOptedOut(occurred_at=NOW, workspace_id="ws", phone="+12125550104", channel="sms"), deps)
    job = {"_id": "imp", "workspace_id": "ws", "campaign_id": "cmp", "rows": 10, "invalid": 1, "duplicates": 2,
           "suppressed": 2, "opted_out": 1}  # fmt: skip
    stored = [[{"phone": f"+1212555010{n}"} for n in range(1, 6)]]
    preview = await launch_preview("ws", "cmp", contacts=FakeContacts(stored), imports=FakeImports([job]),  # type: ignore[arg-type]
                                   dnc=deps.dnc, page=2)  # type: ignore[arg-type]  # fmt: skip
    assert preview["split"] == {"do_not_call": 2, "opted_out": 2, "invalid": 1, "duplicate": 2}
    assert (preview["skipped"], preview["will_reach"], preview["message"]) == (7, 3, "7 of 10 contacts will be skipped")
