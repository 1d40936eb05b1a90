"""One campaign from CSV to exits: five services as separate processes over the real broker and database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from outreach_devstack.stack import Stack

from tests.conftest import Infra
from tests.e2e.stacks import api_client, isolated_stack
from tests.waiting import until

pytestmark = pytest.mark.e2e

CSV = b"""first_name,last_name,phone
Ada,Lovelace,(212) 555-0123
Grace,Hopper,+1 415 555 0134
Alan,Turing,312.555.0145
"""


@pytest.fixture
def stack(infra: Infra, run_id: str) -> Iterator[Stack]:
    """All five services, the simulator and the SMTP sink, isolated by topic prefix, databases and ports."""
    with isolated_stack(infra, run_id) as s:
        yield s


def test_three_contacts_are_called_and_exit_answered(stack: Stack) -> None:
    with api_client(stack) as http:
        spec = {
            "name": "skeleton",
            "flow": [{"kind": "phone", "agent_id": "agt_1"}],
            "window": {
                "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                "start": "00:00",
                "end": "24:00",
                "compliance": "none",
            },
        }
        campaign = http.post("/campaigns", json=spec).raise_for_status().json()
        assert campaign["status"] == "draft"
        started = http.post(f"/campaigns/{campaign['id']}/start").raise_for_status()
        assert started.json()["status"] == "active"
        job = (
            http.post(
                "/imports", data={"campaign_id": campaign["id"]}, files={"file": ("contacts.csv", CSV, "text/csv")}
            )
            .raise_for_status()
            .json()
        )

        def all_exited() -> dict[str, Any] | None:
            view: dict[str, Any] = http.get(f"/campaigns/{campaign['id']}/overview").json()
            return view if view.get("exited") == 3 else None  # (a 404 until metrics has seen the start)

        overview = until(all_exited, timeout=90, what="every contact exited")
        assert overview["total"] == 3
        assert overview["exited"] == 3
        assert overview["exited_by_reason"] == {"answered": 3, "opted_out": 0, "unreachable": 0, "stopped": 0}
        assert http.get(f"/imports/{job['id']}").json()["imported"] == 3

        calls = http.get("/calls", params={"campaign_id": campaign["id"]}).json()["items"]
        assert sorted(c["outcome"] for c in calls) == ["answered_human"] * 3
        sim_calls = http.get(f"{stack.url('twilio-sim')}/_sim/calls").json()
        assert sorted(c["to"] for c in sim_calls) == ["+12125550123", "+13125550145", "+14155550134"]

        def completed() -> bool:
            return bool(http.get(f"/campaigns/{campaign['id']}").json()["status"] == "completed")

        until(completed, timeout=30, what="the campaign completed")
