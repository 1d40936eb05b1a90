"""`outreach dnc|numbers|agents`: the do-not-call list, caller ids and AI agents of the workspace."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import typer

from outreach_cli.client import JSON, KEY, URL, USAGE, Api, call, fail, readable
from outreach_cli.output import field, pairs, show

dnc = typer.Typer(help="The workspace's do-not-call list.", no_args_is_help=True)
numbers = typer.Typer(help="Caller ids (and SMS senders) of the workspace.", no_args_is_help=True)
agents = typer.Typer(help="AI agents calls are handed to.", no_args_is_help=True)


@dnc.command("add")
def dnc_add(
    phones: list[str] = typer.Argument(..., help="Numbers in any common format"),
    reason: str | None = typer.Option(None, "--reason"),
    json_out: bool = JSON,
    url: str = URL,
    key: str = KEY,
) -> None:
    """Add numbers; their contacts exit every campaign of the workspace."""
    result = call(url, key, "POST", "/dnc", json={"phones": phones, "reason": reason})
    pairs(result, ("added", "already_listed", "invalid"), json_out=json_out)


@dnc.command("import")
def dnc_import(
    file: Path = typer.Argument(..., help="CSV of numbers"),
    column: str | None = typer.Option(None, "--column", help="Column of numbers (default: the first)"),
    no_headers: bool = typer.Option(False, "--no-headers"),
    reason: str | None = typer.Option(None, "--reason"),
    json_out: bool = JSON,
    url: str = URL,
    key: str = KEY,
) -> None:
    """Add every number of a CSV file."""
    readable(file)
    form = {"has_headers": str(not no_headers).lower(), **({"column": column} if column else {})}
    form |= {"reason": reason} if reason else {}
    with Api(url, key) as api, file.open("rb") as handle:
        result = api.call("POST", "/dnc/imports", data=form, files={"file": (file.name, handle, "text/csv")})
    pairs(result, tuple(result), json_out=json_out)


@dnc.command("list")
def dnc_list(limit: int = typer.Option(500, min=1), json_out: bool = JSON, url: str = URL, key: str = KEY) -> None:
    """The list, in order."""
    items: list[dict[str, Any]] = []
    after: str | None = None
    with Api(url, key) as api:
        while len(items) < limit:
            params: dict[str, Any] = {"limit": min(500, limit - len(items)), **({"after": after} if after else {})}
            page = api.call("GET", "/dnc", params=params)
            items += page["items"]
            if (after := page["next"]) is None:
                break
    columns = [("PHONE", field("phone")), ("REASON", field("reason", "-")), ("ADDED", field("added_at", "-"))]
    show({"items": items}, items, columns, json_out=json_out)


@dnc.command("remove")
def dnc_remove(phone: str = typer.Argument(...), url: str = URL, key: str = KEY) -> None:
    """Take a number off the list (future imports reach it again)."""
    call(url, key, "DELETE", "/dnc/{phone}", {"phone": phone})
    typer.echo(f"removed {phone}")


NUMBER_COLUMNS = [
    ("NUMBER", field("number")),
    ("TAGS", field("tags")),
    ("STATE", field("state", "-")),
    ("STATUS", field("status")),
    ("ANSWER RATE", field("answer_rate", "-")),
]


@numbers.command("import")
def numbers_import(
    file: Path = typer.Argument(..., help="CSV with a `number` column and optional `tags` (separated by ;)"),
    tag: list[str] = typer.Option([], "--tag", help="Tag every number with this too (repeat)"),
    json_out: bool = JSON,
    url: str = URL,
    key: str = KEY,
) -> None:
    """Add or update many numbers at once."""
    try:
        rows = list(csv.DictReader(io.StringIO(file.read_text(encoding="utf-8-sig"))))
    except OSError as exc:
        raise fail(f"{file}: {exc.strerror or exc}", USAGE) from None
    if not rows or "number" not in rows[0]:
        raise fail(f"{file}: expected a header row with a `number` column", USAGE)
    body = {
        "numbers": [
            {"number": r["number"].strip(), "tags": sorted({*tag, *(t for t in (r.get("tags") or "").split(";") if t)})}
            for r in rows
        ]
    }
    result = call(url, key, "POST", "/numbers/import", json=body)
    pairs(result, tuple(result), json_out=json_out)


@numbers.command("list")
def numbers_list(
    tag: str | None = typer.Option(None, "--tag"), json_out: bool = JSON, url: str = URL, key: str = KEY
) -> None:
    """The workspace's numbers with tags, state and answer rate."""
    found = call(url, key, "GET", "/numbers", params={"tag": tag} if tag else {})
    show(found, found, NUMBER_COLUMNS, json_out=json_out)


@numbers.command("tag")
def numbers_tag(
    number: str = typer.Argument(...),
    add: list[str] = typer.Option([], "--add", help="Tag to add (repeat)"),
    remove: list[str] = typer.Option([], "--remove", help="Tag to remove (repeat)"),
    json_out: bool = JSON,
    url: str = URL,
    key: str = KEY,
) -> None:
    """Add tags to a number and remove others; its other settings stay."""
    if not add and not remove:
        raise fail("nothing to change: give --add TAG or --remove TAG", USAGE)
    with Api(url, key) as api:
        current = api.call("GET", "/numbers/{number}", {"number": number})
        tags = sorted((set(current.get("tags", [])) - set(remove)) | set(add))
        body = {"number": number, "tags": tags}
        for name in ("capabilities", "status", "caps", "cooldown_s"):
            if name in current:
                body[name] = current[name]
        updated = api.call("POST", "/numbers", json=body)
    pairs(updated, ("number", "tags", "status"), json_out=json_out)


@agents.command("add")
def agents_add(
    agent_id: str = typer.Argument(..., help="Id used in campaign steps"),
    address: str = typer.Option(..., "--address", help="TwiML URL, SIP URI or media-stream WebSocket URL"),
    kind: str = typer.Option("twiml", "--kind", help="twiml, sip or stream"),
    name: str | None = typer.Option(None, "--name"),
    var: list[str] = typer.Option([], "--var", help="NAME=VALUE sent with every call (repeat)"),
    json_out: bool = JSON,
    url: str = URL,
    key: str = KEY,
) -> None:
    """Add or replace an agent."""
    variables = dict(v.split("=", 1) for v in var if "=" in v)
    if len(variables) != len(var):
        raise fail("--var expects NAME=VALUE", USAGE)
    body = {"id": agent_id, "name": name or agent_id, "kind": kind, "address": address, "variables": variables}
    agent = call(url, key, "PUT", "/agents/{agent_id}", {"agent_id": agent_id}, json=body)
    pairs(agent, ("id", "name", "kind", "address"), json_out=json_out)


@agents.command("list")
def agents_list(json_out: bool = JSON, url: str = URL, key: str = KEY) -> None:
    """The workspace's agents."""
    found = call(url, key, "GET", "/agents")
    columns = [("ID", field("id")), ("NAME", field("name")), ("KIND", field("kind")), ("ADDRESS", field("address"))]
    show(found, found, columns, json_out=json_out)
