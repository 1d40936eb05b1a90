"""`outreach demo`: the example campaign (examples/campaign.yaml) for about 300 contacts
(examples/contacts.csv) on the running local stack, through the gateway with a workspace and key it
creates, on the stack's virtual clock so the four-day flow takes minutes. It shows live progress, prints
the overview and the outcomes per step, writes demo-summary.json, and ends with one line that checks, from
the simulator's own log, that no call or SMS went outside its contact's window."""

from __future__ import annotations

import json
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import typer
import yaml
from outreach_common.clock import OffsetClock
from outreach_contracts.window import ContactWindow, TimeRange
from outreach_devstack.paths import repo_root
from outreach_devstack.stack import Stack, clock_file, from_env

from outreach_cli.contacts import checked
from outreach_cli.demo_check import outside_window
from outreach_cli.demo_progress import Progress, outcome_table

START = datetime(2026, 3, 9, 12, 30, tzinfo=UTC)  # a Monday, 08:30 in New York: nobody may be called yet
AREAS = ("212", "310", "305", "512", "808", "907", "602", "312", "617", "206")  # caller ids near the contacts
ON_DNC = ["+12125551016", "+13105551002", "+18085551040", "+19075551057"]
SCENARIO: dict[str, Any] = {
    "seed": 42,
    "distribution": [
        {"outcome": "answered_human", "ring_s": 0.6, "duration_s": 1.2, "weight": 3},
        {"outcome": "voicemail", "ring_s": 0.8, "duration_s": 0.6, "weight": 2},
        {"outcome": "no_answer", "ring_s": 1.0, "weight": 3},
        {"outcome": "busy", "ring_s": 0.2, "weight": 1},
        {"outcome": "failed", "ring_s": 0.1, "weight": 0.3},
    ],
    "numbers": {p: {"outcome": "unreachable", "sip_code": 404} for p in ("+12145551006", "+16175551012")},
}
STOPS = 6  # contacts that answer the text with STOP


