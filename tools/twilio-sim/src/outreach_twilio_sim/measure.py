"""Pace and concurrency measured from the simulator's own records (for tests and benchmarks)."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any


def max_concurrency(calls: list[dict[str, Any]]) -> int:
    """Most calls alive at once, a call living from its creation to its end."""
    edges = sorted(
        [(c["created"], 1) for c in calls] + [(c["ended_at"] or math.inf, -1) for c in calls],
        key=lambda e: (e[0], e[1]),  # an end at the same instant as a start frees its slot first
    )
    alive = peak = 0
    for _, step in edges:
        alive += step
        peak = max(peak, alive)
    return peak


def max_per_window(times: list[float], window: float = 1.0) -> int:
    """Most creations inside any `window`-second interval (sliding, not bucketed)."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(ordered):
        while t - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def per_second(times: list[float]) -> Counter[int]:
    """Creations per wall-clock second."""
    return Counter(int(t) for t in times)
