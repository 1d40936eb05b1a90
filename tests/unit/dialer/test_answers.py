"""A caller id's answers counted per hour: the window's sums, the old-style outcome lists still counted,
and hours past the window dropped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from outreach_dialer.domain.answers import answered_increment, counts, hour_key, pruned

pytestmark = pytest.mark.unit
NOW = datetime(2026, 3, 9, 14, 30, tzinfo=UTC)


def test_one_call_is_counted_in_its_utc_hour() -> None:
    assert hour_key(datetime(2026, 3, 9, 9, 59, tzinfo=UTC) + timedelta(hours=5)) == "2026030914"
    assert answered_increment(NOW, True) == {"answers.2026030914.calls": 1, "answers.2026030914.answered": 1}
    assert answered_increment(NOW, False)["answers.2026030914.answered"] == 0


def test_the_window_counts_whole_hours_and_old_outcome_lists() -> None:
    doc = {
        "answers": {
            "2026030914": {"calls": 4, "answered": 1},
            "2026030815": {"calls": 3, "answered": 3},
            "2026030813": {"calls": 9, "answered": 0},
        },
        "outcomes": [
            {"at": NOW - timedelta(hours=1), "answered": True},
            {"at": NOW - timedelta(days=2), "answered": True},
        ],
    }
    assert counts(doc, now=NOW, window_h=24) == (1 + 3 + 1, 4 + 3 + 1)
    assert counts({}, now=NOW, window_h=24) == (0, 0)
    stale = pruned(doc, now=NOW, window_h=24)
    assert stale is not None and set(stale["answers"]) == {"2026030914", "2026030815"}
    assert len(stale["outcomes"]) == 1
    assert pruned({"answers": {"2026030914": {"calls": 1, "answered": 0}}}, now=NOW, window_h=24) is None
