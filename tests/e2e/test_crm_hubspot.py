"""A campaign fed from HubSpot, through the public API on the whole stack: connect (and a refused token
says why), feed a list into a campaign, read the sync's report, call everyone, and see HubSpot hear back
(a call engagement per call on the right contact, the do-not-call flag after an opt-out); then an
incremental sync takes only what changed. The fake HubSpot checks every request against HubSpot's
published OpenAPI documents."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from outreach_cli.main import app
from outreach_crm_fakes.env import hubspot_env
from outreach_crm_fakes.hubspot import HubSpotState, create_app
from outreach_crm_fakes.serve import served
from outreach_devstack.stack import Stack
from outreach_ingest.domain.hubspot_signature import signature
from typer.testing import CliRunner

from tests.conftest import Infra
from tests.e2e.stacks import ALWAYS, api_client, crm_fixture, isolated_stack, new_workspace
from tests.waiting import until

pytestmark = pytest.mark.e2e

CONTACTS = [
    {"phone": "(212) 555-0123", "firstname": "Ada", "lastname": "Lovelace", "plan_tier": "gold"},
    {"phone": "+1 415 555 0134", "firstname": "Grace", "hs_timezone": "america_slash_los_angeles"},
    {"phone": "312.555.0145", "firstname": "Alan"},
    {"phone": "12", "firstname": "Bad"},  # not a phone number
    {"phone": "+1 646 555 0156", "firstname": "Opted", "do_not_call": "true"},  # HubSpot says not to call
    {"phone": "+1 212 555 0123", "firstname": "Ada again"},  # the same number as the first
]


crm = crm_fixture(HubSpotState, create_app, hubspot_env)


def _finished(http: httpx.Client, sync_id: str) -> dict[str, Any] | None:
    sync: dict[str, Any] = http.get(f"/crm/syncs/{sync_id}").raise_for_status().json()
    return sync if sync["status"] in ("completed", "failed") else None


def test_a_hubspot_list_feeds_a_campaign_and_hears_back(crm: tuple[str, HubSpotState, Stack]) -> None:
    url, fake, stack = crm
    ids = httpx.post(f"{url}/_fake/contacts", json={"list_id": "7", "contacts": CONTACTS}).json()["ids"]
    token = httpx.post(f"{url}/_fake/private-app-token", json={}).json()["token"]
    key = new_workspace(stack)["api_key"]
    with api_client(stack, key) as http:
        refused = http.post(
            "/crm/connections", json={"kind": "hubspot", "name": "Old", "token": "pat-revoked-long-ago"}
        )
        assert refused.status_code == 201 and refused.json()["status"] == "broken"
        assert "revoked" in refused.json()["problem"]
        body = {"kind": "hubspot", "name": "Sales", "token": token, "webhook_secret": "app-secret"}
        connection = http.post("/crm/connections", json=body).json()
        assert connection["status"] == "connected" and "token" not in connection and "sealed" not in connection

        # OAuth: the consent page sends the person back to the gateway, which lands them on the console
        start = http.get("/crm/oauth/hubspot/start", params={"name": "By OAuth"}).raise_for_status().json()
        back = httpx.get(start["authorize_url"], follow_redirects=False).headers["location"]
        landed = http.get(back.removeprefix(stack.api), follow_redirects=False)
        assert landed.status_code == 303 and landed.headers["location"].startswith("/#/crm?connected=crm_")
        by_oauth = [c for c in http.get("/crm/connections").json() if c["name"] == "By OAuth"]
        assert [(c["auth"], c["status"]) for c in by_oauth] == [("oauth", "connected")]

        spec = {"name": "from HubSpot", "flow": [{"kind": "phone", "agent_id": "agt_1"}], "window": ALWAYS}
        campaign = http.post("/campaigns", json=spec).raise_for_status().json()
        body = {"connection_id": connection["id"], "campaign_id": campaign["id"], "source": {"list_id": "7"},
                "mapping": {"plan": "plan_tier"}}  # fmt: skip
        feed = http.post("/crm/feeds", json=body).raise_for_status().json()
        sync = until(lambda: _finished(http, feed["last_sync_id"]), timeout=60, what="the first sync finished")
        assert sync["status"] == "completed", sync
        assert (sync["mode"], sync["fetched"], sync["imported"]) == ("full", 6, 3)
        assert (sync["invalid"], sync["duplicates"], sync["crm_suppressed"]) == (1, 1, 1)
        verdicts = {r["record_id"]: r["status"] for r in http.get(f"/crm/syncs/{sync['id']}/records").json()}
        assert verdicts == {ids[3]: "invalid", ids[4]: "suppressed", ids[5]: "duplicate"}
        assert http.get("/dnc/+16465550156").status_code == 200  # HubSpot's flag is on the do-not-call list

        http.post(f"/campaigns/{campaign['id']}/start").raise_for_status()
        until(lambda: http.get(f"/campaigns/{campaign['id']}/overview").json().get("exited") == 3,
              timeout=90, what="every contact called and exited")  # fmt: skip

        def engagements() -> dict[str, dict[str, Any]] | None:
            calls = httpx.get(f"{url}/_fake/state").json()["calls"]
            return calls if len(calls) == 3 else None

        calls = until(engagements, timeout=60, what="a call engagement per call")
        on = sorted(c["associations"][0]["to"]["id"] for c in calls.values())
        assert on == sorted(ids[:3])
        assert {c["properties"]["hs_call_disposition"] for c in calls.values()} == {
            "f240bbac-87c9-4f6e-bf70-924b57d47db7"
        }

        http.post("/dnc", json={"phones": ["+14155550134"]}).raise_for_status()  # Grace opts out
        until(lambda: httpx.get(f"{url}/_fake/state").json()["contacts"][ids[1]].get("do_not_call") == "true",
              timeout=60, what="the opt-out written back to HubSpot")  # fmt: skip

        new = httpx.post(
            f"{url}/_fake/contacts", json={"list_id": "7", "contacts": [{"phone": "+1 305 555 0167"}]}
        ).json()
        # HubSpot's webhook for the new contact: unsigned, refused; signed, an incremental sync starts
        hook = stack.url("gateway") + f"/webhooks/crm/hubspot/{connection['id']}"
        events = json.dumps([{"subscriptionType": "contact.creation", "objectId": int(new["ids"][0])}]).encode()
        assert httpx.post(hook, content=events).status_code == 401
        stamp = str(int(time.time() * 1000))
        signed = signature("app-secret", method="POST", uri=hook, body=events, timestamp=stamp)
        headers = {"X-HubSpot-Signature-v3": signed, "X-HubSpot-Request-Timestamp": stamp}
        assert httpx.post(hook, content=events, headers=headers).status_code == 204
        syncs = until(lambda: [s for s in http.get(f"/crm/feeds/{feed['id']}/syncs").json() if s["id"] != sync["id"]],
                      timeout=30, what="a sync started by the webhook")  # fmt: skip
        again = syncs[0]
        done = until(lambda: _finished(http, again["id"]), timeout=60, what="the incremental sync finished")
        # what changed since a minute before the last sync began (HubSpot's modification times can lag): the
        # new contact, and the others again if they changed that recently; only the new one is imported
        assert (done["status"], done["imported"]) == ("completed", 1) and 1 <= done["fetched"] <= 7, done
        skipped = {r["record_id"] for r in http.get(f"/crm/syncs/{done['id']}/records").json()}
        assert new["ids"][0] not in skipped

    # the same through the command line
    cli = CliRunner(env={"OUTREACH_URL": stack.url("gateway"), "OUTREACH_API_KEY": key, "COLUMNS": "200"})
    refused = cli.invoke(app, ["crm", "connect", "hubspot", "--name", "Wrong", "--token", "pat-not-a-token"])
    assert refused.exit_code == 1 and "broken" in refused.output, refused.output
    synced = cli.invoke(app, ["crm", "sync", feed["id"], "--full", "--json"])
    assert synced.exit_code == 0, synced.output
    report = json.loads(synced.output)
    assert (report["mode"], report["status"], report["fetched"], report["imported"]) == ("full", "completed", 7, 0)
    records = cli.invoke(app, ["crm", "report", report["id"], "--records"])
    assert records.exit_code == 0 and ids[3] in records.output and "suppressed" in records.output
    assert fake.violations == []


@pytest.fixture
def slow_hubspot() -> Iterator[tuple[str, HubSpotState]]:
    with served(HubSpotState(), create_app) as found:
        yield found


def test_a_sync_cut_short_by_a_crash_resumes_after_its_last_page(
    infra: Infra, run_id: str, slow_hubspot: tuple[str, HubSpotState]
) -> None:
    url, fake = slow_hubspot
    contacts = [{"phone": f"+1312555{i:04d}", "firstname": f"C{i}"} for i in range(3000)]
    httpx.post(f"{url}/_fake/contacts", json={"list_id": "9", "contacts": contacts, "limit": [8, 1.0]}, timeout=60)
    token = httpx.post(f"{url}/_fake/private-app-token", json={}).json()["token"]
    env = {**hubspot_env(url), "OUTREACH_CRM_RESUME_IDLE_S": "2"}
    with isolated_stack(infra, run_id, extra_env=env) as stack, api_client(stack) as http:
        connection = http.post("/crm/connections", json={"kind": "hubspot", "name": "S", "token": token}).json()
        campaign = http.post("/campaigns", json={"name": "resume", "flow": [{"kind": "phone", "agent_id": "a"}]}).json()
        body = {"connection_id": connection["id"], "campaign_id": campaign["id"], "source": {"list_id": "9"}}
        feed = http.post("/crm/feeds", json=body).raise_for_status().json()
        sync_id = feed["last_sync_id"]
        until(lambda: 1000 <= http.get(f"/crm/syncs/{sync_id}").json()["fetched"] < 3000, timeout=60,
              what="part of the list fetched")  # fmt: skip
        stack.kill("ingest")  # mid-sync: pages written, the rest not
        stack.restart("ingest")
        done = until(lambda: _finished(http, sync_id), timeout=120, what="the resumed sync finished")
        assert (done["status"], done["fetched"], done["imported"], done["duplicates"]) == (
            "completed",
            3000,
            3000,
            0,
        ), done
        job = http.get(f"/imports/{done['import_id']}").json()
        assert (job["rows"], job["imported"], job["rejected"]) == (3000, 3000, 0)  # no record written twice
    assert fake.violations == []
