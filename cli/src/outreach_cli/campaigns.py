"""`outreach campaign ...`: create, edit, show, list, start, pause, resume, stop, preview and watch
campaigns; `campaign schema` prints the JSON Schema of the campaign file."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
import yaml
from outreach_scheduler.domain.campaign import CampaignSpec

from outreach_cli.client import JSON, KEY, URL, USAGE, Api, call, fail
from outreach_cli.output import as_json, field, pairs, say, show
from outreach_cli.watch import watch

app = typer.Typer(help="Campaigns: create, run and watch them.", no_args_is_help=True)
app.command("watch")(watch)

SUMMARY = ("id", "spec.name", "status", "created_at", "starts_at", "started_at")
COLUMNS = [
    ("ID", field("id")),
    ("NAME", field("spec.name")),
    ("STATUS", field("status")),
    ("CREATED", field("created_at")),
    ("STARTED", field("started_at")),
]


def read_spec(path: Path) -> dict[str, Any]:
    """A campaign file (YAML or JSON, in the API's own schema); exit 2 when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise fail(f"{path}: {exc.strerror or exc}", USAGE) from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise fail(f"{path}: not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {exc}", USAGE) from None
    if not isinstance(data, dict):
        raise fail(f"{path}: expected a mapping of campaign fields at the top", USAGE)
    return data


FILE = typer.Option(..., "-f", "--file", help="Campaign file (YAML or JSON; see `outreach campaign schema`)")


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of a campaign file (for editors)."""
    as_json(CampaignSpec.model_json_schema())


@app.command("create")
def create(file: Path = FILE, json_out: bool = JSON, url: str = URL, key: str = KEY) -> None:
    """Create a draft campaign from a file."""
    spec = read_spec(file)
    pairs(call(url, key, "POST", "/campaigns", json=spec), SUMMARY, json_out=json_out)


@app.command("edit")
def edit(
    campaign_id: str = typer.Argument(...), file: Path = FILE, json_out: bool = JSON, url: str = URL, key: str = KEY
) -> None:
    """Change the fields the file names (others stay as they are)."""
    changes = read_spec(file)
    with Api(url, key) as api:
        pairs(
            api.call("PATCH", "/campaigns/{campaign_id}", {"campaign_id": campaign_id}, json=changes),
            SUMMARY,
            json_out=json_out,
        )


@app.command("show")
def show_one(campaign_id: str = typer.Argument(...), json_out: bool = JSON, url: str = URL, key: str = KEY) -> None:
    """One campaign."""
    campaign = call(url, key, "GET", "/campaigns/{campaign_id}", {"campaign_id": campaign_id})
    pairs(campaign, SUMMARY, json_out=json_out)
    if not json_out:  # and its spec, in YAML
        typer.echo(yaml.safe_dump({"spec": campaign["spec"]}, sort_keys=False, allow_unicode=True).rstrip())


@app.command("list")
def list_campaigns(
    limit: int = typer.Option(100, min=1, max=500), json_out: bool = JSON, url: str = URL, key: str = KEY
) -> None:
    """The workspace's campaigns, newest first."""
    campaigns = call(url, key, "GET", "/campaigns", params={"limit": limit})
    show(campaigns, campaigns, COLUMNS, json_out=json_out)


@app.command("start")
def start(
    campaign_id: str = typer.Argument(...),
    at: datetime | None = typer.Option(None, "--at", help="Start later: an ISO instant with its offset"),
    json_out: bool = JSON,
    url: str = URL,
    key: str = KEY,
) -> None:
    """Start now, or schedule the start with --at."""
    if at is not None and at.tzinfo is None:
        raise fail("--at needs an offset or Z (for example 2026-03-09T09:00:00-05:00)", USAGE)
    body = {"at": at.isoformat()} if at else None
    _lifecycle("start", campaign_id, json_out, url, key, body)


@app.command("pause")
def pause(campaign_id: str = typer.Argument(...), json_out: bool = JSON, url: str = URL, key: str = KEY) -> None:
    """Pause: nothing new goes out; steps in flight finish."""
    _lifecycle("pause", campaign_id, json_out, url, key)


@app.command("resume")
def resume(campaign_id: str = typer.Argument(...), json_out: bool = JSON, url: str = URL, key: str = KEY) -> None:
    """Resume a paused campaign."""
    _lifecycle("resume", campaign_id, json_out, url, key)


@app.command("stop")
def stop(campaign_id: str = typer.Argument(...), json_out: bool = JSON, url: str = URL, key: str = KEY) -> None:
    """Stop for good: every contact still open exits `stopped`."""
    _lifecycle("stop", campaign_id, json_out, url, key)


def _lifecycle(verb: str, campaign_id: str, json_out: bool, url: str | None, key: str | None, body: Any = None) -> None:
    campaign = call(url, key, "POST", f"/campaigns/{{campaign_id}}/{verb}", {"campaign_id": campaign_id}, json=body)
    say(campaign, f"{campaign['id']}  {campaign['status']}", json_out=json_out)


@app.command("preview")
def preview(campaign_id: str = typer.Argument(...), json_out: bool = JSON, url: str = URL, key: str = KEY) -> None:
    """The launch preview: how many imported contacts will be skipped, and why."""
    result = call(url, key, "GET", "/campaigns/{campaign_id}/preview", {"campaign_id": campaign_id})
    split = "".join(f"\n  {reason.replace('_', ' ')}: {count}" for reason, count in result["split"].items())
    say(result, result["message"] + split, json_out=json_out)  # with --json, the JSON alone
