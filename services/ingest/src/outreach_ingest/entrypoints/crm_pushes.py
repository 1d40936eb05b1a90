"""GoHighLevel's and monday.com's webhooks (public, each checking its CRM's signature): a contact or item
created or changed starts an incremental sync of the feeds it may belong to (one at a time per feed)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request

from outreach_ingest.domain.crm_signatures import gohighlevel_signed, monday_signed, recent, same_key
from outreach_ingest.handlers.crm_deps import CrmDeps
from outreach_ingest.handlers.crm_sync import start_sync

router = APIRouter(prefix="/webhooks/crm", tags=["webhooks"])
GHL_EVENTS = ("ContactCreate", "ContactUpdate", "ContactTagUpdate", "ContactDndUpdate", "OpportunityCreate",
              "OpportunityStageUpdate")  # fmt: skip
MONDAY_EVENTS = ("create_pulse", "update_column_value", "update_name", "create_item", "change_column_value")
UNSIGNED: dict[int | str, dict[str, Any]] = {
    401: {"description": "The signature is missing, wrong or stale"},
    400: {"description": "Not JSON"},
}


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise HTTPException(400, "the body is not JSON") from exc


@router.post("/gohighlevel", status_code=204, summary="GoHighLevel's contact events (the app's webhook)",
             responses=UNSIGNED)  # fmt: skip
async def gohighlevel_events(request: Request) -> None:
    """Signed with HighLevel's Ed25519 key (`X-GHL-Signature`) and at most five minutes old; contact and
    opportunity events sync the feeds of every connection of the event's location."""
    crm: CrmDeps = request.app.state.crm
    key = request.app.state.settings.crm_gohighlevel_webhook_key
    body = await request.body()
    if not key or not gohighlevel_signed(key, body, request.headers.get("X-GHL-Signature", "")):
        raise HTTPException(401, "invalid X-GHL-Signature")
    event = _json(body)
    if not isinstance(event, dict) or not recent(event.get("timestamp"), datetime.now(UTC)):
        raise HTTPException(401, "the event is older than five minutes (or has no timestamp)")
    if event.get("type") not in GHL_EVENTS or not event.get("locationId"):
        return
    for connection in await crm.store.connections_of_location(str(event["locationId"])):
        for feed in await crm.store.feeds_of_connection(connection["_id"]):
            await start_sync(feed, crm, full=False)


@router.post("/monday/{connection_id}", summary="monday.com's item events for one connection", responses=UNSIGNED)
async def monday_events(connection_id: str, request: Request) -> dict[str, Any]:
    """A JWT signed with the app's signing secret (`Authorization`), or the connection's URL key (webhooks
    made with a personal token); the challenge sent when a webhook is made is answered, and item events
    sync the connection's feeds of the event's board."""
    crm: CrmDeps = request.app.state.crm
    connection = await crm.store.connection(connection_id)
    if connection is None:
        raise HTTPException(401, "unknown connection")
    secret = request.app.state.settings.crm_monday_signing_secret
    url_key = crm.box.open(connection["sealed"]).get("webhook_key", "")
    if not (
        (secret and monday_signed(secret, request.headers.get("Authorization", "")))
        or same_key(url_key, request.query_params.get("key", ""))
    ):
        raise HTTPException(401, "neither a signed JWT nor the connection's webhook key")
    body = _json(await request.body())
    if isinstance(body, dict) and "challenge" in body:
        return {"challenge": body["challenge"]}
    event = body.get("event") if isinstance(body, dict) else None
    if not isinstance(event, dict) or event.get("type") not in MONDAY_EVENTS:
        return {}
    board = str(event.get("boardId", ""))
    for feed in await crm.store.feeds_of_connection(connection_id):
        if str(feed.get("source", {}).get("board_id")) == board:
            await start_sync(feed, crm, full=False)
    return {}
