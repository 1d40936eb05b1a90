"""The chaos run's verdict counts what it must: a repeated call, a call outside the window (state rules
included), a text outside its step window, a call after an opt-out, a contact left open, an overview that
differs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bench.chaos.verdict import figures

pytestmark = pytest.mark.unit

TUESDAY_NOON_NY = datetime(2026, 3, 10, 16, 0, tzinfo=UTC).timestamp()  # 12:00 EDT
TUESDAY_2015_MIAMI = datetime(2026, 3, 11, 0, 15, tzinfo=UTC).timestamp()  # 20:15 EDT: after Florida's 20:00


def call(to: str, at: float, key: str) -> dict[str, Any]:
    return {"kind": "call", "to": to, "clock_at": at, "status_callback": f"http://gw/webhooks/x/status?key={key}"}


def row(contact: str, state: str, reason: str | None = None) -> dict[str, Any]:
    return {"contact_id": contact, "state": state, "reason": reason}


def overview(**counts: Any) -> dict[str, Any]:
    return {"exited_by_reason": {}, "funnel": {}, **counts}


def test_a_clean_run_is_all_zeros() -> None:
    log = [call("+12125550001", TUESDAY_NOON_NY, "c:1:0:1")]
    result = figures(log, [row("1", "completed")], 1, {}, overview(total=1, completed=1, funnel={"calls_placed": 1}))
    assert [result[k] for k in ("duplicate_calls", "lost_contacts", "out_of_window_calls")] == [0, 0, 0]
    assert result["contacts_reached_after_opt_out"] == 0 and result["overview_mismatches"] == 0


def test_every_fault_is_counted() -> None:
    log = [
        call("+12125550001", TUESDAY_NOON_NY, "c:1:0:1"),
        call("+12125550001", TUESDAY_NOON_NY + 5, "c:1:0:1"),  # the same attempt twice
        call("+13055550002", TUESDAY_2015_MIAMI, "c:2:0:1"),  # inside 09-19? no: 20:15, and Florida stops at 20
        {"kind": "sms", "to": "+12125550003", "clock_at": TUESDAY_NOON_NY},  # the SMS window is 13:00-17:00
        call("+12125550004", TUESDAY_NOON_NY, "c:4:0:1"),  # after the opt-out below
    ]
    rows = [row("1", "completed"), row("2", "active"), row("3", "completed"), row("4", "exited", "opted_out")]
    opted = {"+12125550004": TUESDAY_NOON_NY - 60}
    result = figures(log, rows, 5, opted, overview(total=4, completed=2, active=1, exited=1))
    assert result["duplicate_calls"] == 1
    assert result["out_of_window_calls"] == 2
    assert result["contacts_reached_after_opt_out"] == 1
    assert result["lost_contacts"] == 2  # one still active, one never enrolled
    assert set(result["mismatch_detail"]) == {"exited:opted_out", "calls_placed", "sms_sent"}
