"""The dialer's query API: call history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request

router = APIRouter(prefix="/calls", tags=["calls"])


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    doc = {k: v for k, v in doc.items() if k not in ("outbox", "command")}
    doc["idempotency_key"] = doc.pop("_id")
    return doc


@router.get("", summary="Call history")
async def list_calls(
    request: Request,
    campaign_id: str | None = None,
    contact_id: str | None = None,
    outcome: str | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    skip: int = Query(default=0, ge=0),
) -> list[dict[str, Any]]:
    """Calls, newest first, filtered by campaign, contact and outcome."""
    query = {
        k: v
        for k, v in {"campaign_id": campaign_id, "contact_id": contact_id, "outcome": outcome}.items()
        if v is not None
    }
    cursor = request.app.state.deps.calls.collection.find(query).sort("queued_at", -1).skip(skip).limit(limit)
    return [_public(d) async for d in cursor]


@router.get("/{call_id}", summary="One call")
async def get_call(call_id: str, request: Request) -> dict[str, Any]:
    """One call with its status trail."""
    doc = await request.app.state.deps.calls.by_id(call_id)
    if doc is None:
        raise HTTPException(404, f"call {call_id} not found")
    return _public(doc)
