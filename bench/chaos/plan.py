"""What the chaos run does: its campaign, its contacts and the simulated network."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from outreach_twilio_sim.scenario import mix

# Monday 2026-03-09, 13:30 UTC: 09:30 in New York, 06:30 in Los Angeles, 03:30 in Honolulu
START = datetime(2026, 3, 9, 13, 30, tzinfo=UTC)
AREAS = {  # area code -> where (several zones, states with their own rules among them)
    "212": "New York",
    "305": "Florida",
    "310": "California",
    "512": "Texas",
    "312": "Illinois",
    "401": "Rhode Island",
    "602": "Arizona",
    "808": "Hawaii",
    "907": "Alaska",
    "215": "Pennsylvania",
}
NUMBER = "+12125550100"  # the workspace's caller id and SMS sender; replies come to it

WINDOW: dict[str, Any] = {
    "days": ["mon", "tue", "wed", "thu", "fri"],
    "start": "09:00",
    "end": "19:00",
    "timezone": {"primary": "contact", "fallback": "America/Los_Angeles"},
    "holiday_presets": ["us_federal"],
    "compliance": "us_tcpa",
}
SMS_WINDOW = {"start": "13:00", "end": "17:00"}
FLOW: list[dict[str, Any]] = [
    {"kind": "phone", "agent_id": "agt"},
    {"kind": "phone", "agent_id": "agt", "delay": {"amount": 1, "unit": "days"}},
    {
        "kind": "sms",
        "body": "Hi {{ first_name }}, sorry we missed you. Reply STOP to opt out.",
        "when_previous": ["no_answer", "busy", "voicemail"],
        "window": SMS_WINDOW,
    },
]
CALL_MIX = mix(("answered_human", 0.8, 1.5, 3), ("voicemail", 1.2, 0.8, 2),
           ("no_answer", 1.5, None, 4), ("busy", 0.3, None, 1))  # fmt: skip
SCENARIO: dict[str, Any] = {"seed": 11, "distribution": CALL_MIX}


@dataclass(frozen=True)
class Contact:
    """One row of the chaos run's file."""

    phone: str
    first_name: str


def contacts(n: int) -> list[Contact]:
    """`n` contacts with distinct numbers spread over the area codes."""
    areas = list(AREAS)
    return [Contact(phone=f"+1{areas[i % len(areas)]}555{i // len(areas):04d}", first_name=f"C{i}") for i in range(n)]


def csv_bytes(rows: list[Contact]) -> bytes:
    """The CSV the run imports."""
    return ("phone,first_name\n" + "".join(f"{c.phone},{c.first_name}\n" for c in rows)).encode()


def opt_outs(rows: list[Contact], share: float, rng: random.Random) -> tuple[list[str], list[str]]:
    """Numbers that will reply STOP, and numbers that will be put on the do-not-call list, during the run."""
    chosen = rng.sample([c.phone for c in rows], k=2 * max(1, int(len(rows) * share)))
    half = len(chosen) // 2
    return chosen[:half], chosen[half:]
