"""The scheduling definition, checked minute by minute: slow, obvious, and the reference for the fast core."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from outreach_contracts.window import WEEKDAYS, ContactWindow, TimeRange, minutes_of
from outreach_windows.compliance import compliance_floor, contact_states
from outreach_windows.eligibility import ContactInfo, resolve_zones


@lru_cache(maxsize=256)
def _holidays(subdiv: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("US", subdiv=subdiv, years=year))


def _inside(local: datetime, start: int, end: int) -> bool:
    minute = local.hour * 60 + local.minute + local.second / 60 + local.microsecond / 60e6
    return start <= minute < end


def eligible(t: datetime, window: ContactWindow, contact: ContactInfo, step: TimeRange | None) -> bool:
    """The definition in DESIGN.md, read literally."""
    window_zones, floor_zones = resolve_zones(window, contact)
    start, end = minutes_of(window.start), minutes_of(window.end)
    if step is not None:
        start, end = max(start, minutes_of(step.start)), min(end, minutes_of(step.end))
    for name in window_zones:
        local = t.astimezone(ZoneInfo(name))
        if WEEKDAYS[local.weekday()] not in window.days or not _inside(local, start, end):
            return False
        if local.date() in window.blackout_dates:
            return False
        for preset in window.holiday_presets:
            subdiv = preset.split(":", 1)[1] if preset.startswith("us_state:") else None
            if local.date() in _holidays(subdiv, local.year):
                return False
    floor = compliance_floor(window.compliance, contact_states(contact.state, contact.phone))
    if floor is not None:
        for name in floor_zones:
            local = t.astimezone(ZoneInfo(name))
            hours = floor.week[local.weekday()]
            if hours is None or not _inside(local, *hours):
                return False
            if any(local.date() in _holidays(state, local.year) for state in floor.holiday_states):
                return False
    return True


def brute_next(
    after: datetime, window: ContactWindow, contact: ContactInfo, step: TimeRange | None, days: int
) -> datetime | None:
    """`after` if eligible, else the first eligible whole minute within `days`."""
    if eligible(after, window, contact, step):
        return after
    t = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    stop = after + timedelta(days=days)
    while t <= stop:
        if eligible(t, window, contact, step):
            return t
        t += timedelta(minutes=1)
    return None


__all__ = ["UTC", "brute_next", "eligible", "time"]
