"""Twilio webhooks (signature-checked): message status and inbound SMS."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from outreach_common.journey import stamped
from outreach_common.keys import phone_key
from outreach_common.webhooks import verified_form
from outreach_contracts.messages import ContactOptedOut, MessageDelivery

from outreach_messenger.domain.replies import classify
from outreach_messenger.handlers.deps import Deps

router = APIRouter(prefix="/webhooks/twilio", tags=["webhooks"])
FINAL = ("delivered", "undelivered", "failed")


@router.post("/messages/status", summary="Message status callback")
async def message_status(request: Request) -> dict[str, str]:
    """Append the status to the message's trail; a final status is published once (MessageDelivery),
    whatever the order or number of callbacks."""
    params = await verified_form(request)
    deps: Deps = request.app.state.deps
    status = params.get("MessageStatus", "")
    entry = {"status": status, "at": deps.clock.now(), "error_code": params.get("ErrorCode")}
    final = status in FINAL
    key = request.query_params.get("key")  # the message's key (callbacks of sends made before it: none)
    for _ in range(10):  # a callback can overtake the write of the provider's id
        doc, known = await deps.messages.record_status(params.get("MessageSid", ""), entry, final=final, key=key)
        if known:
            break
        await asyncio.sleep(0.2)
    if final and doc is not None:
        command = doc.get("command") or {}
        event = MessageDelivery(
            occurred_at=deps.clock.now(),
            workspace_id=doc.get("workspace_id") or command.get("workspace_id", ""),
            idempotency_key=doc["_id"],
            campaign_id=doc["campaign_id"],
            contact_id=doc["contact_id"],
            step_index=int(command.get("step_index", 0)),
            channel=doc.get("channel", "sms"),
            status=status,
            error_code=params.get("ErrorCode"),
        )
        event = stamped(event, command.get("trace"))
        await deps.bus.publish(event, topic=deps.topics.messages, key=doc["contact_id"])
    return {"status": "ok"}


@router.post("/messages/inbound", summary="Inbound SMS")
async def inbound(request: Request) -> dict[str, str]:
    """Opt-out words opt the sender out of every campaign of each workspace that owns or sent from the `To`
    number (the deployment's default workspace when none does); START / UNSTOP opts back in;
    HELP gets the configured help reply. Every reply is kept in the inbound log."""
    params = await verified_form(request)
    deps: Deps = request.app.state.deps
    body = params.get("Body", "")
    verdict = classify(body)
    deps.instruments.replies.labels(verdict).inc()
    phone = params.get("From")
    now = deps.clock.now()
    to = params.get("To") or ""
    workspaces = await deps.messages.workspaces_of_number(to) or [request.app.state.settings.workspace_id]
    held = []
    if verdict == "opt_out" and phone:  # held before anything is written: a crash later still publishes them
        events = [ContactOptedOut(occurred_at=now, workspace_id=w, phone=phone, channel="sms") for w in workspaces]
        held = [deps.entry(e, key=phone_key(phone)) for e in events]
        await deps.pending.hold(held)
    if await deps.messages.record_inbound(params.get("MessageSid", ""), phone, body, verdict, now) and phone:
        for workspace in workspaces:
            if verdict == "opt_out":
                await deps.messages.suppress(workspace, phone=phone, email=None)
            elif verdict == "opt_in":
                await deps.messages.unsuppress(workspace, phone=phone)
        await deps.pending.release(held, deps.bus)
        if verdict == "help" and to:
            await deps.sms.send_sms(to=phone, from_=params["To"], body=deps.help_reply, status_callback="")
    else:  # a repeated webhook: the first one's held messages (if it crashed) are the sweeper's
        await deps.pending.forget(held)
    return {"verdict": verdict}
