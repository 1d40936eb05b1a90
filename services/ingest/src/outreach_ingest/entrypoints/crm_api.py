"""The CRM API: connections (by token or OAuth), feeds of campaigns, sync runs and their reports."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, HTTPException, Query, Request
from outreach_common.errors import CONFLICT, unprocessable
from outreach_common.identity import REQUIRED, Caller

from outreach_ingest.adapters.crm.gohighlevel import default_mapping as ghl_mapping
from outreach_ingest.adapters.crm.http import CrmConnectionError, CrmRefusedError
from outreach_ingest.adapters.crm.hubspot import default_mapping
from outreach_ingest.adapters.crm.leaddocket import default_mapping as leaddocket_mapping
from outreach_ingest.adapters.crm.monday import default_mapping as monday_mapping
from outreach_ingest.adapters.crm.salesforce import default_mapping as sf_mapping
from outreach_ingest.adapters.crm_store import public
from outreach_ingest.domain.crm import ID_COLUMN
from outreach_ingest.domain.crm_signatures import webhook_url
from outreach_ingest.entrypoints.crm_schemas import Connection, ConnectionIn, Feed, FeedIn, Sync, SyncRecord
from outreach_ingest.handlers.crm_deps import CrmDeps
from outreach_ingest.handlers.crm_sync import start_sync
from outreach_ingest.handlers.crm_watch import watch_board, webhook_key

router = APIRouter(prefix="/crm", tags=["crm"], dependencies=REQUIRED)
HIDDEN = ("sealed", "workspace_id", "settings")
CHECK_S = 5.0  # a connection check that takes longer says the CRM did not answer


def _deps(request: Request) -> CrmDeps:
    deps: CrmDeps = request.app.state.crm
    return deps


async def _connection(connection_id: str, deps: CrmDeps, who: Caller) -> dict[str, Any]:
    doc = await deps.store.connection(connection_id, who.workspace_id)
    if doc is None:
        raise HTTPException(404, f"connection {connection_id} not found")
    return doc


async def checked(doc: dict[str, Any], deps: CrmDeps) -> dict[str, Any]:
    """The connection tried against its CRM: connected, or broken with the CRM's reason."""
    connector = deps.open(doc)
    now = deps.imports.clock.now()
    try:
        await asyncio.wait_for(connector.check(), CHECK_S)
        fields: dict[str, Any] = {"status": "connected", "problem": None, "checked_at": now}
    except CrmConnectionError as exc:
        fields = {"status": "broken", "problem": exc.reason, "checked_at": now}
    except CrmRefusedError as exc:
        fields = {"status": "broken", "problem": f"{doc['kind']} refused the check: {exc}", "checked_at": now}
    except (TimeoutError, httpx.TransportError) as exc:
        problem = f"{doc['kind']} did not answer within {CHECK_S:.0f} s ({type(exc).__name__}): wrong address?"
        fields = {"status": "broken", "problem": problem, "checked_at": now}
    finally:
        await connector.close()
    await deps.store.update_connection(doc["_id"], fields)
    return {**doc, **fields}


@router.post("/connections", status_code=201, response_model=Connection, summary="Connect a CRM with a token")
async def connect(body: ConnectionIn, request: Request, who: Caller) -> dict[str, Any]:
    """The token is checked against the CRM at once (a refused one is stored as `broken` with why) and kept
    encrypted."""
    deps = _deps(request)
    if body.kind == "salesforce":
        raise unprocessable((["body", "kind"], "Salesforce connects by OAuth: GET /crm/oauth/salesforce/start"))
    if body.kind == "leaddocket" and not re.match(
        request.app.state.settings.crm_leaddocket_url_pattern, (body.base_url or "").rstrip("/")
    ):
        raise unprocessable(
            (["body", "base_url"], "a Lead Docket connection needs its firm URL (https://<firm>.leaddocket.com)")
        )
    if body.kind == "gohighlevel" and not body.location_id:
        raise unprocessable((["body", "location_id"], "a GoHighLevel connection needs its location id"))
    doc = {
        "_id": f"crm_{uuid.uuid4().hex[:12]}",
        "workspace_id": who.workspace_id,
        "kind": body.kind,
        "name": body.name,
        "auth": "token",
        "sealed": deps.box.seal(
            {"access_token": body.token, "webhook_secret": body.webhook_secret, "webhook_key": webhook_key()}
        ),
        "settings": {
            "opt_out_property": body.opt_out_property,
            "location_id": body.location_id,
            "base_url": (body.base_url or "").rstrip("/"),
            "status_after_call": body.status_after_call,
        },
        "status": "connected",
        "created_at": deps.imports.clock.now(),
    }
    if (body.webhook_secret and body.kind == "hubspot") or body.kind == "monday":
        doc["webhook_url"] = webhook_url(request.app.state.settings.public_url, body.kind, str(doc["_id"]))
    await deps.store.add_connection(doc)
    return public(await checked(doc, deps), hide=HIDDEN)


