"""A campaign fed from a monday.com board group through the public API on the whole stack: connect, feed
(the phone column mapped, the opt-out column read), report, call everyone, and see monday.com hear back (an
update per call on the item, the opt-out column set after an opt-out). The fake validates every query
against monday's published GraphQL schema."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from outreach_cli.main import app
from outreach_crm_fakes.env import monday_env
from outreach_crm_fakes.monday import MondayState, create_app
from outreach_devstack.stack import Stack
from typer.testing import CliRunner

from tests.e2e.stacks import ALWAYS, api_client, crm_fixture, finished_sync, new_workspace, start_until_exited
from tests.waiting import until

pytestmark = pytest.mark.e2e

ITEMS = [
    {"name": "Ada Lovelace", "columns": {"phone_1": "+1 212 555 0123", "plan": "gold"}},
    {"name": "Grace Hopper", "columns": {"phone_1": "(415) 555-0134"}},
    {"name": "Opted Out", "columns": {"phone_1": "+1 646 555 0156", "dnc": "Do not call"}},
    {"name": "No Number", "columns": {}},
]


crm = crm_fixture(MondayState, create_app, monday_env)


def test_a_monday_group_feeds_a_campaign_and_hears_back(crm: tuple[str, MondayState, Stack]) -> None:
    url, fake, stack = crm
    ids = httpx.post(f"{url}/_fake/items", json={"board": "777", "group": "leads", "items": ITEMS}).json()["ids"]
    token = httpx.post(f"{url}/_fake/token").json()["token"]
    with api_client(stack) as http:
        body = {"kind": "monday", "name": "Board", "token": token, "opt_out_property": "dnc"}
        connection = http.post("/crm/connections", json=body).raise_for_status().json()
        assert connection["status"] == "connected"
        spec = {"name": "from monday", "flow": [{"kind": "phone", "agent_id": "agt_1"}], "window": ALWAYS}
        campaign = http.post("/campaigns", json=spec).raise_for_status().json()
        feed_body = {"connection_id": connection["id"], "campaign_id": campaign["id"],
                     "source": {"board_id": "777", "group_id": "leads"},
                     "mapping": {"to_number": "phone_1", "plan": "plan"}}  # fmt: skip
        feed = http.post("/crm/feeds", json=feed_body).raise_for_status().json()
        assert feed["push"].startswith("webhooks ") and "board 777" in feed["push"], feed  # the challenge echoed

        sync = finished_sync(http, feed)
        assert (sync["status"], sync["fetched"], sync["imported"], sync["crm_suppressed"], sync["invalid"]) == (
            "completed", 4, 2, 1, 1), sync  # fmt: skip

        start_until_exited(http, campaign, 2)

        def heard() -> dict[str, Any] | None:
            items = httpx.get(f"{url}/_fake/state").json()["items"]
            return items if all(items[i]["updates"] for i in ids[:2]) else None

        items = until(heard, timeout=60, what="an update per call")
        assert all(
            len(items[i]["updates"]) == 1 and "answered human" in items[i]["updates"][0]["body"] for i in ids[:2]
        )

        http.post("/dnc", json={"phones": ["+12125550123"]}).raise_for_status()
        until(lambda: httpx.get(f"{url}/_fake/state").json()["items"][ids[0]]["columns"].get("dnc") == "Do not call",
              timeout=60, what="the opt-out written to the column")  # fmt: skip
    assert fake.violations == []


def _contacts(http: httpx.Client, campaign_id: str) -> int:
    return int(http.get(f"/campaigns/{campaign_id}/overview").json().get("total", 0))


def test_monday_by_oauth_pushes_new_items_and_a_revoked_app_says_why(crm: tuple[str, MondayState, Stack]) -> None:
    """Connected by OAuth; the feed's board is watched by webhooks whose JWT is checked; an item created on
    the board is in the campaign within seconds, without a scheduled sync; a forged event is refused."""
    url, fake, stack = crm
    httpx.post(f"{url}/_fake/items", json={"board": "31", "group": "new", "items": ITEMS[:1]}).raise_for_status()
    key = new_workspace(stack)["api_key"]
    with api_client(stack, key) as http:
        start = http.get("/crm/oauth/monday/start", params={"name": "monday app"}).raise_for_status().json()
        back = httpx.get(start["authorize_url"], follow_redirects=False).headers["location"]
        landed = http.get(back.removeprefix(stack.api), follow_redirects=False)
        assert landed.status_code == 303 and "connected=crm_" in landed.headers["location"], landed.headers
        connection = next(c for c in http.get("/crm/connections").json() if c["name"] == "monday app")
        assert (connection["auth"], connection["status"]) == ("oauth", "connected"), connection
        spec = {"name": "pushed", "flow": [{"kind": "phone", "agent_id": "agt_1"}], "window": ALWAYS}
        campaign = http.post("/campaigns", json=spec).raise_for_status().json()
        feed_body = {"connection_id": connection["id"], "campaign_id": campaign["id"], "every_minutes": 1440,
                     "source": {"board_id": "31"}, "mapping": {"to_number": "phone_1"}}  # fmt: skip
        feed = http.post("/crm/feeds", json=feed_body).raise_for_status().json()
        assert feed["push"].startswith("webhooks "), feed
        cli = CliRunner(env={"OUTREACH_URL": stack.url("gateway"), "OUTREACH_API_KEY": key, "COLUMNS": "300"})
        listed = cli.invoke(app, ["crm", "feeds"]).output + cli.invoke(app, ["crm", "connections"]).output
        assert "webhooks " in listed and f"/webhooks/crm/monday/{connection['id']}" in listed, listed
        until(lambda: _contacts(http, campaign["id"]) == 1, timeout=60, what="the first sync imported")
        hooks = httpx.get(f"{url}/_fake/webhooks").json()["webhooks"]
        assert {h["event"] for h in hooks} >= {"create_item"} and all(h["app"] for h in hooks)

        item = {"name": "Pushed Person", "columns": {"phone_1": "+1 303 555 0190"}}
        httpx.post(f"{url}/_fake/items", json={"board": "31", "group": "new", "items": [item]}).raise_for_status()
        until(lambda: _contacts(http, campaign["id"]) == 2, timeout=60, what="the pushed item imported")
        sent = httpx.get(f"{url}/_fake/webhooks").json()["sent"]
        assert sent and all(e["status"] == 200 for e in sent), sent

        forged = httpx.post(f"{stack.url('gateway')}/webhooks/crm/monday/{connection['id']}",
                            json={"event": {"type": "create_pulse", "boardId": 31}},
                            headers={"Authorization": "not-a-jwt"})  # fmt: skip
        assert forged.status_code == 401

        httpx.post(f"{url}/_fake/revoke").raise_for_status()
        checked = http.post(f"/crm/connections/{connection['id']}/check").raise_for_status().json()
        assert checked["status"] == "broken" and "revoked" in checked["problem"], checked
    assert fake.violations == []
