"""`outreach crm`: connect a CRM, feed a campaign from it, sync and read the sync's report."""

from __future__ import annotations

import time
from typing import Any

import typer

from outreach_cli.client import JSON, KEY, URL, USAGE, Api, call, fail
from outreach_cli.output import field, pairs, say, show

app = typer.Typer(help="CRM connections, the campaigns they feed, and their syncs.", no_args_is_help=True)

SYNC_KEYS = ("id", "status", "mode", "fetched", "imported", "duplicates", "invalid", "suppressed", "crm_suppressed",
             "requests", "error")  # fmt: skip


@app.command("connect")
def connect(
    kind: str = typer.Argument(
        ..., help="hubspot, gohighlevel, monday or leaddocket (Salesforce: `outreach crm sign-in`)"
    ),
    name: str = typer.Option(..., "--name", help="What the workspace calls the connection"),
    token: str = typer.Option(
        ..., "--token", help="Private-app / integration token (kept encrypted)", envvar="OUTREACH_CRM_TOKEN"
    ),
    location: str | None = typer.Option(None, "--location", help="GoHighLevel: the location (sub-account) id"),
    opt_out: str | None = typer.Option(None, "--opt-out", help="HubSpot's opt-out property, monday.com's column"),
    firm_url: str | None = typer.Option(None, "--firm-url", help="Lead Docket: https://<firm>.leaddocket.com"),
    status_after_call: str | None = typer.Option(None, "--status-after-call", help="Lead Docket: once answered"),
    json_out: bool = JSON,
    url: str = URL,
    key: str = KEY,
) -> None:
    """Connect with a token; the CRM is asked at once (a refused token is shown as broken, with why)."""
    with Api(url, key) as api:
        extra = {"location_id": location, "opt_out_property": opt_out, "base_url": firm_url,
                 "status_after_call": status_after_call}  # fmt: skip
        body = {"kind": kind, "name": name, "token": token, **{k: v for k, v in extra.items() if v}}
        found = api.call("POST", "/crm/connections", json=body)
    pairs(found, ("id", "kind", "name", "status", "problem"), json_out=json_out)
    if found["status"] != "connected":
        raise typer.Exit(1)


@app.command("sign-in")
def sign_in(
    kind: str = typer.Argument(..., help="hubspot, salesforce, gohighlevel or monday"),
    name: str = typer.Option(..., "--name", help="What the workspace calls the connection"),
    json_out: bool = JSON,
    url: str = URL,
    key: str = KEY,
) -> None:
    """Connect by OAuth: the CRM's consent page to open in a browser signed in to the console (an admin);
    the CRM sends the browser back to the console, where the connection then shows."""
    started = call(url, key, "GET", "/crm/oauth/{kind}/start", {"kind": kind}, params={"name": name})
    say(
        started,
        f"Open this page in a browser signed in to the console, and allow access:\n{started['authorize_url']}",
        json_out=json_out,
    )


@app.command("connections")
def connections(json_out: bool = JSON, url: str = URL, key: str = KEY) -> None:
    """The workspace's connections and their state."""
    found = call(url, key, "GET", "/crm/connections")
    columns = [("ID", field("id")), ("KIND", field("kind")), ("NAME", field("name")), ("AUTH", field("auth")),
               ("STATUS", field("status")), ("PROBLEM", field("problem", "-")),
               ("WEBHOOKS TO", field("webhook_url", "-"))]  # fmt: skip
    show(found, found, columns, json_out=json_out)


@app.command("check")
def check(connection_id: str = typer.Argument(...), json_out: bool = JSON, url: str = URL, key: str = KEY) -> None:
    """Ask the CRM again whether the connection works."""
    found = call(url, key, "POST", "/crm/connections/{connection_id}/check", {"connection_id": connection_id})
    pairs(found, ("id", "status", "problem"), json_out=json_out)


@app.command("disconnect")
def disconnect(connection_id: str = typer.Argument(...), url: str = URL, key: str = KEY) -> None:
    """Remove a connection and the feeds that use it."""
    call(url, key, "DELETE", "/crm/connections/{connection_id}", {"connection_id": connection_id})
    typer.echo(f"removed {connection_id}")


def _pairs(values: list[str]) -> dict[str, str]:
    found = {}
    for value in values:
        name, sep, crm_field = value.partition("=")
        if not sep or not name or not crm_field:
            raise fail(f"--map {value!r}: expected FIELD=CRM_FIELD", USAGE)
        found[name] = crm_field
    return found


