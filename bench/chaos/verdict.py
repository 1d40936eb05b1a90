"""The chaos run's figures, from ground truth: the simulator's own log (what reached the network, stamped
with the shared virtual clock) and the contacts' stored states; the overview is checked against both."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlsplit

from outreach_cli.demo_check import outside_window
from outreach_contracts.window import ContactWindow, TimeRange

from bench.chaos.plan import SMS_WINDOW, WINDOW

TERMINAL = {"exited", "errored", "completed"}


def _call_key(entry: dict[str, Any]) -> str:
    """The (campaign, contact, step, attempt) key a call was placed for, from its status callback."""
    query = parse_qs(urlsplit(entry.get("status_callback") or "").query)
    return query.get("key", [entry.get("to") or ""])[0]


def figures(
    log: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    expected_contacts: int,
    opted_out_at: dict[str, float],
    overview: dict[str, Any],
) -> dict[str, Any]:
    """The five figures that must be zero, and what they were computed from."""
    calls = [e for e in log if e["kind"] == "call"]
    texts = [e for e in log if e["kind"] == "sms"]
    window, sms_window = ContactWindow.model_validate(WINDOW), TimeRange.model_validate(SMS_WINDOW)
    per_key = Counter(_call_key(e) for e in calls)
    per_phone_sms = Counter(e["to"] for e in texts)
    reached_after = {
        e["to"] for e in calls + texts if e["to"] in opted_out_at and e["clock_at"] > opted_out_at[e["to"]]
    }
    states = Counter(r["state"] for r in rows)
    reasons = Counter(r["reason"] for r in rows if r["state"] == "exited")
    truth = {
        "total": len(rows),
        **{s: states.get(s, 0) for s in ("queued", "active", "errored", "exited", "completed")},
        **{f"exited:{r}": reasons.get(r, 0) for r in ("answered", "opted_out", "unreachable", "stopped")},
        "calls_placed": len(per_key),
        "sms_sent": len(texts),
    }
    shown = {
        **{k: overview.get(k, 0) for k in ("total", "queued", "active", "errored", "exited", "completed")},
        **{f"exited:{r}": n for r, n in overview.get("exited_by_reason", {}).items()},
        "calls_placed": overview.get("funnel", {}).get("calls_placed", 0),
        "sms_sent": overview.get("funnel", {}).get("sms_sent", 0),
    }
    mismatches = {k: (shown.get(k, 0), v) for k, v in truth.items() if shown.get(k, 0) != v}
    return {
        "duplicate_calls": sum(n - 1 for n in per_key.values() if n > 1),
        "duplicate_messages": sum(n - 1 for n in per_phone_sms.values() if n > 1),
        "lost_contacts": sum(1 for r in rows if r["state"] not in TERMINAL) + max(0, expected_contacts - len(rows)),
        "out_of_window_calls": len(outside_window(calls + texts, window, sms_window)),
        "contacts_reached_after_opt_out": len(reached_after),
        "overview_mismatches": len(mismatches),
        "calls": len(calls),
        "sms": len(texts),
        "errored": states.get("errored", 0),
        "states": dict(states),
        "exited_by_reason": dict(reasons),
        "mismatch_detail": {k: {"overview": a, "truth": b} for k, (a, b) in mismatches.items()},
    }
