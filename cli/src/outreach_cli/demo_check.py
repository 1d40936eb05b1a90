"""The demo's (and the chaos run's) ground-truth check: every call and SMS in the simulator's own log, at the
shared clock's time it reached the network, fell inside its contact's window (state rules included)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from outreach_contracts.window import ContactWindow, TimeRange
from outreach_windows import ContactInfo, is_eligible


def outside_window(
    log: list[dict[str, Any]],
    window: ContactWindow,
    sms_window: TimeRange | None,
    states: dict[str, str | None] | None = None,
) -> list[dict[str, Any]]:
    """The log entries (calls and SMS) that went out when their contact could not be reached."""
    found = []
    for entry in log:
        if entry["kind"] not in ("call", "sms"):
            continue
        at = datetime.fromtimestamp(entry["clock_at"], UTC)
        contact = ContactInfo(phone=entry["to"], state=(states or {}).get(entry["to"]))
        if not is_eligible(at, window, contact, sms_window if entry["kind"] == "sms" else None):
            found.append(entry)
    return found
