"""`bench.runs` reads targets on the median of the runs and keeps each run's figures and the spread."""

from __future__ import annotations

import pytest

from bench.runs import combined

pytestmark = pytest.mark.unit


def test_the_median_of_the_runs_with_their_spread() -> None:
    runs = [
        {"metrics": {"rows_per_s": 90, "ratio": 1.5, "note": "a"}, "detail": 1},
        {"metrics": {"rows_per_s": 120, "ratio": 1.2, "note": "b"}, "detail": 2},
        {"metrics": {"rows_per_s": 100, "ratio": None, "note": "c"}, "detail": 3},
    ]
    result = combined("x", runs)
    assert result["metrics"]["rows_per_s"] == 100 and result["spread"]["rows_per_s"] == {"min": 90, "max": 120}
    assert result["metrics"]["ratio"] is None and "ratio" not in result["spread"]  # a run without it: no median
    assert result["metrics"]["note"] == "c" and result["last_run"] == {"detail": 3}
    assert [r["rows_per_s"] for r in result["runs"]] == [90, 120, 100]
