"""A campaign fed from a GoHighLevel tag through the public API on the whole stack: connect (the location
checked), feed, report (GoHighLevel's `dnd` suppresses), call everyone, and see GoHighLevel hear back (a
note and an outcome tag per call, `dnd` after an opt-out). The fake checks every request against
GoHighLevel's published OpenAPI documents."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from outreach_cli.main import app
from outreach_crm_fakes.env import gohighlevel_env
from outreach_crm_fakes.gohighlevel import GoHighLevelState, create_app
from outreach_devstack.stack import Stack
from typer.testing import CliRunner

from tests.conftest import Infra
from tests.e2e.stacks import ALWAYS, api_client, crm_stack, finished_sync, new_workspace, start_until_exited
from tests.waiting import until

pytestmark = pytest.mark.e2e

CONTACTS = [
    {"phone": "+1 212 555 0123", "firstName": "Ada", "tags": ["renewals"]},
    {"phone": "(415) 555-0134", "firstName": "Grace", "tags": ["renewals"]},
    {"phone": "+1 646 555 0156", "firstName": "Opted", "tags": ["renewals"], "dnd": True},
    {"phone": "+1 312 555 0145", "firstName": "Untagged"},
]


@pytest.fixture
def crm(infra: Infra, run_id: str) -> Iterator[tuple[str, GoHighLevelState, Stack]]:
    state = GoHighLevelState()  # its webhooks are checked with the key the fake signs with
    with crm_stack(infra, run_id, state, create_app, lambda url: gohighlevel_env(url, state.app.public_pem())) as found:
        yield found


def test_a_gohighlevel_tag_feeds_a_campaign_and_hears_back(crm: tuple[str, GoHighLevelState, Stack]) -> None:
    url, fake, stack = crm
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

        sync = finished_sync(http, feed)
        assert (sync["status"], sync["fetched"], sync["imported"], sync["crm_suppressed"]) == ("completed", 3, 2, 1), (
            sync
        )

        start_until_exited(http, campaign, 2)

        def heard() -> dict[str, Any] | None:
            state = httpx.get(f"{url}/_fake/state").json()
            tagged = all("outreach-answered-human" in state["contacts"][i]["tags"] for i in ids[:2])
            return state if tagged and all(state["notes"].get(i) for i in ids[:2]) else None  # two requests

        state = until(heard, timeout=60, what="a note and the outcome's tag, per call")
        assert all(len(state["notes"][i]) == 1 for i in ids[:2])

        http.post("/dnc", json={"phones": ["+14155550134"]}).raise_for_status()
        until(lambda: httpx.get(f"{url}/_fake/state").json()["contacts"][ids[1]]["dnd"] is True, timeout=60,
              what="the opt-out written back as dnd")  # fmt: skip
    assert fake.violations == []


def _total(http: httpx.Client, campaign_id: str) -> int:
    return int(http.get(f"/campaigns/{campaign_id}/overview").json().get("total", 0))


def test_gohighlevel_by_oauth_pushes_new_contacts_and_renews_its_token(
    crm: tuple[str, GoHighLevelState, Stack],
) -> None:
    """Connected by OAuth (the location chosen on GoHighLevel's page); a contact created in GoHighLevel is in
    the campaign within seconds through the app's signed webhook; forged and replayed events are refused; an
    access token that stopped working is renewed by its refresh token; an uninstalled app says why."""
    url, fake, stack = crm
    first = {"phone": "+1 212 555 0177", "firstName": "Vip", "tags": ["vip"]}
    httpx.post(f"{url}/_fake/contacts", json={"location_id": "loc1", "contacts": [first]}).raise_for_status()
    key = new_workspace(stack)["api_key"]
    with api_client(stack, key) as http:
        cli = CliRunner(env={"OUTREACH_URL": stack.url("gateway"), "OUTREACH_API_KEY": key})
        signed = cli.invoke(app, ["crm", "sign-in", "gohighlevel", "--name", "Agency app"])
        assert signed.exit_code == 0 and "Open this page" in signed.output, signed.output
        consent = signed.output.strip().splitlines()[-1]  # the operator opens it in a signed-in browser
        back = httpx.get(consent, follow_redirects=False).headers["location"]
        landed = http.get(back.removeprefix(stack.api), follow_redirects=False)
        assert landed.status_code == 303 and "connected=crm_" in landed.headers["location"], landed.headers
        connection = next(c for c in http.get("/crm/connections").json() if c["name"] == "Agency app")
        assert (connection["auth"], connection["status"]) == ("oauth", "connected"), connection
        assert connection["webhook_url"] == f"{stack.url('gateway')}/webhooks/crm/gohighlevel"
        httpx.post(f"{url}/_fake/webhooks", json={"url": connection["webhook_url"]}).raise_for_status()

        spec = {"name": "pushed", "flow": [{"kind": "phone", "agent_id": "agt_1"}], "window": ALWAYS}
        campaign = http.post("/campaigns", json=spec).raise_for_status().json()
        feed_body = {"connection_id": connection["id"], "campaign_id": campaign["id"], "every_minutes": 1440,
                     "source": {"tag": "vip"}}  # fmt: skip
        feed = http.post("/crm/feeds", json=feed_body).raise_for_status().json()
        until(lambda: _total(http, campaign["id"]) == 1, timeout=60, what="the first sync imported")

        pushed = {"phone": "+1 303 555 0188", "firstName": "Pushed", "tags": ["vip"]}
        httpx.post(f"{url}/_fake/contacts", json={"location_id": "loc1", "contacts": [pushed]}).raise_for_status()
        until(lambda: _total(http, campaign["id"]) == 2, timeout=60, what="the pushed contact imported")
        sent = httpx.get(f"{url}/_fake/webhooks/sent").json()
        assert sent and all(e["status"] == 204 for e in sent), sent

        hook = connection["webhook_url"]
        event = {"type": "ContactCreate", "locationId": "loc1", "id": "c1"}
        forged = httpx.post(hook, json={**event, "timestamp": datetime.now(UTC).isoformat()},
                            headers={"X-GHL-Signature": base64.b64encode(b"x" * 64).decode()})  # fmt: skip
        stale_body = json.dumps({**event, "timestamp": (datetime.now(UTC) - timedelta(hours=1)).isoformat()}).encode()
        signature = base64.b64encode(fake.app.key.sign(stale_body)).decode()
        replayed = httpx.post(hook, content=stale_body, headers={"X-GHL-Signature": signature})
        assert (forged.status_code, replayed.status_code) == (401, 401)

        httpx.post(f"{url}/_fake/expire").raise_for_status()  # the access token stops working before its time
        refresh_tokens = set(fake.app.refresh)
        again = http.post(f"/crm/feeds/{feed['id']}/sync").raise_for_status().json()
        until(lambda: http.get(f"/crm/syncs/{again['id']}").json()["status"] == "completed", timeout=60,
              what="a sync with a renewed token")  # fmt: skip
        assert set(fake.app.refresh) and not set(fake.app.refresh) & refresh_tokens  # used once, replaced

        httpx.post(f"{url}/_fake/revoke").raise_for_status()
        checked = http.post(f"/crm/connections/{connection['id']}/check").raise_for_status().json()
        assert checked["status"] == "broken" and "refused" in checked["problem"], checked
    assert fake.violations == []
