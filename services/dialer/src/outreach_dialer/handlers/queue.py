"""Queue PlaceCall commands, dial them at the allowed pace, re-checking the window right before."""

from __future__ import annotations

import time
import uuid

from outreach_contracts.calls import CallDeferred, CallPlaced, PlaceCall
from outreach_windows import ContactInfo, is_eligible

from outreach_dialer.handlers.deps import Deps


async def enqueue_call(command: PlaceCall, deps: Deps) -> None:
    """Store the command in the dial queue; a repeated idempotency key is ignored."""
    await deps.calls.enqueue(
        {
            "_id": command.idempotency_key,
            "call_id": f"call_{uuid.uuid4().hex[:16]}",
            "status": "queued",
            "campaign_id": command.campaign_id,
            "contact_id": command.contact_id,
            "step_index": command.step_index,
            "workspace_id": command.workspace_id,
            "command": command.model_dump(mode="json"),
            "queued_at": deps.clock.now(),
            "trail": [],
            "outbox": [],
        }
    )


async def dial_next(deps: Deps) -> bool:
    """Dial the oldest queued call if the pace allows; True when a call was taken from the queue."""
    if deps.bucket.wait_time(time.monotonic()) > 0:
        return False
    now = deps.clock.now()
    doc = await deps.calls.claim_next(held=await deps.calls.held_campaigns(), now=now)
    if doc is None:
        return False
    command = PlaceCall.model_validate(doc["command"])
    contact = command.contact
    info = ContactInfo(timezone=contact.timezone, phone=contact.phone, state=contact.state)
    common = {
        "occurred_at": now,
        "workspace_id": command.workspace_id,
        "idempotency_key": command.idempotency_key,
        "campaign_id": command.campaign_id,
        "contact_id": command.contact_id,
        "step_index": command.step_index,
    }
    if not is_eligible(now, command.window, info, command.step_window):
        event = CallDeferred(**common, reason="window_closed")
        entries = [deps.entry(event, key=command.contact_id)]
        await deps.calls.update(
            doc["_id"],
            expect={"status": "dialing"},
            changes={"status": "deferred"},
            push={"outbox": {"$each": entries}},
        )
        await deps.relay(doc["_id"], entries)
        return True
    deps.bucket.take(time.monotonic())
    caller_id = (command.numbers.numbers or [deps.default_caller_id])[0]
    params = {
        "campaign_id": command.campaign_id,
        "contact_id": command.contact_id,
        "agent_id": command.agent_id,
        "first_name": contact.first_name or "",
        "last_name": contact.last_name or "",
        **{f"field_{k}": v for k, v in contact.fields.items()},
    }
    sid = await deps.provider.create_call(
        to=contact.phone,
        from_=caller_id,
        url=deps.default_agent_url,
        status_callback=f"{deps.public_url}/webhooks/twilio/calls/{doc['call_id']}/status",
        machine_detection=command.machine_detection,
        params=params,
    )
    placed = CallPlaced(**common, call_id=doc["call_id"], provider_call_sid=sid, from_number=caller_id)
    entries = [deps.entry(placed, key=command.contact_id)]
    await deps.calls.update(
        doc["_id"],
        expect={"status": "dialing"},
        changes={"status": "placed", "provider_sid": sid, "from_number": caller_id, "placed_at": now},
        push={"outbox": {"$each": entries}},
    )
    await deps.relay(doc["_id"], entries)
    return True


async def drain(deps: Deps, *, budget: int = 50) -> int:
    """Dial queued calls until the queue is empty, the pace says wait, or `budget` is spent."""
    count = 0
    while count < budget and await dial_next(deps):
        count += 1
    return count
