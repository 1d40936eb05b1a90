"""Provider status callbacks: keep the status trail, publish the outcome once, free the call's slots."""

from __future__ import annotations

from outreach_contracts.calls import CallCompleted

from outreach_dialer.domain.outcomes import normalise
from outreach_dialer.handlers.deps import Deps
from outreach_dialer.handlers.numbers import record_answer


async def record_status(call_id: str, params: dict[str, str], deps: Deps, key: str | None = None) -> bool:
    """Apply one callback (duplicates and late arrivals are harmless); False for an unknown call."""
    doc = await deps.calls.by_key(key) if key else await deps.calls.by_id(call_id)
    if doc is None or doc.get("call_id") != call_id:
        return False
    now = deps.clock.now()
    status = params.get("CallStatus", "")
    step = {
        "status": status or f"amd:{params.get('AnsweredBy')}",
        "at": now,
        "sequence": params.get("SequenceNumber"),
        "answered_by": params.get("AnsweredBy"),
    }
    outcome = normalise(
        status,
        answered_by=params.get("AnsweredBy") or doc.get("answered_by"),
        sip_code=params.get("SipResponseCode"),
        error_code=params.get("ErrorCode"),
    )
    extra = {"answered_by": params["AnsweredBy"]} if params.get("AnsweredBy") else {}
    if params.get("RecordingUrl"):
        extra["recording_url"] = params["RecordingUrl"]
    if outcome is None or doc.get("outcome"):
        await deps.calls.update(doc["_id"], expect={}, changes={"last_status_at": now, **extra}, push={"trail": step})
        return True
    event = CallCompleted(
        occurred_at=now,
        workspace_id=doc["workspace_id"],
        idempotency_key=doc["_id"],
        campaign_id=doc["campaign_id"],
        contact_id=doc["contact_id"],
        step_index=doc["step_index"],
        call_id=call_id,
        outcome=outcome,
        duration_s=int(params.get("CallDuration") or 0),
        error_code=params.get("SipResponseCode") or params.get("ErrorCode"),
    )
    entries = [deps.entry(event, key=doc["contact_id"])]
    updated = await deps.calls.update(
        doc["_id"],
        expect={"outcome": None},
        changes={"status": status, "outcome": outcome, "ended_at": now, "duration_s": event.duration_s, **extra},
        push={"trail": step, "outbox": {"$each": entries}},
    )
    if updated is not None:  # the first final callback: it alone frees the slots and counts
        for slot in doc.get("slots") or []:
            await deps.limits.release(slot)
        if doc.get("from_number"):
            await record_answer(doc["from_number"], outcome == "answered_human", deps)
        deps.instruments.outcomes.labels(outcome).inc()
        await deps.relay(doc["_id"], entries)
    return True
