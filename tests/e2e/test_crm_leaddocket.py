"""A campaign fed from a Lead Docket status through the public API on the whole stack: connect (the firm URL
must be one ingest may reach, and a wrong key says so), feed, report (`DoNotContact` suppresses), call
everyone, and see Lead Docket hear back (a note per call, the lead moved to the configured status once
answered, `DoNotContact` after an opt-out)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from outreach_crm_fakes.env import leaddocket_env
from outreach_crm_fakes.leaddocket import LeadDocketState, create_app
from outreach_devstack.stack import Stack

from tests.e2e.stacks import ALWAYS, api_client, crm_fixture, finished_sync, start_until_exited
from tests.waiting import until

pytestmark = pytest.mark.e2e

LEADS = [
    {"FirstName": "Ada", "LastName": "Lovelace", "Phone": "(212) 555-0123", "CaseType": "Auto"},
    {"FirstName": "Grace", "MobilePhone": "+1 415 555 0134", "CaseType": "Auto"},
    {"FirstName": "Opted", "Phone": "+1 646 555 0156", "CaseType": "Auto", "DoNotContact": True},
    {"FirstName": "Other", "Phone": "+1 312 555 0145", "CaseType": "Slip and fall"},
]


crm = crm_fixture(LeadDocketState, create_app, leaddocket_env)


def test_a_lead_docket_status_feeds_a_campaign_and_hears_back(crm: tuple[str, LeadDocketState, Stack]) -> None:
    url, fake, stack = crm
    ids = httpx.post(f"{url}/_fake/leads", json={"leads": LEADS, "page_size": 2}).json()["ids"]
    key = httpx.post(f"{url}/_fake/key").json()["key"]
    with api_client(stack) as http:
        elsewhere = {"kind": "leaddocket", "name": "F", "token": key, "base_url": "http://169.254.169.254"}
        assert http.post("/crm/connections", json=elsewhere).status_code == 422
        wrong = http.post("/crm/connections", json={**elsewhere, "base_url": url, "token": "not-the-key"}).json()
        assert wrong["status"] == "broken" and "refused" in wrong["problem"]
        body = {"kind": "leaddocket", "name": "Firm", "token": key, "base_url": url, "status_after_call": "Contacted"}
        connection = http.post("/crm/connections", json=body).raise_for_status().json()
        assert connection["status"] == "connected"

        spec = {"name": "from Lead Docket", "flow": [{"kind": "phone", "agent_id": "agt_1"}], "window": ALWAYS}
        campaign = http.post("/campaigns", json=spec).raise_for_status().json()
        source = {"status": "New", "case_type": "Auto"}
        feed = http.post("/crm/feeds", json={"connection_id": connection["id"], "campaign_id": campaign["id"],
                                             "source": source}).raise_for_status().json()  # fmt: skip

        sync = finished_sync(http, feed)
        assert (sync["status"], sync["fetched"], sync["imported"], sync["crm_suppressed"], sync["requests"]) == (
            "completed", 3, 2, 1, 2), sync  # fmt: skip

        start_until_exited(http, campaign, 2)

        def heard() -> dict[str, Any] | None:
            state = httpx.get(f"{url}/_fake/state").json()
            done = all(state["notes"].get(i) and state["leads"][i]["Status"] == "Contacted" for i in ids[:2])
            return state if done else None  # the note and the status are two requests to the CRM

        state = until(heard, timeout=60, what="a note and the status after the call, per call")
        assert [state["leads"][i]["Status"] for i in ids[:4]] == ["Contacted", "Contacted", "New", "New"]

        http.post("/dnc", json={"phones": ["+12125550123"]}).raise_for_status()
        until(lambda: httpx.get(f"{url}/_fake/state").json()["leads"][ids[0]]["DoNotContact"] is True, timeout=60,
              what="DoNotContact written back")  # fmt: skip

        httpx.post(f"{url}/_fake/revoke", json={"key": key}).raise_for_status()  # the firm deleted the key
        again = http.post(f"/crm/feeds/{feed['id']}/sync").raise_for_status().json()
        failed = until(lambda: (s := http.get(f"/crm/syncs/{again['id']}").json())["status"] == "failed" and s,
                       timeout=60, what="the sync refused")  # fmt: skip
        assert "refused" in failed["error"] and "Traceback" not in failed["error"], failed
        checked = http.post(f"/crm/connections/{connection['id']}/check").raise_for_status().json()
        assert checked["status"] == "broken" and "refused" in checked["problem"], checked
    assert fake.violations == []
