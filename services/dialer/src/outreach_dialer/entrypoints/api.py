"""The dialer's query API: the workspace's call history with filters and a cursor."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from outreach_common import cursors
from outreach_common.identity import REQUIRED, Caller

from outreach_dialer.entrypoints.schemas import CallPage, CallView

router = APIRouter(prefix="/calls", tags=["calls"], dependencies=REQUIRED)


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    doc = {k: v for k, v in doc.items() if k not in ("outbox", "command", "slots")}
    doc["idempotency_key"] = doc.pop("_id")
    return doc


@router.get("", response_model=CallPage, summary="Call history")
async def list_calls(
    request: Request,
    who: Caller,
    campaign_id: str | None = None,
    contact_id: str | None = None,
    outcome: str | None = None,
    status: str | None = None,
    from_number: str | None = None,
    agent_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    after: Annotated[str | None, Query(description="`next` of the previous page")] = None,
) -> dict[str, Any]:
    """Calls, newest first (in the order they were queued): campaign, contact, number used, agent, status
    trail with times, duration, outcome, recording URL when the provider gives one, and the agent's post-call
    report. Pass `next` back as `after` for the next page; `next` is null on the last page. A page filtered
    on status, outcome or number reads at most 20,000 calls, so a rare match's page may hold fewer than
    `limit` items and still have a `next`."""
    filters = {
        "campaign_id": campaign_id,
        "contact_id": contact_id,
        "outcome": outcome,
        "status": status,
        "from_number": from_number,
        "agent_id": agent_id,
    }
    wanted = {k: v for k, v in filters.items() if v is not None}
    before = cursors.decode_position(after)
    docs, following = await request.app.state.deps.calls.history(who.workspace_id, wanted, before=before, limit=limit)
    return {
        "items": [_public(d) for d in docs],
        "next": cursors.encode_position(following) if following is not None else None,
    }


@router.get("/{call_id}", response_model=CallView, summary="One call")
async def get_call(call_id: str, request: Request, who: Caller) -> dict[str, Any]:
    """One call with its status trail."""
    doc = await request.app.state.deps.calls.by_id(call_id)
    if doc is None or doc.get("workspace_id") != who.workspace_id:
        raise HTTPException(404, f"call {call_id} not found")
    return _public(doc)
