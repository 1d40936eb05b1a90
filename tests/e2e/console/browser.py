"""Debian's Chromium driven by Playwright (its `executablePath`: a test tool's own browser download cannot
work here), an axe-core check of a page, and a screenshot when a browser test fails."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from outreach_devstack.browser import FLAGS, chromium_path
from outreach_devstack.stack import Stack
from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[3]
AXE = ROOT / "console" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / ".local" / "screenshots"


def _chromium() -> str:
    try:
        return chromium_path()
    except RuntimeError as exc:
        pytest.fail(str(exc))


@contextmanager
def browser_page(name: str) -> Iterator[Page]:
    """A fresh page in headless Chromium; a screenshot in .local/screenshots/<name>.png if the test fails."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=FLAGS)
        page = browser.new_context(timezone_id="America/Chicago", locale="en-US").new_page()
        page.set_default_timeout(20_000)
        try:
            yield page
        except BaseException:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
            raise
        finally:
            browser.close()


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations of the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results: dict[str, Any] = page.evaluate("async () => await window.axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:120] for n in v["nodes"][:3]]}
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def workspace(stack: Stack, name: str) -> tuple[str, str]:
    """A new workspace made with the stack's bootstrap token: its admin's email and password."""
    email, password = f"{uuid.uuid4().hex[:10]}@example.com", "a long password"
    httpx.post(
        f"{stack.api}/workspaces",
        json={"name": name, "admin_email": email, "admin_password": password},
        headers={"X-Bootstrap-Token": stack.bootstrap_token},
        timeout=60.0,
    ).raise_for_status()
    return email, password


def sign_in(page: Page, stack: Stack, email: str, password: str) -> None:
    """Open the console and sign in."""
    page.goto(stack.url("gateway") + "/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
