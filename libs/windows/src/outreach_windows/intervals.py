"""Sorted, disjoint half-open intervals of UTC epoch seconds, and the offsets of a zone over a span."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

Interval = tuple[int, int]


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Intersection of two sorted disjoint interval lists."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _offset(zone: ZoneInfo, ts: int) -> int:
    moment = datetime.fromtimestamp(ts, UTC).astimezone(zone)
    delta = moment.utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


@lru_cache(maxsize=4096)
def offset_pieces(zone_name: str, start: int, end: int) -> tuple[tuple[int, int, int], ...]:
    """Pieces (from, to, utc offset seconds) covering [start, end) where the zone's offset is constant."""
    zone = ZoneInfo(zone_name)
    step = 2 * 86400  # offsets change at most a few times a year; a change is then found by bisection
    pieces: list[tuple[int, int, int]] = []
    piece_start, current = start, _offset(zone, start)
    probe = start
    while probe < end:
        nxt = min(probe + step, end)
        off = _offset(zone, nxt) if nxt < end else current
        if off != current:
            lo, hi = probe, nxt  # offset(lo) == current, offset(hi) != current: find the first changed second
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _offset(zone, mid) == current:
                    lo = mid
                else:
                    hi = mid
            pieces.append((piece_start, hi, current))
            piece_start, current = hi, _offset(zone, hi)
            probe = hi
            continue
        probe = nxt
    pieces.append((piece_start, end, current))
    return tuple(pieces)
