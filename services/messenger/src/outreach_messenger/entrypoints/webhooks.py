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
    """Opt-out words opt the sender out of every campaign of the workspace; START / UNSTOP opts back in;
    HELP gets the configured help reply. Every reply is kept in the inbound log."""
    params = await verified_form(request)
    deps: Deps = request.app.state.deps
    workspace = request.app.state.settings.workspace_id
    body = params.get("Body", "")
    verdict = classify(body)
    phone = params.get("From")
    now = deps.clock.now()
    if await deps.messages.record_inbound(params.get("MessageSid", ""), phone, body, verdict, now) and phone:
        if verdict == "opt_out":
            await deps.messages.suppress(workspace, phone=phone, email=None)
            event = ContactOptedOut(occurred_at=now, workspace_id=workspace, phone=phone, channel="sms")
            await deps.bus.publish(event, topic=deps.topics.messages, key=phone)
        elif verdict == "opt_in":
            await deps.messages.unsuppress(workspace, phone=phone)
        elif verdict == "help" and params.get("To"):
            await deps.sms.send_sms(to=phone, from_=params["To"], body=deps.help_reply, status_callback="")
    return {"verdict": verdict}