@app.command("feed")
def feed(
    campaign_id: str = typer.Argument(..., help="The campaign to feed"),
    connection_id: str = typer.Option(..., "--connection"),
    list_id: str | None = typer.Option(None, "--list", help="HubSpot: the list's id"),
    tag: str | None = typer.Option(None, "--tag", help="GoHighLevel: contacts with this tag"),
    pipeline: str | None = typer.Option(None, "--pipeline", help="GoHighLevel: a pipeline's opportunities"),
    stage: str | None = typer.Option(None, "--stage", help="GoHighLevel: ... in this stage"),
    board: str | None = typer.Option(None, "--board", help="monday.com: a board's items"),
    group: str | None = typer.Option(None, "--group", help="monday.com: ... in this group"),
    status: str | None = typer.Option(None, "--status", help="Lead Docket: leads in this status"),
    case_type: str | None = typer.Option(None, "--case-type", help="Lead Docket: ... of this case type"),
    where: str | None = typer.Option(None, "--where", help="Salesforce: a SOQL filter on --object"),
    object_: str = typer.Option("Contact", "--object", help="Salesforce: Contact or Lead"),
    map_: list[str] = typer.Option([], "--map", help="FIELD=CRM_FIELD (to_number=mobilephone, plan=plan_tier...)"),
    every: int = typer.Option(0, "--every", min=0, help="Incremental sync every N minutes (0: on demand)"),
    wait: bool = typer.Option(True, "--wait/--no-wait", help="Wait for the first sync's report"),
    json_out: bool = JSON,
    url: str = URL,
    key: str = KEY,
) -> None:
    """Feed a campaign from a CRM list, tag or pipeline stage; its first (full) sync starts at once."""
    given = {"list_id": list_id, "tag": tag, "pipeline_id": pipeline, "stage_id": stage, "board_id": board,
             "group_id": group, "status": status, "case_type": case_type, "where": where}  # fmt: skip
    source = {k: v for k, v in given.items() if v}
    if where:
        source["object"] = object_
    if not source:
        raise fail("say what feeds the campaign: --list (HubSpot), --tag or --pipeline [--stage] (GoHighLevel), "
                   "--board [--group] (monday.com), --where [--object] (Salesforce), --status [--case-type] "
                   "(Lead Docket)", USAGE)  # fmt: skip
    body: dict[str, Any] = {"connection_id": connection_id, "campaign_id": campaign_id, "source": source,
                            "every_minutes": every, **({"mapping": _pairs(map_)} if map_ else {})}  # fmt: skip
    with Api(url, key) as api:
        made = api.call("POST", "/crm/feeds", json=body)
        if not wait or not made.get("last_sync_id"):
            pairs(made, ("id", "campaign_id", "last_sync_id"), json_out=json_out)
            return
        _report(api, made["last_sync_id"], json_out=json_out)


@app.command("feeds")
def feeds(json_out: bool = JSON, url: str = URL, key: str = KEY) -> None:
    """The workspace's feeds and how their last sync went."""
    found = call(url, key, "GET", "/crm/feeds")
    columns = [("ID", field("id")), ("CAMPAIGN", field("campaign_id")), ("SOURCE", field("source")),
               ("EVERY (MIN)", field("every_minutes")), ("LAST", field("last_status", "-")),
               ("PUSH", field("push", "-"))]  # fmt: skip
    show(found, found, columns, json_out=json_out)


@app.command("sync")
def sync(
    feed_id: str = typer.Argument(...),
    full: bool = typer.Option(False, "--full", help="Every record, not only what changed since the last sync"),
    json_out: bool = JSON,
    url: str = URL,
    key: str = KEY,
) -> None:
    """Sync a feed now and print its report when it ends."""
    with Api(url, key) as api:
        started = api.call(
            "POST", "/crm/feeds/{feed_id}/sync", {"feed_id": feed_id}, params={"full": str(full).lower()}
        )
        _report(api, started["id"], json_out=json_out)


@app.command("report")
def report(
    sync_id: str = typer.Argument(...),
    records: bool = typer.Option(False, "--records", help="Also each record not imported, and why"),
    json_out: bool = JSON,
    url: str = URL,
    key: str = KEY,
) -> None:
    """A sync's report."""
    with Api(url, key) as api:
        found = api.call("GET", "/crm/syncs/{sync_id}", {"sync_id": sync_id})
        pairs(found, SYNC_KEYS, json_out=json_out)
        if records:
            rows = api.call("GET", "/crm/syncs/{sync_id}/records", {"sync_id": sync_id})
            columns = [("RECORD", field("record_id")), ("STATUS", field("status")), ("REASON", field("reason", "-"))]
            show(rows, rows, columns, json_out=json_out)


def _report(api: Api, sync_id: str, *, json_out: bool, timeout_s: float = 3600) -> None:
    deadline = time.monotonic() + timeout_s
    while (found := api.call("GET", "/crm/syncs/{sync_id}", {"sync_id": sync_id}))["status"] not in (
        "completed",
        "failed",
    ):
        if time.monotonic() > deadline:
            break
        time.sleep(1)
    pairs(found, SYNC_KEYS, json_out=json_out)
    if found["status"] == "failed":
        raise typer.Exit(1)
