"""Twilio webhooks (signature-checked): message status and inbound SMS."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from outreach_contracts.messages import ContactOptedOut
from twilio.request_validator import RequestValidator

from outreach_messenger.domain.replies import classify
from outreach_messenger.handlers.deps import Deps

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


@router.post("/messages/status", summary="Message status callback")
async def message_status(request: Request) -> dict[str, str]:
    """Append the status to the message's trail."""
    params = await verified_form(request)
    deps: Deps = request.app.state.deps
    await deps.messages.collection.update_one(
        {"provider_id": params.get("MessageSid")},
        {"$push": {"trail": {"status": params.get("MessageStatus"), "at": deps.clock.now()}}},
    )
    return {"status": "ok"}


@router.post("/messages/inbound", summary="Inbound SMS")
async def inbound(request: Request) -> dict[str, str]:
    """Opt-out words opt the sender out of every campaign of the workspace; START opts back in."""
    params = await verified_form(request)
    deps: Deps = request.app.state.deps
    workspace = request.app.state.settings.workspace_id
    verdict = classify(params.get("Body", ""))
    phone = params.get("From")
    if verdict == "opt_out" and phone:
        await deps.messages.suppress(workspace, phone=phone, email=None)
        event = ContactOptedOut(occurred_at=deps.clock.now(), workspace_id=workspace, phone=phone, channel="sms")
        await deps.bus.publish(event, topic=deps.topics.messages, key=phone)
    elif verdict == "opt_in" and phone:
        await deps.messages.unsuppress(workspace, phone=phone)
    return {"verdict": verdict}
