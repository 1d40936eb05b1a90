"""`outreach campaign watch ID`: a live view of a campaign until it completes (or Ctrl-C)."""

from __future__ import annotations

import time
from typing import Any

import typer
from rich.console import Group
from rich.live import Live
from rich.table import Table

from outreach_cli.client import KEY, URL, Api
from outreach_cli.output import console

STATES = ("queued", "active", "errored", "completed")
FUNNEL = ("calls_placed", "answered_human", "voicemail", "no_answer", "busy", "failed", "sms_sent", "emails_sent")
DONE = ("completed", "stopped")


def view(campaign: dict[str, Any], overview: dict[str, Any] | None) -> Group:
    """The campaign's counts, exits by reason and the funnel per step."""
    head = Table(title=f"{campaign['spec']['name']} ({campaign['id']}): {campaign['status']}", show_edge=False)
    for column in ("total", *STATES, "exited", "started on"):
        head.add_column(column.upper())
    counts = overview or {}
    exited = counts.get("exited_by_reason", {})
    head.add_row(
        str(counts.get("total", 0)),
        *(str(counts.get(s, 0)) for s in STATES),
        ", ".join(f"{r} {n}" for r, n in exited.items() if n) or "0",
        str(campaign.get("started_at") or "-"),
    )
    steps = Table(title="funnel per step (calls in flight: contacts active)", show_edge=False)
    steps.add_column("STEP")
    for kind in FUNNEL:
        steps.add_column(kind.replace("_", " ").upper())
    for step, facts in sorted(counts.get("funnel_by_step", {}).items(), key=lambda item: int(item[0])):
        kind = campaign["spec"]["flow"][int(step)]["kind"] if int(step) < len(campaign["spec"]["flow"]) else "?"
        steps.add_row(f"{int(step) + 1} {kind}", *(str(facts.get(k, 0)) for k in FUNNEL))
    return Group(head, steps)


def _fetch(api: Api, campaign_id: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    campaign = api.call("GET", "/campaigns/{campaign_id}", {"campaign_id": campaign_id})
    answer = api.raw("GET", "/campaigns/{campaign_id}/overview", {"campaign_id": campaign_id})
    return campaign, (answer.json() if answer.status_code == 200 else None)  # 404 until the first event


def watch(
    campaign_id: str = typer.Argument(...),
    interval: float = typer.Option(3.0, "--interval", min=0.5, help="Seconds between refreshes"),
    once: bool = typer.Option(False, "--once", help="Print the view once and exit"),
    url: str = URL,
    key: str = KEY,
) -> None:
    """Total, queued, active, errored, exited by reason, started on, and the funnel per step, refreshed
    until the campaign completes or is stopped (or Ctrl-C)."""
    with Api(url, key) as api:
        campaign, overview = _fetch(api, campaign_id)
        out = console()
        if once:
            out.print(view(campaign, overview))
            return
        try:
            with Live(view(campaign, overview), console=out, refresh_per_second=4) as live:
                while campaign["status"] not in DONE:
                    time.sleep(interval)
                    campaign, overview = _fetch(api, campaign_id)
                    live.update(view(campaign, overview))
        except KeyboardInterrupt:
            return
