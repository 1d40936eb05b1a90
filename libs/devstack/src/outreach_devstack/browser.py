"""Debian's Chromium for the console's browser tests and benchmark: where it is, and the flags it runs with
headless on a machine with no network (Playwright drives it through `executablePath`: a test tool's own
browser download cannot work here)."""

from __future__ import annotations

import shutil

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # without these, Chromium's calls home are refused, many at a time
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """Debian's Chromium (`make browser` installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise RuntimeError("Chromium is not installed: run `make browser` (Debian's chromium package)")
    return found
