"""Calls whose final status callback never came (Twilio does not retry it by default): after a while the
provider is asked, and a final answer is applied as if the callback had arrived. Slots no call holds any
more are given back."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from outreach_dialer.domain.outcomes import normalise
from outreach_dialer.handlers.deps import Deps
from outreach_dialer.handlers.status import record_status

logger = logging.getLogger(__name__)

SILENT_S = 60.0  # an instance whose heartbeat is older than this has stopped


async def reconcile_calls(deps: Deps, *, quiet_s: float, limit: int = 50) -> int:
    """Ask the provider about calls placed here that have been quiet for `quiet_s` (no callback since they
    were placed or last heard of); return how many were settled. A call whose final state another instance
    wrote (its callback went there) is forgotten and its slots freed; a call still going on is asked again
    after another quiet period."""
    now = deps.clock.now()
    settled = asked = 0
    for key, live in list(deps.run.live.items()):
        if asked >= limit:
            break
        heard = live.heard_at or live.placed_at
        if heard is None or not live.sid or (now - heard).total_seconds() < quiet_s:
            continue
        doc = await deps.calls.by_key(key)
        if doc is None or doc.get("outcome"):
            deps.run.live.pop(key, None)
            for slot in live.slots:
                await deps.limits.release(slot)
            deps.wake()
            continue
        asked += 1
        try:
            state = await deps.provider.fetch_call(live.sid)
        except Exception:
            logger.warning("could not ask the provider about call %s", live.call_id, exc_info=True)
            continue
        if normalise(state.status) is None:  # still ringing or talking: ask again later
            live.heard_at = now
            continue
        params = {"CallStatus": state.status, "CallDuration": str(state.duration_s or 0)}
        if state.answered_by:
            params["AnsweredBy"] = state.answered_by
        if await record_status(live.call_id, params, deps, key=key, reconciled=True):
            settled += 1
    return settled


async def reap_slots(deps: Deps, *, lease_s: float, max_call_s: float = 4 * 3600) -> int:
    """Give back in-flight slots no call holds any more: the leases of instances that stopped (their
    heartbeats are older than a minute; leases younger than `lease_s` are left to a starting instance), and
    slots a call of this instance has held longer than the longest call the provider allows. How many."""
    alive_since = datetime.now(UTC) - timedelta(seconds=SILENT_S)
    owners = await deps.calls.owners()
    alive = [o for o, seen in owners.items() if seen >= alive_since] + [deps.run.instance]
    reaped = await deps.limits.reap_owners(alive, older_than=timedelta(seconds=lease_s))
    for slot in deps.limits.overdue(older_than_s=max_call_s):
        logger.warning("giving back in-flight slot %s held for more than %.0f s", slot, max_call_s)
        await deps.limits.release(slot)
        reaped += 1
    if reaped:
        deps.wake()
    return reaped
