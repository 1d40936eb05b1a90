"""Provider status callbacks: keep the status trail, publish the outcome once, free the call's slots."""

from __future__ import annotations

from outreach_contracts.calls import CallCompleted

from outreach_dialer.domain.outcomes import normalise
from outreach_dialer.handlers.deps import Deps
from outreach_dialer.handlers.numbers import record_answer


async def record_status(call_id: str, params: dict[str, str], deps: Deps, key: str | None = None) -> bool:
    """Apply one callback (duplicates and late arrivals are harmless); False for an unknown call.

    Progress callbacks (initiated, ringing, answered, AMD) of calls this instance placed are kept in memory
    and written with the final one (or by `flush_trails` for long calls): one database write per call
    instead of four."""
    now = deps.clock.now()
    status = params.get("CallStatus", "")
    progress = normalise(status) is None
    if progress and key and deps.run.live.get(key) == call_id:
        entry = {
            "status": status or f"amd:{params.get('AnsweredBy')}",
            "at": now,
            "sequence": params.get("SequenceNumber"),
            "answered_by": params.get("AnsweredBy"),
        }
        deps.run.pending.setdefault(key, []).append(entry)
        return True
    doc = await deps.calls.by_key(key) if key else await deps.calls.by_id(call_id)
    if doc is None or doc.get("call_id") != call_id:
        return False
    earlier = deps.run.pending.pop(doc["_id"], [])
    answered_by = params.get("AnsweredBy") or next(
        (e["answered_by"] for e in reversed(earlier) if e.get("answered_by")), None
    )
    step = {
        "status": status or f"amd:{params.get('AnsweredBy')}",
        "at": now,
        "sequence": params.get("SequenceNumber"),
        "answered_by": params.get("AnsweredBy"),
    }
    outcome = normalise(
        status,
        answered_by=answered_by or doc.get("answered_by"),
        sip_code=params.get("SipResponseCode"),
        error_code=params.get("ErrorCode"),
    )
    extra: dict[str, object] = {"answered_by": answered_by} if answered_by else {}
    if params.get("RecordingUrl"):
        extra["recording_url"] = params["RecordingUrl"]
    if outcome is None or doc.get("outcome") or not await deps.calls.first_final(doc["_id"]):
        trail = {"$each": [*earlier, step]}
        await deps.calls.update(doc["_id"], expect={}, changes={"last_status_at": now, **extra}, push={"trail": trail})
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
    entries = [deps.entry(event, key=doc["contact_id"], journey=doc.get("trace"))]
    # race: the first final status alone gets here (first_final above); `expect` guards a stored outcome
    updated = await deps.calls.update(
        doc["_id"],
        expect={"outcome": None},
        changes={"status": status, "outcome": outcome, "ended_at": now, "duration_s": event.duration_s, **extra},
        push={"trail": {"$each": [*earlier, step]}, "outbox": {"$each": entries}},
    )
    deps.run.live.pop(doc["_id"], None)
    if updated is not None:  # the first final callback: it alone frees the slots and counts
        for slot in doc.get("slots") or []:
            await deps.limits.release(slot)
        deps.wake()
        if doc.get("from_number"):
            await record_answer(doc["from_number"], outcome == "answered_human", deps, workspace_id=doc["workspace_id"])
        deps.instruments.outcomes.labels(outcome).inc()
        await deps.relay(doc["_id"], entries)
    return True


async def flush_trails(deps: Deps, *, older_than_s: float = 10.0) -> int:
    """Write progress callbacks held in memory for calls still going on after `older_than_s`."""
    now = deps.clock.now()
    flushed = 0
    for key, entries in list(deps.run.pending.items()):
        if entries and (now - entries[0]["at"]).total_seconds() >= older_than_s:
            deps.run.pending.pop(key, None)
            await deps.calls.update(key, expect={}, changes={"last_status_at": now}, push={"trail": {"$each": entries}})
            flushed += 1
    return flushed
