"""Provider webhooks; every request's `X-Twilio-Signature` is checked (forged ones get 403)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from outreach_common.webhooks import verified_form

from outreach_dialer.handlers.deps import Deps
from outreach_dialer.handlers.status import record_status

router = APIRouter(prefix="/webhooks/twilio", tags=["webhooks"])


@router.post("/calls/{call_id}/status", summary="Call status callback")
async def call_status(call_id: str, request: Request) -> dict[str, str]:
    """Record a status callback; duplicates and out-of-order callbacks are tolerated."""
    params = await verified_form(request)
    deps: Deps = request.app.state.deps
    if not await record_status(call_id, params, deps):
        raise HTTPException(404, f"unknown call {call_id}")
    return {"status": "ok"}
