"""Call -> SMS if not answered, on the whole stack; then one STOP reply exits the contact from two campaigns
of the workspace at once (and the do-not-call list holds the number)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from outreach_devstack.stack import Stack

from tests.conftest import Infra
from tests.e2e.stacks import ALWAYS, api_client, isolated_stack, launch, wait_for

pytestmark = pytest.mark.e2e

CSV = b"phone,first_name\n+1 212 555 0161,Ava\n+1 212 555 0162,Ben\n"


@pytest.fixture
def stack(infra: Infra, run_id: str, tmp_path: Path) -> Iterator[Stack]:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps({"default": {"outcome": "no_answer", "ring_s": 0.05}}))
    with isolated_stack(infra, run_id, {"OUTREACH_SIM_SCENARIO_FILE": str(scenario)}) as s:
        yield s


def test_stop_reply_exits_the_contact_from_every_campaign(stack: Stack, infra: Infra, run_id: str) -> None:
    follow_up = {"kind": "sms", "body": "Still there, {{ first_name }}?", "delay": {"amount": 2, "unit": "days"}}
    flows = {
        "calls": [
            {"kind": "phone", "agent_id": "agt"},
            {
                "kind": "sms",
                "body": "Hi {{ first_name }}, we tried to call you.",
                "when_previous": ["no_answer", "busy"],
            },
            follow_up,
        ],
        "reminders": [{**follow_up, "delay": {"amount": 1, "unit": "days"}}],
    }
    with api_client(stack) as http:
        ids = {}
        for name, flow in flows.items():
            spec = {"name": name, "window": ALWAYS, "flow": flow}
            campaign = launch(http, stack, spec, CSV, {"to_number": "phone", "first_name": "first_name"})
            ids[name] = campaign["id"]

        def texted() -> bool:
            log = http.get(f"{stack.url('twilio-sim')}/_sim/log").json()
            return {e["to"] for e in log if e["kind"] == "sms"} >= {"+12125550161", "+12125550162"}

        wait_for(texted)  # both calls went unanswered, so the SMS step ran for both
        log = http.get(f"{stack.url('twilio-sim')}/_sim/log").json()
        assert sorted(e["to"] for e in log if e["kind"] == "call") == ["+12125550161", "+12125550162"]
        assert {e["body"] for e in log if e["kind"] == "sms"} == {
            "Hi Ava, we tried to call you.",
            "Hi Ben, we tried to call you.",
        }

        def contacts() -> list[dict[str, Any]]:
            return [row for cid in ids.values() for row in http.get(f"/campaigns/{cid}/contacts").json()["items"]]

        def queued_everywhere() -> bool:
            return sum(1 for row in contacts() if row["state"] == "queued") == 4

        wait_for(queued_everywhere)  # each contact waits for a later step in both campaigns

        reply = http.post(
            f"{stack.url('twilio-sim')}/_sim/sms/inbound",
            json={
                "webhook_url": f"{stack.url('gateway')}/webhooks/twilio/messages/inbound",
                "from": "+12125550161",
                "to": "+12125550100",
                "body": "Stop.",
            },
        )
        assert reply.json()["status"] == 200

        def exited() -> bool:
            rows = [r for r in contacts() if r["phone"] == "+12125550161"]
            return len(rows) == 2 and all(r["state"] == "exited" and r.get("reason") == "opted_out" for r in rows)

        wait_for(exited, timeout=60)  # from both campaigns
        assert sum(1 for r in contacts() if r["phone"] == "+12125550162" and r["state"] == "queued") == 2

        def on_dnc() -> bool:
            return http.get("/dnc/+12125550161").status_code == 200

        wait_for(on_dnc, timeout=60)
        assert http.get("/dnc/+12125550161").json()["source"] == "opt_out:sms"
