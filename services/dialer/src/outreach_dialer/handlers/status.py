"""Provider status callbacks: keep the status trail, publish the outcome once, free the call's slots."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from outreach_contracts.calls import CallCompleted

from outreach_dialer.domain.outcomes import normalise
from outreach_dialer.handlers.deps import Deps
from outreach_dialer.handlers.numbers import record_answer


def _step(params: dict[str, str], now: datetime) -> dict[str, Any]:
    """One callback as a trail entry."""
    return {
        "status": params.get("CallStatus") or f"amd:{params.get('AnsweredBy')}",
        "at": now,
        "sequence": params.get("SequenceNumber"),
        "answered_by": params.get("AnsweredBy"),
    }


async def record_status(call_id: str, params: dict[str, str], deps: Deps, key: str | None = None) -> bool:
    """Apply one callback (duplicates and late arrivals are harmless); False for an unknown call.

    Progress callbacks (initiated, ringing, answered, AMD) of calls this instance placed are kept in memory
    and written with the final one (or by `flush_trails` for long calls): one database write per call
    instead of four."""
    now = deps.clock.now()
    status = params.get("CallStatus", "")
    if normalise(status) is None and key and deps.run.live.get(key) == call_id:
        deps.run.pending.setdefault(key, []).append(_step(params, now))
        return True
    doc = await deps.calls.by_key(key) if key else await deps.calls.by_id(call_id)
    if doc is None or doc.get("call_id") != call_id:
        return False
    earlier = deps.run.pending.pop(doc["_id"], [])
    answered_by = params.get("AnsweredBy") or next(
        (e["answered_by"] for e in reversed(earlier) if e.get("answered_by")), None
    )
    outcome = normalise(
        status,
        answered_by=answered_by or doc.get("answered_by"),
        sip_code=params.get("SipResponseCode"),
        error_code=params.get("ErrorCode"),
    )
    extra: dict[str, object] = {"answered_by": answered_by} if answered_by else {}
    if params.get("RecordingUrl"):
        extra["recording_url"] = params["RecordingUrl"]
    trail = {"$each": [*earlier, _step(params, now)]}
    if outcome is None or doc.get("outcome"):
        await deps.calls.update(doc["_id"], expect={}, changes={"last_status_at": now, **extra}, push={"trail": trail})
        return True
    await _final(doc, call_id, outcome, params, deps, trail=trail, extra=extra)
    return True


async def _final(
    doc: dict[str, Any], call_id: str, outcome: str, params: dict[str, str], deps: Deps, *,
    trail: dict[str, Any], extra: dict[str, object],
) -> None:  # fmt: skip
    """The call's first final status: record the outcome, free its slots, count its caller id's answer, and
    publish CallCompleted."""
    now = deps.clock.now()
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
    changes = {"status": params.get("CallStatus", ""), "outcome": outcome, "ended_at": now,
               "duration_s": event.duration_s, **extra}  # fmt: skip
    # race: two final statuses at once (a callback and the reconciliation) may both pass `expect`: the
    # scheduler applies the first (the second is stale); not arbitrated by an insert, which a dialer killed
    # before this write would leave blocking the call's outcome for good
    updated = await deps.calls.update(
        doc["_id"], expect={"outcome": None}, changes=changes, push={"trail": trail, "outbox": {"$each": entries}}
    )
    deps.run.live.pop(doc["_id"], None)
    if updated is None:
        return
    for slot in doc.get("slots") or []:
        await deps.limits.release(slot)
    deps.wake()
    if doc.get("from_number"):
        await record_answer(doc["from_number"], outcome == "answered_human", deps, workspace_id=doc["workspace_id"])
    deps.instruments.outcomes.labels(outcome).inc()
    await deps.relay(doc["_id"], entries)


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
