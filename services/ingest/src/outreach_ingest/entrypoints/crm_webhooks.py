"""CRM webhooks (public, each checking its CRM's signature): HubSpot's contact events start an incremental
sync of the feeds of the connection they were sent for."""

from __future__ import annotations

import json
import time

from fastapi import APIRouter, HTTPException, Request

from outreach_ingest.domain.hubspot_signature import valid
from outreach_ingest.handlers.crm_deps import CrmDeps
from outreach_ingest.handlers.crm_sync import start_sync

router = APIRouter(prefix="/webhooks/crm", tags=["webhooks"])
CONTACT_EVENTS = ("contact.creation", "contact.propertyChange", "contact.merge", "contact.restore")


@router.post(
    "/hubspot/{connection_id}",
    status_code=204,
    summary="HubSpot's contact events for one connection",
    responses={
        400: {"description": "The body is not JSON"},
        401: {"description": "The signature is missing, wrong or older than five minutes"},
    },
)
async def hubspot_events(connection_id: str, request: Request) -> None:
    """Signed with the connection's webhook secret (its HubSpot app's client secret, `X-HubSpot-Signature-v3`);
    contact events start an incremental sync of each feed of the connection (one at a time per feed)."""
    crm: CrmDeps = request.app.state.crm
    connection = await crm.store.connection(connection_id)
    secret = crm.box.open(connection["sealed"]).get("webhook_secret") if connection else None
    body = await request.body()
    uri = request.app.state.settings.public_url.rstrip("/") + request.url.path
    if request.url.query:
        uri += "?" + request.url.query
    headers = request.headers
    if not secret or not valid(
        secret,
        method=request.method,
        uri=uri,
        body=body,
        timestamp=headers.get("X-HubSpot-Request-Timestamp", ""),
        given=headers.get("X-HubSpot-Signature-v3", ""),
        now_ms=int(time.time() * 1000),
    ):
        raise HTTPException(401, "invalid or stale X-HubSpot-Signature-v3")
    try:
        events = json.loads(body)
    except json.JSONDecodeError as exc:
        raise HTTPException(400, "the body is not JSON") from exc
    if not any(isinstance(e, dict) and e.get("subscriptionType") in CONTACT_EVENTS for e in events or []):
        return
    for feed in await crm.store.feeds_of_connection(connection_id):
        await start_sync(feed, crm, full=False)
