"""The console's CRM page in real Chromium against the whole stack and a fake HubSpot: connect with a token
and with HubSpot sign-in (OAuth), feed a campaign from a list, read the sync's report; axe-checked."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from outreach_crm_fakes.env import gohighlevel_env, hubspot_env
from outreach_crm_fakes.gohighlevel import GoHighLevelState
from outreach_crm_fakes.gohighlevel import create_app as create_ghl
from outreach_crm_fakes.hubspot import HubSpotState, create_app
from outreach_crm_fakes.serve import running
from outreach_devstack.stack import Stack
from playwright.sync_api import expect

from tests.conftest import Infra
from tests.e2e.console.browser import browser_page, serious_violations, sign_in, workspace
from tests.e2e.stacks import crm_stack

pytestmark = pytest.mark.e2e

CONTACTS = [{"phone": "(212) 555-0123", "firstname": "Ada"}, {"phone": "+1 415 555 0134", "firstname": "Grace"},
            {"phone": "12", "firstname": "Bad"}, {"phone": "+1 646 555 0156", "do_not_call": "true"}]  # fmt: skip


@pytest.fixture
def ghl() -> Iterator[str]:
    with running(create_ghl(GoHighLevelState())) as url:
        yield url


@pytest.fixture
def crm(infra: Infra, run_id: str, ghl: str) -> Iterator[tuple[str, HubSpotState, Stack]]:
    both = lambda url: {**hubspot_env(url), **gohighlevel_env(ghl)}  # noqa: E731
    with crm_stack(infra, run_id, HubSpotState(), create_app, both) as found:
        yield found


def test_a_campaign_is_fed_from_hubspot_in_the_console(crm: tuple[str, HubSpotState, Stack], ghl: str) -> None:
    url, fake, stack = crm
    ids = httpx.post(f"{url}/_fake/contacts", json={"list_id": "42", "contacts": CONTACTS}).json()["ids"]
    token = httpx.post(f"{url}/_fake/private-app-token", json={}).json()["token"]
    email, password = workspace(stack, "CRM team")
    with browser_page("crm_in_browser") as page:
        sign_in(page, stack, email, password)
        page.get_by_role("button", name="New Campaign").click()
        dialog = page.get_by_role("dialog", name="Create campaign")
        dialog.get_by_label("Campaign name").fill("Renewals from HubSpot")
        dialog.get_by_role("button", name="Create").click()
        expect(page.get_by_role("form", name="Contact window")).to_be_visible()

        page.get_by_role("navigation", name="Main").get_by_role("link", name="CRM", exact=True).click()
        connect = page.get_by_role("form", name="Connect a CRM")
        connect.get_by_label("Connection name").fill("Sales HubSpot")
        connect.get_by_label("Private app token").fill("pat-wrong-token")
        connect.get_by_role("button", name="Connect with token").click()
        connections = page.get_by_role("table", name="CRM connections")
        expect(connections).to_contain_text("broken")  # a refused token says why
        expect(connections).to_contain_text("revoked or wrong")
        page.get_by_role("button", name="Disconnect Sales HubSpot").click()
        expect(connections).not_to_contain_text("Sales HubSpot")
        connect.get_by_label("Private app token").fill(token)
        connect.get_by_role("button", name="Connect with token").click()
        expect(connections.get_by_role("row").filter(has_text="Sales HubSpot")).to_contain_text("connected")
        assert not serious_violations(page)

        ghl_token = httpx.post(f"{ghl}/_fake/token", json={"location_id": "loc7"}).json()["token"]
        connect.get_by_label("CRM", exact=True).select_option(label="GoHighLevel")
        connect.get_by_label("Private integration token").fill(ghl_token)
        connect.get_by_label("Location ID").fill("loc7")
        connect.get_by_role("button", name="Connect with token").click()
        expect(connections.get_by_role("row").filter(has_text="GoHighLevel")).to_contain_text("connected")
        assert not serious_violations(page)

        connect.get_by_label("CRM", exact=True).select_option(label="HubSpot")
        connect.get_by_label("Connection name").fill("Marketing HubSpot")
        connect.get_by_role("button", name="Connect with HubSpot sign-in").click()  # off to HubSpot and back
        expect(page.get_by_role("status").filter(has_text="HubSpot connected.")).to_be_visible()
        expect(connections.get_by_role("row").filter(has_text="Marketing HubSpot")).to_contain_text("oauth")

        feed = page.get_by_role("form", name="Feed a campaign from a CRM")
        feed.get_by_label("Connection").select_option(label="Sales HubSpot")
        feed.get_by_label("Campaign to feed").select_option(label="Renewals from HubSpot")
        feed.get_by_label("HubSpot list ID").fill("42")
        feed.get_by_role("button", name="Feed campaign").click()
        report = page.get_by_role("region", name="Sync report")
        expect(report.get_by_role("status")).to_have_text("Full sync completed", timeout=60_000)
        expect(report.get_by_label("Imported", exact=True)).to_have_text("2")
        expect(report.get_by_label("Marked do-not-contact in the CRM")).to_have_text("1")
        not_imported = report.get_by_role("table", name="Records not imported")
        expect(not_imported).to_contain_text(ids[2])
        expect(not_imported).to_contain_text("invalid")
        expect(page.get_by_role("table", name="CRM feeds")).to_contain_text("completed")
        assert not serious_violations(page)
    assert fake.violations == []
