"""`outreach demo`: a small campaign end to end on the running local stack, through the gateway with a
workspace and an admin key it creates."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

import httpx
import typer
from outreach_devstack.paths import repo_root
from outreach_devstack.stack import from_env

DEFAULT_CSV = "examples/demo/contacts.csv"


def run(
    contacts: Path = typer.Option(None, help="CSV of contacts (default: examples/demo/contacts.csv)"),
    timeout: float = typer.Option(120.0, help="Seconds to wait for every contact to exit"),
) -> None:
    """Create a one-step phone campaign, start it, import the CSV and print the overview when all exited."""
    stack = from_env()
    path = contacts or repo_root() / DEFAULT_CSV
    created = _ok(
        httpx.post(
            f"{stack.api}/workspaces",
            json={
                "name": "Demo",
                "admin_email": f"demo-{secrets.token_hex(4)}@example.com",
                "admin_password": secrets.token_urlsafe(16),
            },
            headers={"X-Bootstrap-Token": stack.bootstrap_token},
            timeout=60.0,
        )
    )
    typer.echo(f"workspace {created['workspace_id']} created with an admin key")
    auth = {"Authorization": f"Bearer {created['api_key']}"}
    with httpx.Client(base_url=stack.api, headers=auth, timeout=30.0) as http:
        agent = {
            "id": "agt_demo",
            "name": "Demo agent",
            "kind": "twiml",
            "address": stack.url("twilio-sim") + "/twiml/agent",
        }
        _ok(http.put("/agents/agt_demo", json=agent))
        spec = {
            "name": "Demo: renewal reminder",
            "description": "One AI-agent call per contact",
            "window": {
                "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                "start": "00:00",
                "end": "24:00",
                "timezone": {"primary": "contact", "fallback": "America/New_York"},
                "compliance": "none",
            },
            "flow": [{"kind": "phone", "agent_id": "agt_demo"}],
            "numbers": {"numbers": ["+12125550100"]},
        }
        campaign = _ok(http.post("/campaigns", json=spec))
        _ok(http.post(f"/campaigns/{campaign['id']}/start"))
        typer.echo(f"campaign {campaign['id']} started; importing {path.name}")
        with path.open("rb") as handle:
            job = _ok(
                http.post(
                    "/imports",
                    data={
                        "campaign_id": campaign["id"],
                        "mapping": json.dumps(
                            {
                                "to_number": "phone",
                                "first_name": "first_name",
                                "last_name": "last_name",
                                "email": "email",
                            }
                        ),
                    },
                    files={"file": (path.name, handle, "text/csv")},
                )
            )
        overview = _wait(http, str(campaign["id"]), str(job["id"]), timeout)
    typer.echo(json.dumps({k: overview[k] for k in ("total", "queued", "active", "errored", "exited")}))
    typer.echo(json.dumps({"exited_by_reason": overview["exited_by_reason"], "funnel": overview["funnel"]}))
    if overview["exited"] != overview["total"] or overview["total"] == 0:
        raise typer.Exit(1)


def _wait(http: httpx.Client, campaign_id: str, import_id: str, timeout: float) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    overview: dict[str, object] = {}
    while time.monotonic() < deadline:
        job = _ok(http.get(f"/imports/{import_id}"))
        response = http.get(f"/campaigns/{campaign_id}/overview")
        if response.status_code == 404:  # metrics has not seen the campaign's first event yet
            time.sleep(0.5)
            continue
        overview = _ok(response)
        if (
            job["status"] == "completed"
            and overview["total"] == job["imported"]
            and overview["exited"] == overview["total"]
        ):
            return overview
        time.sleep(0.5)
    typer.echo("timed out waiting for every contact to exit", err=True)
    return overview


def _ok(response: httpx.Response) -> dict[str, object]:
    if response.status_code >= 400:
        typer.echo(
            f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text}", err=True
        )
        raise typer.Exit(1)
    data: dict[str, object] = response.json()
    return data