@router.get("/connections", response_model=list[Connection], summary="The workspace's CRM connections")
async def connections(request: Request, who: Caller) -> list[dict[str, Any]]:
    return [public(d, hide=HIDDEN) for d in await _deps(request).store.connections_of(who.workspace_id)]


@router.post("/connections/{connection_id}/check", response_model=Connection, summary="Check a connection again")
async def check(connection_id: str, request: Request, who: Caller) -> dict[str, Any]:
    deps = _deps(request)
    return public(await checked(await _connection(connection_id, deps, who), deps), hide=HIDDEN)


@router.delete("/connections/{connection_id}", status_code=204, summary="Remove a connection and its feeds")
async def disconnect(connection_id: str, request: Request, who: Caller) -> None:
    deps = _deps(request)
    await _connection(connection_id, deps, who)
    await deps.store.remove_connection(connection_id)


@router.post("/feeds", status_code=201, response_model=Feed, summary="Feed a campaign from a CRM (starts a full sync)")
async def add_feed(body: FeedIn, request: Request, who: Caller) -> dict[str, Any]:
    deps = _deps(request)
    connection = await _connection(body.connection_id, deps, who)
    if not await request.app.state.campaigns.belongs(body.campaign_id, who.workspace_id, wait_s=5.0):
        raise HTTPException(404, f"campaign {body.campaign_id} not found")
    if connection["kind"] == "hubspot" and not body.source.get("list_id"):
        raise unprocessable((["body", "source", "list_id"], "a HubSpot feed reads a list: give its list_id"))
    if connection["kind"] == "gohighlevel" and not (body.source.get("tag") or body.source.get("pipeline_id")):
        raise unprocessable((["body", "source"], "a GoHighLevel feed reads a tag, or a pipeline (and stage)"))
    if connection["kind"] == "salesforce" and not ({"where", "campaign_id", "list_view_id"} & set(body.source)):
        raise unprocessable(
            (["body", "source"], "a Salesforce feed reads a filter (where), a campaign_id or a list_view_id")
        )
    if connection["kind"] == "leaddocket" and not body.source.get("status"):
        raise unprocessable((["body", "source", "status"], "a Lead Docket feed reads a lead status: give its status"))
    if connection["kind"] == "monday" and not body.source.get("board_id"):
        raise unprocessable((["body", "source", "board_id"], "a monday.com feed reads a board: give its board_id"))
    if connection["kind"] == "salesforce":
        defaults = sf_mapping(body.source.get("object", "Contact"))
    else:
        choices = {"gohighlevel": ghl_mapping, "monday": monday_mapping, "leaddocket": leaddocket_mapping}
        defaults = choices.get(connection["kind"], default_mapping)()
    mapping = {**defaults, **(body.mapping or {})}
    if not mapping.get("to_number"):
        raise unprocessable((["body", "mapping", "to_number"], "to_number is required"))
    if ID_COLUMN in mapping:
        raise unprocessable((["body", "mapping", ID_COLUMN], f"{ID_COLUMN} is kept for the record id"))
    feed = {
        "_id": f"feed_{uuid.uuid4().hex[:12]}",
        "workspace_id": who.workspace_id,
        "kind": connection["kind"],
        "connection_id": body.connection_id,
        "campaign_id": body.campaign_id,
        "source": body.source,
        "mapping": {k: v for k, v in mapping.items() if v},
        "every_minutes": body.every_minutes,
        "default_region": body.default_region,
        "created_at": deps.imports.clock.now(),
        "last_started_at": deps.imports.clock.now(),
    }
    if connection["kind"] == "monday":
        feed["push"] = await watch_board(feed, connection, deps, request.app.state.settings.public_url)
    await deps.store.add_feed(feed)
    sync = await start_sync(feed, deps, full=True)
    return public({**feed, "last_sync_id": sync["_id"] if sync else None, "last_status": "fetching"}, hide=HIDDEN)


