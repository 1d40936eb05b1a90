"""Compliance floors: when a contact may be called, by profile and US state (rows in `state_rules`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from outreach_windows.places import place_of
from outreach_windows.state_rules import STATE_RULES, TCPA, WEEK, Hours


@dataclass(frozen=True, slots=True)
class Floor:
    """Allowed local hours per weekday (Monday first; None: no calls that day) and the states whose legal
    holidays are banned."""

    week: tuple[Hours, ...]
    holiday_states: tuple[str, ...] = ()


def contact_states(state: str | None, phone: str | None) -> tuple[str, ...]:
    """The states whose rules apply to a contact: the one given (a mapped `state` column) and the one its
    number belongs to; where they differ both apply, so the stricter rule wins."""
    found = {s.strip().upper() for s in (state,) if s and s.strip()}
    if phone:
        own = place_of(phone).state
        if own:
            found.add(own)
    return tuple(sorted(found))


def _narrower(a: Hours, b: Hours) -> Hours:
    if a is None or b is None:
        return None
    start, end = max(a[0], b[0]), min(a[1], b[1])
    return (start, end) if start < end else None


def compliance_floor(profile: str, states: Sequence[str]) -> Floor | None:
    """What `profile` and the contact's `states` allow (every state's rules at once), or None when
    unrestricted."""
    if profile == "none":
        return None
    week = list(TCPA.week)
    holiday_states: list[str] = []
    for state in sorted({s.upper() for s in states}):
        row = STATE_RULES.get(state)
        if row is None:
            continue
        week = [_narrower(week[d], row.week[d]) for d in range(WEEK)]
        if row.holidays:
            holiday_states.append(state)
    return Floor(tuple(week), tuple(holiday_states))


def max_calls_per_24h(profile: str, states: Sequence[str]) -> int | None:
    """Per-contact, per-campaign cap of calls in 24 hours: the lowest any of the contact's states sets."""
    if profile == "none":
        return None
    caps = [r.max_calls_per_24h for s in states if (r := STATE_RULES.get(s.upper())) and r.max_calls_per_24h]
    return min(caps) if caps else None
