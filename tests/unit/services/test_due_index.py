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
