"""Twilio webhooks (signature-checked): message status and inbound SMS."""

from __future__ import annotations

from fastapi import APIRouter, Request
from outreach_common.webhooks import verified_form
from outreach_contracts.messages import ContactOptedOut

from outreach_messenger.domain.replies import classify
from outreach_messenger.handlers.deps import Deps

router = APIRouter(prefix="/webhooks/twilio", tags=["webhooks"])


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
