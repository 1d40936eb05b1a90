"""Compliance floors: the hours a contact may be called, by profile and US state (with the statute)."""

from __future__ import annotations

from dataclasses import dataclass


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


def compliance_hours(profile: str, state: str | None) -> tuple[int, int] | None:
    """Allowed [start, end) minutes of the day for `profile` and `state`, or None when unrestricted."""
    if profile == "none":
        return None
    start, end = TCPA_START, TCPA_END
    rule = STATE_RULES.get((state or "").upper())
    if rule is not None:
        start, end = max(start, rule.start_minute), min(end, rule.end_minute)
    return start, end


def max_calls_per_24h(profile: str, state: str | None) -> int | None:
    """Per-contact, per-campaign cap of calls in 24 hours, where the state sets one."""
    if profile == "none":
        return None
    rule = STATE_RULES.get((state or "").upper())
    return rule.max_calls_per_24h if rule else None
