"""The demo's loop: live progress, STOP replies from a few texted contacts, and the virtual clock moved to
the next due step whenever the network is quiet and no step is in flight."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import httpx
import typer
from outreach_common.clock import OffsetClock
from outreach_devstack.stack import Stack

KINDS = ("calls_placed", "answered_human", "voicemail", "no_answer", "busy", "failed", "sms_sent", "emails_sent")
TERMINAL = ("exited", "errored", "completed")


class Progress:
    """Follows one campaign to its end."""

    def __init__(self, http: httpx.Client, stack: Stack, clock: OffsetClock, campaign_id: str, *, stops: int) -> None:
        self.http, self.stack, self.clock, self.campaign_id = http, stack, clock, campaign_id
        self.stops, self.stopped = stops, 0
        self.replied: set[str] = set()
        self.seen, self.quiet_since, self.last_line = -1, time.monotonic(), ""

    def _overview(self) -> dict[str, Any] | None:
        answer = self.http.get(f"/campaigns/{self.campaign_id}/overview")
        return answer.json() if answer.status_code == 200 else None

    def _contacts(self, state: str | None = None) -> list[dict[str, Any]]:
        params: dict[str, str | int] = {"limit": 1000, **({"state": state} if state else {})}
        items: list[dict[str, Any]] = self.http.get(f"/campaigns/{self.campaign_id}/contacts", params=params).json()[
            "items"
        ]
        return items

    def _reply_stop(self, log: list[dict[str, Any]]) -> None:
        for entry in log:
            if self.stopped >= self.stops:
                return
            if entry["kind"] != "sms" or entry["to"] in self.replied:
                continue
            self.replied.add(entry["to"])
            reply = {
                "webhook_url": f"{self.stack.url('gateway')}/webhooks/twilio/messages/inbound",
                "from": entry["to"],
                "to": entry["from"],
                "body": "STOP",
            }
            if (
                httpx.post(self.stack.url("twilio-sim") + "/_sim/sms/inbound", json=reply, timeout=30).status_code
                == 200
            ):
                self.stopped += 1

    def _print(self, overview: dict[str, Any] | None) -> None:
        counts = overview or {}
        reasons = counts.get("exited_by_reason", {})
        line = (
            f"{self.clock.now():%a %d %b %H:%M} UTC  contacts {counts.get('total', 0)}: "
            f"queued {counts.get('queued', 0)}, active {counts.get('active', 0)}, "
            f"exited {counts.get('exited', 0)} ({', '.join(f'{r} {n}' for r, n in reasons.items() if n) or '-'}), "
            f"completed {counts.get('completed', 0)}, errored {counts.get('errored', 0)}"
        )
        if line != self.last_line:
            typer.echo(line)
            self.last_line = line

    def _advance(self, overview: dict[str, Any] | None, activity: int) -> None:
        if activity != self.seen:
            self.seen, self.quiet_since = activity, time.monotonic()
            return
        if time.monotonic() - self.quiet_since < 2.0 or (overview or {}).get("active", 1):
            return
        queued = [datetime.fromisoformat(c["due_at"]) for c in self._contacts("queued") if c["due_at"]]
        if queued and (ahead := (min(queued) - self.clock.now()).total_seconds()) > 0:
            self.clock.shift(ahead + 1)
            self.quiet_since = time.monotonic()

    def follow(self, *, until: float) -> bool:
        """Until every contact is done (True) or the deadline (False)."""
        while time.monotonic() < until:
            overview = self._overview()
            self._print(overview)
            log = httpx.get(self.stack.url("twilio-sim") + "/_sim/log", timeout=30).json()
            self._reply_stop(log)
            sent = self.http.get("/messages", params={"campaign_id": self.campaign_id, "limit": 1}).json()["items"]
            self._advance(overview, len(log) * 1000 + len(sent))
            if overview and overview["total"] and not overview["queued"] and not overview["active"]:
                contacts = self._contacts()
                if contacts and all(c["state"] in TERMINAL for c in contacts):
                    self._print(self._overview())
                    return True
            time.sleep(0.5)
        return False


def outcome_table(overview: dict[str, Any], spec: dict[str, Any]) -> str:
    """Outcomes per step, as text."""
    heads = ["step", *(k.replace("_", " ") for k in KINDS)]
    rows = [heads]
    for step, facts in sorted(overview.get("funnel_by_step", {}).items(), key=lambda item: int(item[0])):
        kind = spec["flow"][int(step)]["kind"] if int(step) < len(spec["flow"]) else "?"
        rows.append([f"{int(step) + 1} {kind}", *(str(facts.get(k, 0)) for k in KINDS)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(heads))]
    lines = [
        "  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(r, widths, strict=True)))
        for r in rows
    ]
    reasons = ", ".join(f"{r} {n}" for r, n in overview.get("exited_by_reason", {}).items())
    totals = (
        f"contacts {overview['total']}: exited {overview['exited']} ({reasons}), completed "
        f"{overview['completed']}, errored {overview['errored']}"
    )
    return "\n".join(["outcomes per step", *lines, totals])
