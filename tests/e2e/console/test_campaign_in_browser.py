"""A person runs a campaign from sign-in to completion in the console, in real Chromium, against the whole
stack behind the gateway: no API call is made by the test itself except creating the workspace."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import holidays
import pytest
from outreach_common.clock import OffsetClock
from outreach_devstack.stack import Stack
from playwright.sync_api import Locator, Page, expect

from tests.conftest import Infra
from tests.e2e.console.browser import browser_page, serious_violations, workspace
from tests.e2e.stacks import isolated_stack

pytestmark = pytest.mark.e2e

# Messy on purpose: header names to map, numbers written every way, an invalid number, a duplicate.
CSV = """First,Surname,Cell #,Account ID
Ada,Lovelace,(212) 555-0123,A-1
Grace,Hopper,+1 415 555 0134,A-2
Alan,Turing,312.555.0145,A-3
Bad,Number,12,A-4
Ada,Again,212-555-0123,A-5
"""


TUESDAY_1PM_NEW_YORK = 18  # UTC hour of a Tuesday when every U.S. mainland zone is inside 09:00-19:00


@pytest.fixture
def stack(infra: Infra, run_id: str, tmp_path: Path) -> Iterator[Stack]:
    """The whole stack on a virtual clock set to the coming Tuesday, 18:00 UTC: the campaign keeps the
    console's default window (weekdays 09:00-19:00 in each contact's zone, U.S. calling rules)."""
    clock = tmp_path / "clock"
    now = datetime.now(UTC)
    tuesday = (now + timedelta(days=(1 - now.weekday()) % 7 or 7)).replace(
        hour=TUESDAY_1PM_NEW_YORK, minute=0, second=0, microsecond=0
    )
    while tuesday.date() in holidays.country_holidays("US", years=tuesday.year):  # the window skips holidays
        tuesday += timedelta(days=7)
    OffsetClock(clock).shift((tuesday - now).total_seconds())
    with isolated_stack(infra, run_id, extra_env={"OUTREACH_CLOCK_FILE": str(clock)}) as s:
        yield s


def _drag(page: Page, source: Locator, target: Locator) -> None:
    """Drag `source` onto `target` through the page's own drag handlers, with one DataTransfer carried from
    dragstart to drop (Playwright's mouse-driven drag did not deliver HTML5 drag events in headless Chromium
    here)."""
    data = page.evaluate_handle("() => new DataTransfer()")
    source.dispatch_event("dragstart", {"dataTransfer": data})
    target.dispatch_event("dragenter", {"dataTransfer": data})
    target.dispatch_event("dragover", {"dataTransfer": data})
    target.dispatch_event("drop", {"dataTransfer": data})
    source.dispatch_event("dragend", {"dataTransfer": data})


def _accessible(page: Page, where: str) -> None:
    assert serious_violations(page) == [], where


def test_a_campaign_from_sign_in_to_every_contact_exited(stack: Stack, tmp_path: Path) -> None:
    email, password = workspace(stack, "Clinic reminders")
    csv = tmp_path / "messy contacts.csv"
    csv.write_text(CSV)
    with browser_page("campaign_in_browser") as page:
        page.goto(stack.url("gateway") + "/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill("wrong password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("Wrong email or password")).to_be_visible()
        _accessible(page, "sign in")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_label("Workspace")).to_have_text("Clinic reminders")

        # Campaigns -> New Campaign -> Create campaign
        expect(page.get_by_role("heading", name="Campaigns")).to_be_visible()
        _accessible(page, "campaigns")
        page.get_by_role("button", name="New Campaign").click()
        dialog = page.get_by_role("dialog", name="Create campaign")
        dialog.get_by_label("Campaign name").fill("Flu shot reminders")
        dialog.get_by_label("Campaign description").fill("Two steps: a call, then an SMS")
        dialog.get_by_role("button", name="Create").click()

        # Contact window: weekdays (the default) 09:30-19:00 in each contact's zone, U.S. holidays and rules
        form = page.get_by_role("form", name="Contact window")
        expect(form.get_by_role("checkbox", name="Sat")).not_to_be_checked()
        form.get_by_label("Start time").fill("09:30")
        form.get_by_role("checkbox", name="U.S. Federal Holidays").check()
        form.get_by_label("Fallback timezone").fill("Mars/Base")
        form.get_by_role("button", name="Save contact window").click()
        expect(form.get_by_role("alert")).to_contain_text("Mars/Base")  # the API's error, next to its field
        expect(form.get_by_label("Start time")).to_have_value("09:30")  # nothing typed is lost
        form.get_by_label("Fallback timezone").fill("America/Chicago")
        form.get_by_role("button", name="Save contact window").click()
        expect(form.get_by_role("status")).to_have_text("Saved.")
        _accessible(page, "contact window")

        # Outreach flow: a phone call, then an SMS one day later
        page.get_by_role("link", name="Outreach flow").click()
        flow = page.get_by_role("form", name="Outreach flow")
        flow.get_by_role("button", name="Add next outreach").click()
        flow.get_by_label("Agent").fill("agt_reminders")
        flow.get_by_role("button", name="Add next outreach").click()
        expect(flow.get_by_text("Step 2: 1 day after phone call")).to_be_visible()
        flow.get_by_role("checkbox", name="Retry after busy").first.check()  # the call, again 30 min after busy
        expect(flow.get_by_label("Retries after busy")).to_have_value("1")
        flow.get_by_label("SMS body").fill("Hi {{first_name}}, your flu shot is due.")
        expect(flow.get_by_text(re.compile(r"Hi Ada, your flu shot is due\. \(GSM-7, 1 segment\)"))).to_be_visible()
        flow.get_by_role("button", name="Save outreach flow").click()
        expect(flow.get_by_role("status")).to_have_text("Saved.")
        _accessible(page, "outreach flow")

        # Contacts: upload, map the phone column by dragging, import, see the verdicts and the launch preview
        page.get_by_role("link", name="Contacts", exact=True).click()
        page.get_by_label("Upload a CSV").set_input_files(str(csv))
        expect(page.get_by_label("Raw file contents")).to_contain_text("Cell #")
        expect(page.get_by_role("table", name="Parsed rows")).to_contain_text("Lovelace")
        expect(page.get_by_label("To Number", exact=True)).to_have_value("Cell #")  # suggested from the header
        page.get_by_label("To Number", exact=True).select_option("")
        expect(page.get_by_label("To Number", exact=True)).to_have_value("")
        _drag(page, page.get_by_label("Column Cell #"), page.get_by_test_id("field To Number"))
        expect(page.get_by_label("To Number", exact=True)).to_have_value("Cell #")
        page.get_by_label("First name").select_option("First")
        page.get_by_label("Last name").select_option("Surname")
        page.get_by_role("checkbox", name="Skip duplicate phone numbers").check()
        page.get_by_role("button", name="Import").click()
        expect(page.get_by_role("status").filter(has_text="Import completed")).to_contain_text(
            "5 rows read, 3 imported, 2 rejected", timeout=60_000
        )
        rejected = page.get_by_role("table", name="Rejected rows")
        expect(rejected).to_contain_text("Bad")
        expect(rejected).to_contain_text("Again")
        expect(page.get_by_role("region", name="Launch preview")).to_contain_text("2 of 5 contacts will be skipped")
        _accessible(page, "contacts")

        # Back to the window: the imported contacts' first reach, in their zone and the operator's
        page.get_by_role("link", name="Contact window").click()
        first = page.get_by_role("table", name="First reach")
        expect(first).to_contain_text("+12125550123")
        expect(first).to_contain_text(re.compile(r"(EST|GMT-5)"))  # the New York contact's own time

        # Numbers: no registered numbers, so the default caller id; local presence turned off and saved
        page.get_by_role("link", name="Numbers and exit criteria").click()
        numbers = page.get_by_role("form", name="Numbers and exit criteria")
        numbers.get_by_role("checkbox", name=re.compile("^Local presence")).uncheck()
        numbers.get_by_role("button", name="Save numbers and exit criteria").click()
        expect(numbers.get_by_role("status")).to_have_text("Saved.")

        # Overview: start, pause and resume on the way, watch every contact exit
        page.get_by_role("link", name="Overview").click()
        page.get_by_role("button", name="Start", exact=True).click()
        page.get_by_role("button", name="Pause").click()
        expect(page.get_by_role("button", name="Resume")).to_be_visible()
        page.get_by_role("button", name="Resume").click()
        expect(page.get_by_role("button", name="Pause")).to_be_visible()
        figures = page.get_by_role("definition")
        expect(figures.and_(page.get_by_label("Total contacts"))).to_have_text("3", timeout=60_000)
        expect(figures.and_(page.get_by_label("Exited"))).to_have_text("3", timeout=120_000)
        expect(page.get_by_role("list", name="Exited by reason")).to_contain_text("answered: 3")
        chart = page.get_by_role("list", name="Attempts and outcomes per hour")
        expect(chart).to_contain_text(re.compile(r"\d attempts: \d answered"))
        _accessible(page, "overview")

        # Call history: open one call
        page.get_by_role("link", name="Call history").click()
        page.get_by_role("button", name="Open call to +12125550123").click()
        details = page.get_by_role("region", name="Call details")
        expect(details).to_contain_text("answered_human")
        expect(details.get_by_role("list", name="Status trail")).to_contain_text("completed")
        _accessible(page, "call history")

        # Sign out
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
