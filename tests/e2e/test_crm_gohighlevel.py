"""A campaign fed from a GoHighLevel tag through the public API on the whole stack: connect (the location
checked), feed, report (GoHighLevel's `dnd` suppresses), call everyone, and see GoHighLevel hear back (a
note and an outcome tag per call, `dnd` after an opt-out). The fake checks every request against
GoHighLevel's published OpenAPI documents."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from outreach_crm_fakes.env import gohighlevel_env
from outreach_crm_fakes.gohighlevel import GoHighLevelState, create_app
from outreach_crm_fakes.serve import running
from outreach_devstack.stack import Stack

from tests.conftest import Infra
from tests.e2e.stacks import ALWAYS, api_client, isolated_stack
from tests.waiting import until

pytestmark = pytest.mark.e2e

CONTACTS = [
    {"phone": "+1 212 555 0123", "firstName": "Ada", "tags": ["renewals"]},
    {"phone": "(415) 555-0134", "firstName": "Grace", "tags": ["renewals"]},
    {"phone": "+1 646 555 0156", "firstName": "Opted", "tags": ["renewals"], "dnd": True},
    {"phone": "+1 312 555 0145", "firstName": "Untagged"},
]


@pytest.fixture
def ghl() -> Iterator[tuple[str, GoHighLevelState]]:
    state = GoHighLevelState()
    with running(create_app(state)) as url:
        yield url, state


@pytest.fixture
def stack(infra: Infra, run_id: str, ghl: tuple[str, GoHighLevelState]) -> Iterator[Stack]:
    with isolated_stack(infra, run_id, extra_env=gohighlevel_env(ghl[0])) as s:
        yield s


def test_a_gohighlevel_tag_feeds_a_campaign_and_hears_back(stack: Stack, ghl: tuple[str, GoHighLevelState]) -> None:
    url, fake = ghl
    ids = httpx.post(f"{url}/_fake/contacts", json={"location_id": "loc1", "contacts": CONTACTS}).json()["ids"]
    token = httpx.post(f"{url}/_fake/token", json={"location_id": "loc1"}).json()["token"]
    with api_client(stack) as http:
        missing = http.post("/crm/connections", json={"kind": "gohighlevel", "name": "G", "token": token})
        assert missing.status_code == 422 and "location_id" in missing.text
        wrong = http.post(
            "/crm/connections", json={"kind": "gohighlevel", "name": "G", "token": token, "location_id": "loc9"}
        )
        assert wrong.json()["status"] == "broken" and "access" in wrong.json()["problem"]
        body = {"kind": "gohighlevel", "name": "Agency", "token": token, "location_id": "loc1"}
        connection = http.post("/crm/connections", json=body).raise_for_status().json()
        assert connection["status"] == "connected"

        spec = {"name": "from GoHighLevel", "flow": [{"kind": "phone", "agent_id": "agt_1"}], "window": ALWAYS}
        campaign = http.post("/campaigns", json=spec).raise_for_status().json()
        refused = http.post(
            "/crm/feeds", json={"connection_id": connection["id"], "campaign_id": campaign["id"], "source": {}}
        )
        assert refused.status_code == 422
        feed_body = {"connection_id": connection["id"], "campaign_id": campaign["id"], "source": {"tag": "renewals"}}
        feed = http.post("/crm/feeds", json=feed_body).raise_for_status().json()

        def finished() -> dict[str, Any] | None:
            sync: dict[str, Any] = http.get(f"/crm/syncs/{feed['last_sync_id']}").json()
            return sync if sync["status"] in ("completed", "failed") else None

        sync = until(finished, timeout=60, what="the sync finished")
        assert (sync["status"], sync["fetched"], sync["imported"], sync["crm_suppressed"]) == ("completed", 3, 2, 1), (
            sync
        )

        http.post(f"/campaigns/{campaign['id']}/start").raise_for_status()
        until(lambda: http.get(f"/campaigns/{campaign['id']}/overview").json().get("exited") == 2, timeout=90,
              what="both contacts called and exited")  # fmt: skip

        def heard() -> dict[str, Any] | None:
            state = httpx.get(f"{url}/_fake/state").json()
            return state if all(state["notes"].get(i) for i in ids[:2]) else None

        state = until(heard, timeout=60, what="a note per call")
        assert all("outreach-answered-human" in state["contacts"][i]["tags"] for i in ids[:2])
        assert all(len(state["notes"][i]) == 1 for i in ids[:2])

        http.post("/dnc", json={"phones": ["+14155550134"]}).raise_for_status()
        until(lambda: httpx.get(f"{url}/_fake/state").json()["contacts"][ids[1]]["dnd"] is True, timeout=60,
              what="the opt-out written back as dnd")  # fmt: skip
    assert fake.violations == []