def _check(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        typer.echo(f"error: {response.request.method} {response.request.url.path}: {response.text}", err=True)
        raise typer.Exit(1)
    return response.json() if response.content else None


def _workspace(stack: Stack) -> str:
    body = {
        "name": "Demo",
        "admin_email": f"demo-{secrets.token_hex(4)}@example.com",
        "admin_password": secrets.token_urlsafe(16),
    }
    headers = {"X-Bootstrap-Token": stack.bootstrap_token}
    created = _check(httpx.post(f"{stack.api}/workspaces", json=body, headers=headers, timeout=60))
    typer.echo(f"workspace {created['workspace_id']} created, with an admin key")
    return str(created["api_key"])


def _register_numbers(http: httpx.Client) -> None:
    """One caller id per area, tagged `demo`; a number an earlier demo's workspace holds is passed over."""
    for area in AREAS:
        for _ in range(20):
            number = f"+1{area}55501{secrets.randbelow(100):02d}"  # 555-01xx: fictional numbers
            answer = http.post("/numbers", json={"number": number, "tags": ["demo"]})
            if answer.status_code != 409:
                _check(answer)
                break


def _prepare(http: httpx.Client, stack: Stack, spec: dict[str, Any], contacts: Path) -> tuple[str, dict[str, Any]]:
    agent = {
        "id": "demo-agent",
        "name": "Demo agent",
        "kind": "twiml",
        "address": stack.url("twilio-sim") + "/twiml/agent",
    }
    _check(http.put("/agents/demo-agent", json=agent))
    _register_numbers(http)
    _check(http.post("/dnc", json={"phones": ON_DNC, "reason": "asked not to be called (demo)"}))
    _check(httpx.put(stack.url("twilio-sim") + "/_sim/scenario", json=SCENARIO, timeout=30))
    campaign = _check(http.post("/campaigns", json=spec))
    _check(http.post(f"/campaigns/{campaign['id']}/start"))
    mapping = {
        "to_number": "phone",
        "first_name": "first_name",
        "last_name": "last_name",
        "email": "email",
        "state": "state",
    }
    with contacts.open("rb") as handle:
        job = _check(
            http.post(
                "/imports",
                data={"campaign_id": campaign["id"], "mapping": json.dumps(mapping)},
                files={"file": (contacts.name, handle, "text/csv")},
            )
        )
    while job["status"] not in ("completed", "failed", "canceled"):
        time.sleep(0.3)
        job = _check(http.get(f"/imports/{job['id']}"))
    typer.echo(
        f"campaign {campaign['id']} ({spec['name']}) started; {contacts.name}: {job['rows']} rows, "
        f"{job['imported']} imported, {job['duplicates']} duplicates, {job['invalid']} invalid, "
        f"{job.get('suppressed', 0)} on the do-not-call list"
    )
    return str(campaign["id"]), job


def run(
    campaign_file: Path = typer.Option(None, "--campaign", help="Campaign file (default examples/campaign.yaml)"),
    contacts: Path = typer.Option(None, "--contacts", help="CSV (default examples/contacts.csv)"),
    summary: Path = typer.Option(Path("demo-summary.json"), "--summary", help="Where to write the summary"),
    timeout: float = typer.Option(300.0, help="Seconds before the demo gives up"),
) -> None:
    """Run the example campaign end to end on the running stack (started with `--virtual-clock`)."""
    if not clock_file().exists():
        typer.echo("error: the stack runs on real time; start it with `outreach stack up --virtual-clock`", err=True)
        raise typer.Exit(2)
    stack = from_env(virtual_clock=True)
    clock = OffsetClock(clock_file())
    spec = yaml.safe_load((campaign_file or repo_root() / "examples" / "campaign.yaml").read_text())
    contacts = contacts or repo_root() / "examples" / "contacts.csv"
    clock.shift((START - clock.now()).total_seconds())
    started = time.monotonic()
    try:
        with httpx.Client(
            base_url=stack.api, headers={"Authorization": f"Bearer {_workspace(stack)}"}, timeout=60
        ) as http:
            campaign_id, job = _prepare(http, stack, spec, contacts)
            progress = Progress(http, stack, clock, campaign_id, stops=STOPS)
            done = progress.follow(until=started + timeout)
            overview = _check(http.get(f"/campaigns/{campaign_id}/overview"))
            log = _check(httpx.get(stack.url("twilio-sim") + "/_sim/log", timeout=60))
    finally:
        clock.shift(-(clock.now() - datetime.now(UTC)).total_seconds())  # back to real time
    report = checked(contacts, ["to_number=phone", "state=state"])  # numbers as ingest normalises them
    states = {c["phone"]: c.get("state") for c in report["contacts"]}
    window = ContactWindow.model_validate(spec["window"])
    sms_step: dict[str, Any] = next((s for s in spec["flow"] if s["kind"] == "sms"), {})
    sms_window = TimeRange.model_validate(sms_step["window"]) if sms_step.get("window") else None
    outside = outside_window(log, window, sms_window, states)
    typer.echo("")
    typer.echo(outcome_table(overview, spec))
    result = {
        "campaign_id": campaign_id,
        "import": {k: job.get(k) for k in ("rows", "imported", "duplicates", "invalid", "suppressed")},
        "overview": {k: overview[k] for k in ("total", "queued", "active", "errored", "exited", "completed")},
        "exited_by_reason": overview["exited_by_reason"],
        "funnel_by_step": overview["funnel_by_step"],
        "calls": sum(1 for e in log if e["kind"] == "call"),
        "sms": sum(1 for e in log if e["kind"] == "sms"),
        "stop_replies": progress.stopped,
        "outside_window": len(outside),
        "all_done": done,
        "wall_seconds": round(time.monotonic() - started, 1),
    }
    summary.write_text(json.dumps(result, indent=2) + "\n")
    typer.echo(f"summary written to {summary}")
    sent = result["calls"] + result["sms"]
    if outside or not done:
        typer.echo(
            f"CHECK FAILED: {len(outside)} of {sent} calls and texts went outside their contact's window"
            + ("" if done else "; the campaign did not finish in time")
        )
        raise typer.Exit(1)
    typer.echo(f"check passed: all {sent} calls and texts (simulator log) were inside their contact's window")
