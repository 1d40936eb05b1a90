"""Pacing shared by every dialer instance: wall-clock time is cut into slots of `1 / rate` seconds, slot k
being [k / rate, (k + 1) / rate); a call takes a slot of its own (the store makes taking one atomic) and
leaves inside it, so any one-second window holds at most rate + 1 calls, whoever places them."""

from __future__ import annotations

import math


def first_free_slot(now: float, rate: float, after: int | None = None) -> int:
    """The first slot that has not begun at `now` and comes after slot `after` (the last one asked for)."""
    current = math.ceil(now * rate)
    return current if after is None else max(current, after + 1)


def slot_time(slot: int, rate: float) -> float:
    """When slot `slot` begins (seconds of wall-clock time)."""
    return slot / rate


def lease_block(limit: int) -> int:
    """How many in-flight slots of a limit an instance leases at once: an eighth of them (at most 16), so a
    busy instance seldom writes for its slots and several instances still share a small limit."""
    return max(1, min(16, limit // 8))
