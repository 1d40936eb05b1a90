"""Choosing a caller id or SMS sender: local presence first (area code, then state, then country), least
recently used within a tier, never over a number's caps or inside its cool-down. Pure: the caller passes the time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from outreach_windows.places import Place


@dataclass(frozen=True)
class Candidate:
    """A number in the registry with what selection needs."""

    number: str
    place: Place
    tags: frozenset[str] = frozenset()
    per_hour: int | None = None
    per_day: int | None = None
    cooldown_s: float = 0.0
    last_used_at: datetime | None = None
    uses: tuple[datetime, ...] = field(default=())  # recent call times, any order


def usable(candidate: Candidate, now: datetime) -> bool:
    """Outside its cool-down and under its hourly and daily caps."""
    if candidate.last_used_at and now - candidate.last_used_at < timedelta(seconds=candidate.cooldown_s):
        return False
    last_hour = sum(1 for t in candidate.uses if now - t < timedelta(hours=1))
    last_day = sum(1 for t in candidate.uses if now - t < timedelta(days=1))
    if candidate.per_hour is not None and last_hour >= candidate.per_hour:
        return False
    return candidate.per_day is None or last_day < candidate.per_day


def tier(candidate: Place, contact: Place, contact_state: str | None) -> int:
    """0 same area code, 1 same state, 2 same country, 3 elsewhere."""
    state = contact_state or contact.state
    if contact.area_code and candidate.area_code == contact.area_code:
        return 0
    if state and candidate.state == state:
        return 1
    if contact.country and candidate.country == contact.country:
        return 2
    return 3


def choose(
    candidates: Sequence[Candidate],
    *,
    contact: Place,
    contact_state: str | None,
    now: datetime,
    local_presence: bool = True,
) -> Candidate | None:
    """The best usable number for the contact, or None when every number is capped or cooling down; without
    local presence the least recently used one, wherever it is."""
    never = datetime.min.replace(tzinfo=now.tzinfo)
    ranked = sorted(
        (c for c in candidates if usable(c, now)),
        key=lambda c: (
            tier(c.place, contact, contact_state) if local_presence else 0,
            c.last_used_at or never,
            c.number,
        ),
    )
    return ranked[0] if ranked else None
