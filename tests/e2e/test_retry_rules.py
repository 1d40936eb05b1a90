"""The scheduler's retry rules react to the dialer's busy / no-answer / voicemail outcomes, end to end."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from outreach_devstack.stack import Stack

from tests.conftest import Infra
from tests.e2e.stacks import ALWAYS, api_client, isolated_stack, launch
from tests.waiting import until

pytestmark = pytest.mark.e2e
CSV = b"phone\n+1 212 555 0181\n+1 212 555 0182\n+1 212 555 0183\n+1 212 555 0184\n"
SCENARIO = {
    "numbers": {
        "+12125550181": {"outcome": "busy"},
        "+12125550182": {"outcome": "no_answer"},
        "+12125550183": {"outcome": "voicemail"},
        "+12125550184": {"outcome": "answered_human"},
    }
}


@pytest.fixture
def stack(infra: Infra, run_id: str, tmp_path: Path) -> Iterator[Stack]:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(SCENARIO))
    with isolated_stack(infra, run_id, {"OUTREACH_SIM_SCENARIO_FILE": str(scenario)}) as s:
        yield s


def test_retry_rules_follow_call_outcomes(stack: Stack, infra: Infra, run_id: str) -> None:
    now = {"amount": 0, "unit": "minutes"}
    step = {
        "kind": "phone",
        "agent_id": "agt",
        "machine_detection": "DetectMessageEnd",
        "retries": {
            "busy": {"delay": now, "max_retries": 2},
            "no_answer": {"delay": now, "max_retries": 1},
            "voicemail": {"delay": now, "max_retries": 1},
        },
    }
    with api_client(stack) as http:
        spec = {"name": "retries", "flow": [step], "window": ALWAYS}
        campaign = launch(http, stack, spec, CSV)

        def all_done() -> list[dict[str, Any]] | None:
            rows: list[dict[str, Any]] = http.get(f"/campaigns/{campaign['id']}/contacts").json()["items"]
            return rows if len(rows) == 4 and all(r["state"] in ("completed", "exited") for r in rows) else None

        docs = until(all_done, timeout=120, what="every contact done")
        log = http.get(f"{stack.url('twilio-sim')}/_sim/log").json()
    states = {d["phone"]: (d["state"], d.get("reason")) for d in docs}
    assert states["+12125550184"] == ("exited", "answered")
    assert {states[p][0] for p in ("+12125550181", "+12125550182", "+12125550183")} == {"completed"}
    calls = Counter(e["to"] for e in log if e["kind"] == "call")
    assert calls == {"+12125550181": 3, "+12125550182": 2, "+12125550183": 2, "+12125550184": 1}
