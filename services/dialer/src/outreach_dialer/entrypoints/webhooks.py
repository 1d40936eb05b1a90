"""Webhooks: Twilio call status (its `X-Twilio-Signature` is checked; forged requests get 403) and the
agent's post-call report (signed with the shared agent secret: `X-Outreach-Signature`, HMAC-SHA256 hex)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from outreach_common.webhooks import verified_form
from pydantic import BaseModel, Field, ValidationError

from outreach_dialer.handlers.deps import Deps
from outreach_dialer.handlers.postcall import record_analysis
from outreach_dialer.handlers.status import record_status

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.post("/twilio/calls/{call_id}/status", summary="Call status callback")
async def call_status(call_id: str, request: Request, key: str | None = None) -> dict[str, str]:
    """Record a status callback; duplicates and out-of-order callbacks are tolerated."""
    params = await verified_form(request)
    deps: Deps = request.app.state.deps
    if not await record_status(call_id, params, deps, key):
        raise HTTPException(404, f"unknown call {call_id}")
    return {"status": "ok"}


@router.post("/twilio/calls/{call_id}/recording", summary="Recording status callback")
async def call_recording(call_id: str, request: Request, key: str | None = None) -> dict[str, str]:
    """A call's recording is ready (or failed): its URL, duration and channels go into the call history."""
    params = await verified_form(request)
    deps: Deps = request.app.state.deps
    doc = await deps.calls.by_key(key) if key else await deps.calls.by_id(call_id)
    if doc is None or doc.get("call_id") != call_id:
        raise HTTPException(404, f"unknown call {call_id}")
    recording = {
        "recording_sid": params.get("RecordingSid"),
        "recording_status": params.get("RecordingStatus"),
        "recording_duration_s": int(params.get("RecordingDuration") or 0),
        "recording_channels": int(params.get("RecordingChannels") or 0),
    }
    if params.get("RecordingStatus") == "completed" and params.get("RecordingUrl"):
        recording["recording_url"] = params["RecordingUrl"]
    await deps.calls.update(doc["_id"], expect={}, changes=recording)
    return {"status": "ok"}


class PostCall(BaseModel):
    """What the agent reports after a call."""

    call_id: str = Field(description="The dialer's call id (sent to the agent as a call parameter)")
    disposition: str = Field(min_length=1, max_length=100, examples=["asked_not_to_be_called"])
    summary: str = Field(default="", max_length=10_000)
    data: dict[str, str] = Field(default_factory=dict)


def sign(secret: str, body: bytes) -> str:
    """The signature an agent sends for `body`."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@router.post("/agents/post-call", summary="Agent post-call report")
async def post_call(request: Request) -> dict[str, Any]:
    """Disposition, summary and custom data, published as CallAnalyzed; a do-not-call disposition
    (asked_not_to_be_called, do_not_call, opt_out) also opts the contact out everywhere."""
    body = await request.body()
    secret = request.app.state.settings.agent_webhook_secret
    if not hmac.compare_digest(sign(secret, body), request.headers.get("X-Outreach-Signature", "")):
        raise HTTPException(403, "bad signature")
    try:
        report = PostCall.model_validate_json(body)
    except ValidationError as exc:
        raise HTTPException(422, exc.errors(include_url=False)) from exc
    deps: Deps = request.app.state.deps
    analysis = await record_analysis(report.call_id, report.disposition, report.summary, report.data, deps)
    if analysis is None:
        raise HTTPException(404, f"unknown call {report.call_id}")
    return {"status": "ok", "opted_out": analysis["opted_out"]}
