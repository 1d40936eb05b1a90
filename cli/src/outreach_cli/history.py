"""`outreach calls list` and `outreach messages list`: call and message history with the API's filters."""

from __future__ import annotations

from typing import Any

import typer

from outreach_cli.client import JSON, KEY, URL, Api
from outreach_cli.output import Column, field, show

calls = typer.Typer(help="Call history.", no_args_is_help=True)


def _listed(
    route: str, filters: dict[str, Any], columns: list[Column], *, limit: int, json_out: bool, url: str, key: str
) -> None:
    """Up to `limit` items of `route` with `filters`, page after page, shown as a table (or JSON)."""
    items: list[dict[str, Any]] = []
    after: str | None = None
    with Api(url, key) as api:
        while len(items) < limit:
            params = {k: v for k, v in filters.items() if v is not None} | {"limit": min(500, limit - len(items))}
            page = api.call("GET", route, params=params | ({"after": after} if after else {}))
            items += page["items"]
            if (after := page["next"]) is None:
                break
    show({"items": items}, items, columns, json_out=json_out)


@calls.command("list")
def list_calls(
    campaign: str | None = typer.Option(None, "--campaign"),
    contact: str | None = typer.Option(None, "--contact"),
    outcome: str | None = typer.Option(None, "--outcome", help="answered_human, voicemail, no_answer, busy, ..."),
    status: str | None = typer.Option(None, "--status"),
    from_number: str | None = typer.Option(None, "--from"),
    agent: str | None = typer.Option(None, "--agent"),
    limit: int = typer.Option(100, min=1),
    json_out: bool = JSON,
    url: str = URL,
    key: str = KEY,
) -> None:
    """Calls, newest first."""
    filters = {
        "campaign_id": campaign,
        "contact_id": contact,
        "outcome": outcome,
        "status": status,
        "from_number": from_number,
        "agent_id": agent,
    }
    columns: list[Column] = [
        ("CALL", field("call_id")),
        ("CONTACT", field("contact_id")),
        ("TO", field("phone")),
        ("FROM", field("from_number", "-")),
        ("STATUS", field("status")),
        ("OUTCOME", field("outcome", "-")),
        ("QUEUED", field("queued_at")),
    ]
    _listed("/calls", filters, columns, limit=limit, json_out=json_out, url=url, key=key)


def list_messages(
    campaign: str | None = typer.Option(None, "--campaign"),
    contact: str | None = typer.Option(None, "--contact"),
    status: str | None = typer.Option(None, "--status", help="sent, failed, held, ..."),
    channel: str | None = typer.Option(None, "--channel", help="sms or email"),
    limit: int = typer.Option(100, min=1),
    json_out: bool = JSON,
    url: str = URL,
    key: str = KEY,
) -> None:
    """SMS and email sends, newest first."""
    filters = {"campaign_id": campaign, "contact_id": contact, "status": status, "channel": channel}
    columns: list[Column] = [
        ("MESSAGE", field("id")),
        ("CONTACT", field("contact_id")),
        ("CHANNEL", field("channel")),
        ("STATUS", field("status")),
        ("REASON", field("reason", "-")),
        ("CREATED", field("created_at")),
    ]
    _listed("/messages", filters, columns, limit=limit, json_out=json_out, url=url, key=key)
