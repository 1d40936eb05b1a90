"""Pacing shared by every dialer instance: calls are spaced `1 / rate` seconds apart (a GCRA with no
burst), whoever places them. The slot arithmetic is pure; the store makes taking a slot atomic."""

from __future__ import annotations


def next_slot(theoretical: float | None, now: float, interval: float) -> tuple[float, float]:
    """(when the caller may dial, the new theoretical arrival time) for a call wanted at `now`."""
    start = now if theoretical is None or theoretical < now else theoretical
    return start, start + interval
