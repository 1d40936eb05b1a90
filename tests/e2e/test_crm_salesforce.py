"""A campaign fed from Salesforce through the public API on the whole stack: connect by the OAuth web server
flow, feed Contacts by a filter, report (`DoNotCall` suppresses), call everyone, and see Salesforce hear
back (a completed Task per call on the right Contact, `DoNotCall` after an opt-out)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from outreach_crm_fakes.env import salesforce_env
from outreach_crm_fakes.salesforce import SalesforceState, create_app
from outreach_devstack.stack import Stack

from tests.e2e.stacks import ALWAYS, api_client, crm_fixture, finished_sync, start_until_exited
from tests.waiting import until

pytestmark = pytest.mark.e2e

CONTACTS = [
    {"FirstName": "Ada", "LastName": "Lovelace", "Phone": "+1 212 555 0123", "LeadSource": "Web"},
    {"FirstName": "Grace", "LastName": "Hopper", "MobilePhone": "(415) 555-0134", "LeadSource": "Web"},
    {"FirstName": "Opted", "LastName": "Out", "Phone": "+1 646 555 0156", "LeadSource": "Web", "DoNotCall": True},
    {"FirstName": "Other", "LastName": "Source", "Phone": "+1 312 555 0145", "LeadSource": "Phone"},
]


crm = crm_fixture(SalesforceState, create_app, salesforce_env)


def test_salesforce_contacts_feed_a_campaign_and_hear_back(crm: tuple[str, SalesforceState, Stack]) -> None:
    url, fake, stack = crm
    ids = httpx.post(f"{url}/_fake/records", json={"object": "Contact", "records": CONTACTS}).json()["ids"]
    with api_client(stack) as http:
        assert (
            http.post("/crm/connections", json={"kind": "salesforce", "name": "S", "token": "x" * 10}).status_code
            == 422
        )
        start = http.get("/crm/oauth/salesforce/start", params={"name": "Org"}).raise_for_status().json()
        back = httpx.get(start["authorize_url"], follow_redirects=False).headers["location"]
        landed = http.get(back.removeprefix(stack.api), follow_redirects=False)
        assert landed.status_code == 303 and "connected=crm_" in landed.headers["location"]
        [connection] = http.get("/crm/connections").json()
        assert (connection["kind"], connection["auth"], connection["status"]) == ("salesforce", "oauth", "connected")

        spec = {"name": "from Salesforce", "flow": [{"kind": "phone", "agent_id": "agt_1"}], "window": ALWAYS}
        campaign = http.post("/campaigns", json=spec).raise_for_status().json()
        body = {
            "connection_id": connection["id"],
            "campaign_id": campaign["id"],
            "source": {"object": "Contact", "where": "LeadSource = 'Web'"},
        }
        feed = http.post("/crm/feeds", json=body).raise_for_status().json()

        sync = finished_sync(http, feed)
        assert (sync["status"], sync["fetched"], sync["imported"], sync["crm_suppressed"]) == ("completed", 3, 2, 1), (
            sync
        )

        fake_sessions = len(fake.sessions)
        httpx.post(f"{url}/_fake/expire")  # the session ends before the write-backs: refreshed, not broken
        start_until_exited(http, campaign, 2)

        def tasks() -> list[dict[str, Any]] | None:
            found = list(httpx.get(f"{url}/_fake/state").json()["objects"]["Task"].values())
            return found if len(found) == 2 else None

        found = until(tasks, timeout=60, what="a Task per call")
        assert sorted(t["WhoId"] for t in found) == sorted(ids[:2])
        assert {(t["Status"], t["CallType"], t["CallDisposition"]) for t in found} == {
            ("Completed", "Outbound", "answered human")
        }
        assert fake_sessions >= 1 and http.get("/crm/connections").json()[0]["status"] == "connected"

        http.post("/dnc", json={"phones": ["+14155550134"]}).raise_for_status()
        until(lambda: httpx.get(f"{url}/_fake/state").json()["objects"]["Contact"][ids[1]]["DoNotCall"] is True,
              timeout=60, what="DoNotCall written back")  # fmt: skip
    assert fake.malformed == []
