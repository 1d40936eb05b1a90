"""`next_eligible`: the first instant at or after a moment when a contact may be reached.

An instant is eligible when, read in each of the window's zones, it falls on an allowed weekday, inside the
daily range (end exclusive), on a date that is not blacked out; and, read in each of the contact's own zones,
inside the compliance floor. Local times that do not exist are never eligible; repeated ones are eligible
twice. The work is done on intervals of UTC seconds, so contacts sharing zones, state and window share it.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from outreach_contracts.window import WEEKDAYS, ContactWindow, TimeRange, minutes_of

from outreach_windows.compliance import compliance_floor, contact_states
from outreach_windows.days import blackout_set
from outreach_windows.intervals import Interval, intersect, offset_pieces
from outreach_windows.state_rules import Hours
from outreach_windows.zones import contact_zones

HORIZON = timedelta(days=400)
DAY = 86400
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class ContactInfo:
    """What the scheduling core needs to know of a contact."""

    timezone: str | None = None
    phone: str | None = None
    state: str | None = None


@dataclass(frozen=True, slots=True)
class _Rule:
    """One zone's rule: minutes [start, end) per weekday (Monday first; None: not that day), blacked-out
    dates and holiday presets."""

    zone: str
    week: tuple[Hours, ...]
    blackout: tuple[date, ...] = ()
    presets: tuple[str, ...] = ()


def resolve_zones(window: ContactWindow, contact: ContactInfo) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(zones the window is read in, zones the compliance floor is read in)."""
    own = contact_zones(timezone=contact.timezone, phone=contact.phone) or (window.timezone.fallback,)
    primary = window.timezone.primary
    return (own if primary == "contact" else (primary,)), own


def _rules(window: ContactWindow, contact: ContactInfo, step_window: TimeRange | None) -> tuple[_Rule, ...] | None:
    window_zones, floor_zones = resolve_zones(window, contact)
    start, end = minutes_of(window.start), minutes_of(window.end)
    if step_window is not None:
        start, end = max(start, minutes_of(step_window.start)), min(end, minutes_of(step_window.end))
    if start >= end:
        return None
    week = tuple((start, end) if day in window.days else None for day in WEEKDAYS)
    blackout = tuple(sorted(set(window.blackout_dates)))
    presets = tuple(sorted(set(window.holiday_presets)))
    rules = [_Rule(z, week, blackout, presets) for z in window_zones]
    floor = compliance_floor(window.compliance, contact_states(contact.state, contact.phone))
    if floor is not None:
        banned = tuple(f"us_state:{state}" for state in floor.holiday_states)
        rules += [_Rule(z, floor.week, (), banned) for z in floor_zones]
    return tuple(rules)


