"""Provider status callbacks: keep the status trail, publish the outcome once, free the call's slots."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from outreach_contracts.calls import CallCompleted, CallPlaced

from outreach_dialer.domain.outcomes import event_id, normalise
from outreach_dialer.handlers.call_records import placed_event, write_final
from outreach_dialer.handlers.deps import Deps, Placed
from outreach_dialer.handlers.numbers import record_answer


def _step(params: dict[str, str], now: datetime) -> dict[str, Any]:
    """One callback as a trail entry."""
    return {
        "status": params.get("CallStatus") or f"amd:{params.get('AnsweredBy')}",
        "at": now,
        "sequence": params.get("SequenceNumber"),
        "answered_by": params.get("AnsweredBy"),
    }


async def record_status(
    call_id: str, params: dict[str, str], deps: Deps, key: str | None = None, *, reconciled: bool = False
) -> bool:
    """Apply one callback (duplicates and late arrivals are harmless); False for an unknown call.

    A call this instance placed is in its memory: its progress callbacks (initiated, ringing, answered, AMD)
    are kept there and written with the final one (or by `flush_trails` for long calls), and its final one
    needs no read: one database write per call for all its callbacks."""
    now = deps.clock.now()
    status = params.get("CallStatus", "")
    live = deps.run.live.get(key) if key else None
    if live is not None and live.call_id == call_id:
        live.heard_at = now
        if normalise(status) is None:
            live.trail.append(_step(params, now))
            return True
        doc: dict[str, Any] | None = live.call
    else:
        live = None
        doc = await deps.calls.by_key(key) if key else await deps.calls.by_id(call_id)
        if doc is None or doc.get("call_id") != call_id:
            return False
    assert doc is not None
    earlier = live.trail if live else []
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
    if reconciled:
        extra["reconciled"] = True
    trail = [*earlier, _step(params, now)]
    if outcome is None or doc.get("outcome"):
        await deps.calls.update(doc["_id"], expect={}, changes={"last_status_at": now, **extra},
                                push={"trail": {"$each": trail}})  # fmt: skip
        return True
    await _final(doc, live, outcome, params, deps, trail=trail, extra=extra)
    return True


async def _final(
    doc: dict[str, Any], live: Placed | None, outcome: str, params: dict[str, str], deps: Deps, *,
    trail: list[dict[str, Any]], extra: dict[str, object],
) -> None:  # fmt: skip
    """The call's first final status: publish CallCompleted, record the outcome with what this instance
    held of the call, free its slots and count its caller id's answer."""
    now = deps.clock.now()
    event = CallCompleted(
        occurred_at=now,
        workspace_id=doc["workspace_id"],
        idempotency_key=doc["_id"],
        campaign_id=doc["campaign_id"],
        contact_id=doc["contact_id"],
        step_index=doc["step_index"],
        call_id=doc["call_id"],
        outcome=outcome,
        duration_s=int(params.get("CallDuration") or 0),
        error_code=params.get("SipResponseCode") or params.get("ErrorCode"),
        event_id=event_id(doc["_id"], "completed"),
    )
    deps.run.live.pop(doc["_id"], None)
    for slot in live.slots if live else []:  # first: the line is free (a call placed elsewhere holds that
        await deps.limits.release(slot)  # instance's leases, freed by it)
    deps.wake()
    held = live.record() if live else {}
    if live and not live.sid and params.get("CallSid"):  # the final callback came before the provider's answer
        held["provider_sid"] = params["CallSid"]
    events: list[Any] = [event]
    if live is None:  # placed by an instance that stopped (or another): its CallPlaced may never have left it
        events.insert(0, _placed_again(doc, params, now))
    changes = {"status": params.get("CallStatus", ""), "outcome": outcome, "ended_at": now,
               "duration_s": event.duration_s, "dialer": deps.run.instance, **held, **extra}  # fmt: skip
    # race: two final statuses at once (a callback and the reconciliation) may both pass `expect`: both
    # publish the same event id, and the first write wins; not arbitrated by an insert, which a dialer killed
    # before this write would leave blocking the call's outcome for good
    try:
        updated = await write_final(doc, [e for e in events if e], changes, deps, trail=trail,
                                    unsent=live.unsent if live else None)  # fmt: skip
    except Exception:
        if live is not None:  # not written (the database away): watched again, its end asked of the provider
            live.slots, live.heard_at = [], now
            deps.run.live.setdefault(doc["_id"], live)
        raise
    if updated is None:
        return
    from_number = held.get("from_number") or updated.get("from_number")
    if from_number:
        await record_answer(from_number, outcome == "answered_human", deps, workspace_id=doc["workspace_id"])
    deps.instruments.outcomes.labels(outcome).inc()


def _placed_again(doc: dict[str, Any], params: dict[str, str], now: datetime) -> CallPlaced | None:
    """The CallPlaced of a call this instance did not place, with its fixed event id: consumers drop it when
    the placing instance published it."""
    sid, from_number = doc.get("provider_sid") or params.get("CallSid"), doc.get("from_number") or params.get("From")
    if not sid or not from_number:
        return None
    return placed_event(doc, sid=sid, from_number=from_number, now=now)


async def flush_trails(deps: Deps, *, older_than_s: float = 20.0) -> int:
    """Write what is held in memory of calls still going on after `older_than_s` (status placed, provider
    id, caller id, progress): a long call shows in the history before it ends."""
    now = deps.clock.now()
    flushed = 0
    for key, live in list(deps.run.live.items()):
        if live.placed_at is None or (now - live.placed_at).total_seconds() < older_than_s:
            continue
        if live.trail or not live.flushed:
            entries, live.trail = live.trail, []
            changes = {"status": "placed", "last_status_at": now, "dialer": deps.run.instance, **live.record()}
            await deps.calls.update(key, expect={"outcome": None}, changes=changes, push={"trail": {"$each": entries}})
            live.flushed = True
            flushed += 1
    return flushed
