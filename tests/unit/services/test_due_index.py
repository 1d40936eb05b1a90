"""The scheduler's in-memory due index: earliest first across active campaigns, paused ones untouched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from outreach_scheduler.adapters.due_index import DueIndex

pytestmark = pytest.mark.unit

T0 = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_pops_due_entries_earliest_first_across_campaigns_and_keeps_the_rest() -> None:
    index = DueIndex()
    index.add("a", "c3", at(3))
    index.add("b", "c1", at(1))
    index.add("a", "c2", at(2))
    index.add("b", "c9", at(9))
    assert index.pop_due(at(5), ["a", "b"], limit=10) == [("b", "c1"), ("a", "c2"), ("a", "c3")]
    assert index.pop_due(at(5), ["a", "b"], limit=10) == []
    assert index.pop_due(at(9), ["a", "b"], limit=10) == [("b", "c9")]
    assert len(index) == 0


def test_limit_and_inactive_campaigns_wait() -> None:
    index = DueIndex()
    for i in range(5):
        index.add("active", f"c{i}", at(i))
        index.add("paused", f"p{i}", at(i))
    assert index.pop_due(at(10), ["active"], limit=2) == [("active", "c0"), ("active", "c1")]
    assert index.count_due(at(10), ["active"]) == 3
    assert index.count_due(at(10), ["paused"]) == 5
    popped = [c for _, c in index.pop_due(at(10), ["paused", "active"], limit=100)]
    assert popped == ["p0", "p1", "c2", "p2", "c3", "p3", "c4", "p4"]
    assert len(index) == 0


def test_a_repeated_entry_comes_out_once() -> None:
    index = DueIndex()
    index.add("a", "c1", at(1))
    index.add("a", "c1", at(2))
    assert index.pop_due(at(3), ["a"], limit=10) == [("a", "c1")]


def test_reload_keeps_entries_added_while_the_database_was_read() -> None:
    index = DueIndex()
    index.add("a", "stale", at(1))
    index.begin_reload()
    index.add("a", "queued-meanwhile", at(2))
    index.replace([("a", "from-db", at(3))])
    assert index.loaded
    assert index.pop_due(at(10), ["a"], limit=10) == [("a", "queued-meanwhile"), ("a", "from-db")]


def test_a_reload_packs_its_entries_and_later_additions_interleave_in_order() -> None:
    index = DueIndex()
    entries = [("a", f"c{i:05d}", at(i % 7)) for i in reversed(range(25_000))]  # more than one packed chunk
    index.replace([*entries, ("b", "only", at(3))])
    index.add("a", "c00008x", at(0))  # the same instant as c00000, c00007, c00014 ...: between by contact id
    index.add("a", "early", at(-1))
    assert len(index) == 25_003
    assert index.count_due(at(0), ["a"]) == 3572 + 2
    first = index.pop_due(at(0), ["a"], limit=6)
    assert [c for _, c in first] == ["early", "c00000", "c00007", "c00008x", "c00014", "c00021"]
    popped = [c for _, c in index.pop_due(at(0), ["a"], limit=10_000)]
    assert len(popped) == 3574 - 6 and popped == sorted(popped)
    everything = index.pop_due(at(10), ["a", "b"], limit=100_000)
    assert len(everything) == 25_003 - 6 - len(popped) and ("b", "only") in everything
    assert len(index) == 0 and index.pop_due(at(99), ["a", "b"], limit=10) == []


def test_a_snapshot_staged_again_gives_the_same_index() -> None:
    index = DueIndex()
    index.replace([("a", f"c{i}", at(i)) for i in range(10)])
    index.pop_due(at(1), ["a"], limit=10)  # c0 and c1 are gone
    index.add("a", "late-longer-id", at(4))
    index.add("b", "b1", at(2))
    parts = list(index.snapshot(part=3))
    assert {kind for kind, *_ in parts} == {"due"} and sum(len(ids) for *_, ids, _ in parts) == 10
    again = DueIndex()
    again.begin_reload()
    for _, campaign_id, ids, dues in parts:
        again.stage_packed(campaign_id, ids, dues)
    again.commit_reload()
    expected = ["c2", "b1", "c3", "c4", "late-longer-id", "c5", "c6", "c7", "c8", "c9"]
    assert [c for _, c in again.pop_due(at(20), ["a", "b"], limit=100)] == expected
    assert [c for _, c in index.pop_due(at(20), ["a", "b"], limit=100)] == expected


def test_count_due_reads_the_packed_run_and_the_additions() -> None:
    index = DueIndex()
    index.replace([("a", f"c{i}", at(i)) for i in range(100)])
    index.add("a", "x", at(10))
    index.add("a", "y", at(1000))
    assert index.count_due(at(10), ["a"]) == 12
    index.pop_due(at(5), ["a"], limit=100)
    assert index.count_due(at(10), ["a"]) == 6 and index.count_due(at(-1), ["a"]) == 0