@router.get("/feeds", response_model=list[Feed], summary="The workspace's CRM feeds")
async def feeds(request: Request, who: Caller) -> list[dict[str, Any]]:
    return [public(d, hide=HIDDEN) for d in await _deps(request).store.feeds_of(who.workspace_id)]


@router.post(
    "/feeds/{feed_id}/sync", status_code=202, response_model=Sync, summary="Sync a feed now", responses=CONFLICT
)
async def sync_now(
    feed_id: str,
    request: Request,
    who: Caller,
    full: Annotated[bool, Query(description="Read every record, not only those changed since the last sync")] = False,
) -> dict[str, Any]:
    deps = _deps(request)
    feed = await deps.store.feed(feed_id, who.workspace_id)
    if feed is None:
        raise HTTPException(404, f"feed {feed_id} not found")
    sync = await start_sync(feed, deps, full=full)
    if sync is None:
        raise HTTPException(409, f"feed {feed_id} is syncing already")
    return public(sync, hide=HIDDEN)


@router.get("/feeds/{feed_id}/syncs", response_model=list[Sync], summary="A feed's latest syncs")
async def feed_syncs(feed_id: str, request: Request, who: Caller) -> list[dict[str, Any]]:
    deps = _deps(request)
    if await deps.store.feed(feed_id, who.workspace_id) is None:
        raise HTTPException(404, f"feed {feed_id} not found")
    return [public(s, hide=HIDDEN) for s in await deps.store.syncs_of(feed_id)]


@router.delete("/feeds/{feed_id}", status_code=204, summary="Stop feeding the campaign from the CRM")
async def remove_feed(feed_id: str, request: Request, who: Caller) -> None:
    deps = _deps(request)
    if await deps.store.feed(feed_id, who.workspace_id) is None:
        raise HTTPException(404, f"feed {feed_id} not found")
    await deps.store.feeds.delete_one({"_id": feed_id})


async def _sync(sync_id: str, deps: CrmDeps, who: Caller) -> dict[str, Any]:
    sync = await deps.store.sync(sync_id)
    if sync is None or sync["workspace_id"] != who.workspace_id:
        raise HTTPException(404, f"sync {sync_id} not found")
    return sync


@router.get("/syncs/{sync_id}", response_model=Sync, summary="A sync's progress and report")
async def get_sync(sync_id: str, request: Request, who: Caller) -> dict[str, Any]:
    return public(await _sync(sync_id, _deps(request), who), hide=HIDDEN)


@router.get(
    "/syncs/{sync_id}/records", response_model=list[SyncRecord], summary="Records a sync did not import, and why"
)
async def sync_records(sync_id: str, request: Request, who: Caller) -> list[dict[str, Any]]:
    """Each record the CRM suppressed, and each the import turned away (duplicate, invalid, on the
    do-not-call list) with the record's id."""
    deps = _deps(request)
    sync = await _sync(sync_id, deps, who)
    found = [dict(r) for r in sync.get("suppressed_records", [])]
    if sync.get("import_id"):
        async for row in deps.imports.imports.iter_rejected(sync["import_id"]):
            values = row.get("values") or [""]
            found.append({"record_id": values[0], "status": row["status"], "reason": row.get("reason")})
    return found
