"""Compliance floors: the hours a contact may be called, by profile and US state (with the statute)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from outreach_windows.places import place_of


@dataclass(frozen=True, slots=True)
class StateRule:
    """Stricter calling hours (local, end exclusive) and a per-24h cap for one US state."""

    start_minute: int
    end_minute: int
    max_calls_per_24h: int | None
    statute: str


TCPA_START = 8 * 60
TCPA_END = 21 * 60
"""47 C.F.R. § 64.1200(c)(1): no telephone solicitation before 8 a.m. or after 9 p.m. local time."""

STATE_RULES: dict[str, StateRule] = {
    "FL": StateRule(8 * 60, 20 * 60, 3, "Fla. Stat. § 501.059(8)(a) (Florida Telephone Solicitation Act)"),
    "OK": StateRule(8 * 60, 20 * 60, 3, "Okla. Stat. tit. 15, § 775C.4 (Oklahoma Telephone Solicitation Act)"),
    "MD": StateRule(8 * 60, 20 * 60, 3, "Md. Code, Com. Law § 14-4503 (Stop the Spam Calls Act of 2023)"),
}


def contact_states(state: str | None, phone: str | None) -> tuple[str, ...]:
    """The states whose rules apply to a contact: the one given (a mapped `state` column) and the one its
    number belongs to; where they differ both apply, so the stricter rule wins."""
    found = {s.strip().upper() for s in (state,) if s and s.strip()}
    if phone:
        own = place_of(phone).state
        if own:
            found.add(own)
    return tuple(sorted(found))


def compliance_hours(profile: str, states: Sequence[str]) -> tuple[int, int] | None:
    """Allowed [start, end) minutes of the day for `profile` and the contact's `states`, or None when
    unrestricted (every state's hours apply at once)."""
    if profile == "none":
        return None
    start, end = TCPA_START, TCPA_END
    for state in states:
        rule = STATE_RULES.get(state.upper())
        if rule is not None:
            start, end = max(start, rule.start_minute), min(end, rule.end_minute)
    return start, end


def max_calls_per_24h(profile: str, states: Sequence[str]) -> int | None:
    """Per-contact, per-campaign cap of calls in 24 hours: the lowest any of the contact's states sets."""
    if profile == "none":
        return None
    caps = [r.max_calls_per_24h for s in states if (r := STATE_RULES.get(s.upper())) and r.max_calls_per_24h]
    return min(caps) if caps else None
