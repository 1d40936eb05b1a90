"""Calls whose final status callback never came (Twilio does not retry it by default): after a while the
provider is asked, and a final answer is applied as if the callback had arrived."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from outreach_dialer.domain.outcomes import normalise
from outreach_dialer.handlers.deps import Deps
from outreach_dialer.handlers.status import record_status

logger = logging.getLogger(__name__)


async def reconcile_calls(deps: Deps, *, quiet_s: float, limit: int = 50) -> int:
    """Ask the provider about calls placed here that have been quiet for `quiet_s` (no callback since they
    were placed or last heard of); return how many were settled. A call still going on is asked again
    after another quiet period."""
    now = deps.clock.now()
    settled = asked = 0
    for key, call_id in list(deps.run.live.items()):
        if asked >= limit:
            break
        doc = await deps.calls.by_key(key)
        if doc is None or doc.get("outcome"):
            deps.run.live.pop(key, None)
            continue
        heard = doc.get("last_status_at") or doc.get("placed_at")
        if heard is None or not doc.get("provider_sid") or (now - heard).total_seconds() < quiet_s:
            continue
        asked += 1
        try:
            state = await deps.provider.fetch_call(doc["provider_sid"])
        except Exception:
            logger.warning("could not ask the provider about call %s", call_id, exc_info=True)
            continue
        if normalise(state.status) is None:  # still ringing or talking: ask again later
            await deps.calls.update(key, expect={}, changes={"last_status_at": now})
            continue
        params = {"CallStatus": state.status, "CallDuration": str(state.duration_s or 0)}
        if state.answered_by:
            params["AnsweredBy"] = state.answered_by
        if await record_status(call_id, params, deps, key=key):
            await deps.calls.update(key, expect={}, changes={"reconciled": True})
            settled += 1
    return settled


ENDED = frozenset({"completed", "failed", "canceled", "deferred", "busy", "no-answer"})
PACE_WAIT_S = 900.0  # a call taken from the queue waits for its pace slot, still `queued`, at most this long


async def reap_slots(deps: Deps, *, lease_s: float, max_call_s: float = 4 * 3600) -> int:
    """Give back in-flight slots whose call no longer holds them: a call that ended (or went back to the
    queue) without releasing them, after a crash, a lost task or a lost callback; a slot older than the
    longest call the provider allows is given back whatever its call says. How many were reaped."""
    reaped = 0
    for slot in await deps.limits.taken(older_than=timedelta(seconds=lease_s)):
        age = (datetime.now(UTC) - slot["at"]).total_seconds()
        call = await deps.calls.by_key(slot["call"]) if slot.get("call") else None
        if call is not None and age < max_call_s and not call.get("outcome") and call.get("status") not in ENDED:
            # a queued call is being placed (its pace wait) or was abandoned by a crash: once another instance
            # adopted it (a later round), the slot of the round that stopped is given back without waiting
            if call.get("status") == "queued":
                keep = slot.get("round", 0) == call.get("round", 0) and age < PACE_WAIT_S
            else:
                keep = slot["_id"] in (call.get("slots") or [])
            if keep:
                continue
        logger.warning("reaping in-flight slot %s (call %s, %.0f s old)", slot["_id"], slot.get("call"), age)
        await deps.limits.release(slot["_id"])
        reaped += 1
    if reaped:
        deps.wake()
    return reaped
