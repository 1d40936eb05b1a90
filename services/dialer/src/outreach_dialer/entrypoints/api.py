"""The dialer's query API: call history with filters and pagination."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request

router = APIRouter(prefix="/calls", tags=["calls"])


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    doc = {k: v for k, v in doc.items() if k not in ("outbox", "command", "slots")}
    doc["idempotency_key"] = doc.pop("_id")
    return doc


@router.get("", summary="Call history")
async def list_calls(
    request: Request,
    campaign_id: str | None = None,
    contact_id: str | None = None,
    outcome: str | None = None,
    status: str | None = None,
    from_number: str | None = None,
    agent_id: str | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    skip: int = Query(default=0, ge=0),
) -> list[dict[str, Any]]:
    """Calls, newest first: campaign, contact, number used, agent, status trail with times, duration,
    outcome, recording URL when the provider gives one, and the agent's post-call report."""
    filters = {
        "campaign_id": campaign_id,
        "contact_id": contact_id,
        "outcome": outcome,
        "status": status,
        "from_number": from_number,
        "agent_id": agent_id,
    }
    query = {k: v for k, v in filters.items() if v is not None}
    docs = await request.app.state.deps.calls.history(query, skip=skip, limit=limit)
    return [_public(d) for d in docs]


@router.get("/{call_id}", summary="One call")
async def get_call(call_id: str, request: Request) -> dict[str, Any]:
    """One call with its status trail."""
    doc = await request.app.state.deps.calls.by_id(call_id)
    if doc is None:
        raise HTTPException(404, f"call {call_id} not found")
    return _public(doc)
