"""Provider webhooks; every request's `X-Twilio-Signature` is checked (forged ones get 403)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from twilio.request_validator import RequestValidator

from outreach_dialer.handlers.deps import Deps
from outreach_dialer.handlers.status import record_status

router = APIRouter(prefix="/webhooks/twilio", tags=["webhooks"])


async def verified_form(request: Request) -> dict[str, str]:
    """The form of a request whose Twilio signature is valid; 403 otherwise."""
    form = await request.form()
    params = {k: str(v) for k, v in form.multi_items()}
    validator: RequestValidator = request.app.state.validator
    url = request.app.state.settings.public_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    if not validator.validate(url, params, request.headers.get("X-Twilio-Signature", "")):
        raise HTTPException(403, "invalid X-Twilio-Signature")
    return params


@router.post("/calls/{call_id}/status", summary="Call status callback")
async def call_status(call_id: str, request: Request) -> dict[str, str]:
    """Record a status callback; duplicates and out-of-order callbacks are tolerated."""
    params = await verified_form(request)
    deps: Deps = request.app.state.deps
    if not await record_status(call_id, params, deps):
        raise HTTPException(404, f"unknown call {call_id}")
    return {"status": "ok"}
