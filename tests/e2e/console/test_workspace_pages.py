"""The workspace's pages in the console, in real Chromium against the whole stack: do-not-call, numbers,
agents, API keys, people, the audit log and the message log; each passes the axe check."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from outreach_devstack.stack import Stack
from playwright.sync_api import Page, expect

from tests.conftest import Infra
from tests.e2e.console.browser import browser_page, serious_violations, sign_in, workspace
from tests.e2e.stacks import isolated_stack

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack(infra: Infra, run_id: str) -> Iterator[Stack]:
    with isolated_stack(infra, run_id) as s:
        yield s


def _open(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


def test_an_admin_keeps_the_workspace_from_the_console(stack: Stack) -> None:
    email, password = workspace(stack, "Collections")
    with browser_page("workspace_pages") as page:
        sign_in(page, stack, email, password)

        _open(page, "Do-not-call")
        page.get_by_label("Phone numbers (one per line)").fill("(212) 555-0199\nnot a number")
        page.get_by_label("Reason").fill("asked by phone")
        page.get_by_role("button", name="Add to do-not-call list").click()
        expect(page.get_by_role("status")).to_contain_text("1 added, 0 already listed, 1 invalid")
        expect(page.get_by_label("Phone numbers (one per line)")).to_have_value("(212) 555-0199\nnot a number")
        expect(page.get_by_role("table", name="Do-not-call list")).to_contain_text("+12125550199")
        assert serious_violations(page) == []

        _open(page, "Numbers")
        page.get_by_label("Number (E.164)").fill("+1 555")
        page.get_by_role("button", name="Add number").click()
        expect(page.get_by_role("alert")).to_contain_text("number")  # the API's error under the field
        page.get_by_label("Number (E.164)").fill("+13125550100")
        page.get_by_label("Tags (comma separated)").fill("chicago, collections")
        page.get_by_role("button", name="Add number").click()
        expect(page.get_by_role("table", name="Numbers")).to_contain_text("chicago, collections")
        expect(page.get_by_role("table", name="Numbers")).to_contain_text("IL")
        assert serious_violations(page) == []

        _open(page, "Agents")
        page.get_by_label("Agent id").fill("agt_collect")
        page.get_by_label("Agent name").fill("Collections agent")
        page.get_by_label("Kind").select_option(label="TwiML URL")
        page.get_by_label("Address").fill("ftp://nowhere")
        page.get_by_role("button", name="Save agent").click()
        expect(page.get_by_role("alert")).to_contain_text("https://")
        page.get_by_label("Address").fill("https://agents.example.com/twiml/collect")
        page.get_by_role("button", name="Save agent").click()
        expect(page.get_by_role("table", name="Agents")).to_contain_text("Collections agent")
        assert serious_violations(page) == []

        _open(page, "API keys")
        page.get_by_label("Key name").fill("crm sync")
        page.get_by_label("Scope").select_option(label="read")
        page.get_by_role("button", name="Create key").click()
        expect(page.get_by_role("status")).to_contain_text("ork_")
        expect(page.get_by_role("row", name="crm sync")).to_contain_text("read")
        expect(page.get_by_role("row", name="crm sync")).not_to_contain_text("write")
        page.get_by_role("button", name="Revoke crm sync").click()
        expect(page.get_by_role("button", name="Revoke crm sync")).to_have_count(0)
        assert serious_violations(page) == []

        _open(page, "People")
        page.get_by_label("Email").fill("agent.smith@example.com")
        page.get_by_label("Role").select_option("viewer")
        page.get_by_role("button", name="Invite").click()
        expect(page.get_by_role("row", name="agent.smith@example.com")).to_contain_text("viewer")
        expect(page.get_by_role("status")).to_contain_text("Invitation token")
        assert serious_violations(page) == []

        _open(page, "Audit log")
        audit = page.get_by_role("table", name="Audit log")
        expect(audit).to_contain_text("key.revoke")
        expect(audit).to_contain_text("person.invite")
        assert serious_violations(page) == []

        _open(page, "Messages")
        expect(page.get_by_role("table", name="Messages")).to_be_visible()
        page.get_by_label("Channel").select_option(label="Email")
        expect(page.get_by_label("Channel")).to_have_value("email")
        assert serious_violations(page) == []
