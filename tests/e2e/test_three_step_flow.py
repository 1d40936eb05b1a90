"""A three-step flow (call, a day later call, SMS if not answered) for contacts in several zones, on a virtual
clock shared by all five services: no step is dispatched or dialed outside its contact's window."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from outreach_common.clock import OffsetClock
from outreach_contracts.calls import CallPlaced, PlaceCall
from outreach_contracts.messages import SendSms
from outreach_devstack.stack import Stack
from outreach_windows import ContactInfo, is_eligible

from tests.conftest import Infra
from tests.e2e.stacks import api_client, isolated_stack, launch
from tests.integration.helpers import read_messages
from tests.waiting import until

pytestmark = pytest.mark.e2e

CSV = b"""first_name,phone,state
Nora,+1 212 555 0123,NY
Liam,+1 310 555 0123,CA
Hana,+1 808 555 0123,HI
Finn,+1 305 555 0123,FL
"""
START = datetime(2026, 3, 6, 21, 30, tzinfo=UTC)  # Friday evening in New York, after the window


@pytest.fixture
def clock_stack(infra: Infra, run_id: str, tmp_path: Path) -> Iterator[tuple[Stack, OffsetClock]]:
    clock_file = tmp_path / "clock"
    clock = OffsetClock(clock_file)
    clock.shift((START - datetime.now(UTC)).total_seconds())
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps({"default": {"outcome": "no_answer", "ring_s": 0.05}}))
    env = {"OUTREACH_CLOCK_FILE": str(clock_file), "OUTREACH_SIM_SCENARIO_FILE": str(scenario)}
    with isolated_stack(infra, run_id, env) as s:
        yield s, clock


def test_steps_only_go_out_inside_each_contacts_window(
    clock_stack: tuple[Stack, OffsetClock], infra: Infra, run_id: str
) -> None:
    stack, clock = clock_stack
    window = {
        "days": ["mon", "tue", "wed", "thu", "fri"],
        "start": "09:00",
        "end": "17:00",
        "timezone": {"primary": "contact", "fallback": "America/New_York"},
        "holiday_presets": ["us_federal"],
    }
    flow = [
        {"kind": "phone", "agent_id": "agt"},
        {"kind": "phone", "agent_id": "agt", "delay": {"amount": 1, "unit": "days"}},
        {
            "kind": "sms",
            "body": "Hi {{ first_name }}, sorry we missed you.",
            "when_previous": ["no_answer", "busy"],
            "window": {"start": "13:00", "end": "17:00"},
        },
    ]
    with api_client(stack) as http:
        spec = {"name": "three steps", "window": window, "flow": flow}
        mapping = {"to_number": "phone", "first_name": "first_name", "state": "state"}
        campaign = launch(http, stack, spec, CSV, mapping)
        contacts = f"/campaigns/{campaign['id']}/contacts"

        def all_completed() -> bool:
            """True once the four contacts completed; meanwhile, when nothing is in flight, the shared clock
            jumps to the earliest due step (nothing would happen before it)."""
            rows = http.get(contacts).raise_for_status().json()["items"]
            if len(rows) == 4 and all(r["state"] == "completed" for r in rows):
                return True
            queued = [datetime.fromisoformat(r["due_at"]) for r in rows if r["state"] == "queued" and r["due_at"]]
            if len(rows) == 4 and queued and not any(r["state"] == "active" for r in rows):
                earliest = min(queued)
                if earliest > clock.now():
                    clock.shift((earliest - clock.now()).total_seconds() + 0.5)
            return False

        until(all_completed, timeout=150, what="the four contacts completed")
        rows = http.get(contacts).raise_for_status().json()["items"]
    assert [r["state"] for r in rows] == ["completed"] * 4
    assert all(r["timezone"] for r in rows)

    topics_prefix = f"{run_id}."
    calls = asyncio.run(
        read_messages(infra.kafka_bootstrap, f"{topics_prefix}outreach.commands.calls.v1", count=8, timeout=10)
    )
    sms = asyncio.run(
        read_messages(infra.kafka_bootstrap, f"{topics_prefix}outreach.commands.messages.v1", count=4, timeout=10)
    )
    placed = [
        m
        for m in asyncio.run(read_messages(infra.kafka_bootstrap, f"{topics_prefix}outreach.calls.v1", count=16))
        if isinstance(m, CallPlaced)
    ]
    # at-least-once: a republished message is the same message (same event id); count each once
    calls = list({c.event_id: c for c in calls}.values())
    placed = list({p.event_id: p for p in placed}.values())
    assert len(calls) == 8 and len(sms) == 4 and len(placed) == 8
    contacts = {c.contact_id: c for c in calls if isinstance(c, PlaceCall)}
    for command in [*calls, *sms]:
        assert isinstance(command, PlaceCall | SendSms)
        info = ContactInfo(phone=command.contact.phone, state=command.contact.state)
        step_window = command.step_window if isinstance(command, PlaceCall) else None
        assert is_eligible(command.occurred_at, command.window, info, step_window), command
    for event in placed:
        command = contacts[event.contact_id]
        assert is_eligible(
            event.occurred_at, command.window, ContactInfo(phone=command.contact.phone, state=command.contact.state)
        )
    for message in sms:  # the SMS step's own window: 13:00-17:00 local
        local_hour = message.occurred_at.astimezone(__import__("zoneinfo").ZoneInfo(_zone(message.contact.phone))).hour
        assert 13 <= local_hour < 17
    by_contact: dict[str, list[datetime]] = {}
    for command in calls:
        by_contact.setdefault(command.contact_id, []).append(command.occurred_at)
    for first, second in by_contact.values():
        assert second - first >= timedelta(days=1)  # "1 day after the previous step"


def _zone(phone: str) -> str:
    from outreach_windows.zones import zones_for_phone

    return zones_for_phone(phone)[0]