def _rule_intervals(rule: _Rule, lo: int, hi: int) -> list[Interval]:
    years = range((_EPOCH + timedelta(seconds=lo - DAY)).year, (_EPOCH + timedelta(seconds=hi + DAY)).year + 1)
    blackout = blackout_set(rule.blackout, rule.presets, years) if (rule.blackout or rule.presets) else frozenset()
    out: list[Interval] = []
    for p0, p1, off in offset_pieces(rule.zone, lo, hi):
        for day in range((p0 + off) // DAY, (p1 - 1 + off) // DAY + 1):
            hours = rule.week[(day + 3) % 7]  # 1970-01-01 was a Thursday
            if hours is None:
                continue
            if blackout and _EPOCH + timedelta(days=day) in blackout:
                continue
            s = max(day * DAY + hours[0] * 60 - off, p0)
            e = min(day * DAY + hours[1] * 60 - off, p1)
            if s < e:
                if out and out[-1][1] == s:
                    out[-1] = (out[-1][0], e)
                else:
                    out.append((s, e))
    return out


@lru_cache(maxsize=8192)
def _eligible_intervals(rules: tuple[_Rule, ...], lo_day: int, days: int) -> tuple[list[Interval], list[int]]:
    lo, hi = lo_day * DAY, (lo_day + days) * DAY
    merged: list[Interval] = [(lo, hi)]
    for rule in rules:
        merged = intersect(merged, _rule_intervals(rule, lo, hi))
        if not merged:
            break
    return merged, [end for _, end in merged]


def _first_at_or_after(intervals: list[Interval], ends: list[int], after: datetime) -> datetime | None:
    ts = after.timestamp()
    i = bisect.bisect_right(ends, math.floor(ts))
    while i < len(intervals) and intervals[i][1] <= ts:
        i += 1
    if i == len(intervals):
        return None
    start = intervals[i][0]
    result = after if start <= ts else datetime.fromtimestamp(start, UTC)
    return result if result - after <= HORIZON else None


def next_eligible(
    after: datetime, window: ContactWindow, contact: ContactInfo, step_window: TimeRange | None = None
) -> datetime | None:
    """First eligible instant at or after `after` (aware), or None when none within 400 days."""
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    after = after.astimezone(UTC)
    rules = _rules(window, contact, step_window)
    if rules is None:
        return None
    lo_day = math.floor(after.timestamp() / DAY) - 1
    intervals, ends = _eligible_intervals(rules, lo_day, HORIZON.days + 3)
    return _first_at_or_after(intervals, ends, after)


def finder(
    window: ContactWindow, contact: ContactInfo, step_window: TimeRange | None, *, start: datetime, days: int
) -> Callable[[datetime], datetime | None]:
    """`next_eligible` for one contact (and every contact sharing its zones and state) from `start` over
    `days`, with the interval work done once: each call is one binary search (forecasts, simulations)."""
    rules = _rules(window, contact, step_window)
    if rules is None:
        return lambda after: None
    intervals, ends = _eligible_intervals(rules, math.floor(start.timestamp() / DAY) - 1, days + HORIZON.days + 3)
    return lambda after: _first_at_or_after(intervals, ends, after.astimezone(UTC))


def next_eligible_batch(
    afters: list[datetime], window: ContactWindow, contacts: list[ContactInfo], step_window: TimeRange | None = None
) -> list[datetime | None]:
    """`next_eligible` for many contacts; contacts sharing zones and state share the interval work."""
    if len(afters) != len(contacts):
        raise ValueError("afters and contacts differ in length")
    if not afters:
        return []
    lo_day = math.floor(min(a.timestamp() for a in afters) / DAY) - 1
    hi_day = math.floor(max(a.timestamp() for a in afters) / DAY) + HORIZON.days + 3
    by_rules: dict[tuple[_Rule, ...] | None, tuple[list[Interval], list[int]]] = {}
    rules_of: dict[ContactInfo, tuple[_Rule, ...] | None] = {}
    out: list[datetime | None] = []
    for after, contact in zip(afters, contacts, strict=True):
        rules = rules_of.get(contact)
        if rules is None and contact not in rules_of:
            rules = rules_of[contact] = _rules(window, contact, step_window)
        if rules is None:
            out.append(None)
            continue
        found = by_rules.get(rules)
        if found is None:
            found = by_rules[rules] = _eligible_intervals(rules, lo_day, hi_day - lo_day)
        out.append(_first_at_or_after(found[0], found[1], after.astimezone(UTC)))
    return out


def is_eligible(
    instant: datetime, window: ContactWindow, contact: ContactInfo, step_window: TimeRange | None = None
) -> bool:
    """True when `instant` itself is eligible (the dialer's and messenger's last check before sending)."""
    return next_eligible(instant, window, contact, step_window) == instant.astimezone(UTC)


def next_eligible_columns(
    afters: npt.NDArray[np.float64],
    groups: npt.NDArray[np.int64],
    contacts: list[ContactInfo],
    window: ContactWindow,
    step_window: TimeRange | None = None,
) -> npt.NDArray[np.float64]:
    """Vectorised `next_eligible` for large batches, in epoch seconds (NaN: none within 400 days).

    `contacts[g]` describes every contact whose `groups` entry is g (same zones and state share the answer),
    so the interval work is done once per group and each contact costs one binary search.
    """
    out = np.full(afters.shape, np.nan)
    if afters.size == 0:
        return out
    lo_day = math.floor(float(afters.min()) / DAY) - 1
    days = math.floor(float(afters.max()) / DAY) + HORIZON.days + 3 - lo_day
    horizon = HORIZON.total_seconds()
    for group in np.unique(groups):
        rules = _rules(window, contacts[int(group)], step_window)
        if rules is None:
            continue
        intervals, _ = _eligible_intervals(rules, lo_day, days)
        if not intervals:
            continue
        starts = np.fromiter((s for s, _ in intervals), dtype=np.float64, count=len(intervals))
        ends = np.fromiter((e for _, e in intervals), dtype=np.float64, count=len(intervals))
        mask = groups == group
        ts = afters[mask]
        index = np.searchsorted(ends, ts, side="right")  # first interval ending after ts
        found = index < len(ends)
        clipped = np.minimum(index, len(ends) - 1)
        result = np.where(found, np.maximum(starts[clipped], ts), np.nan)
        out[mask] = np.where(result - ts <= horizon, result, np.nan)
    return out
