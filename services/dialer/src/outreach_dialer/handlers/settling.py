"""Settling the calls a stopped dialer claimed for dialing: found at the provider, they are watched here
until their end is known; not found, they fail as unknown (never dialed twice on a doubt)."""

from __future__ import annotations

import logging
from datetime import UTC, timedelta
from typing import Any

from outreach_contracts.calls import CallCompleted

from outreach_dialer.domain.outcomes import event_id
from outreach_dialer.handlers.call_records import announce, call_fields, placed_event, write_final
from outreach_dialer.handlers.deps import Deps, Placed
from outreach_dialer.handlers.placing import ACCOUNT

logger = logging.getLogger(__name__)


async def settle_unknown(doc: dict[str, Any], deps: Deps) -> None:
    """A call a stopped dialer claimed for dialing: the provider is asked for a call to that number from that
    caller id since the dialing began. Found, it is the call placed (announced, and its outcome asked of the
    provider like any call whose final callback is late); not found, it fails as unknown."""
    sid = doc.get("provider_sid")
    if sid is None and doc.get("from_number") and doc.get("dialing_wall") and doc.get("phone"):
        since = doc["dialing_wall"].replace(tzinfo=UTC) - timedelta(seconds=5)
        try:
            sid = await deps.provider.find_call(to=doc["phone"], from_=doc["from_number"], after=since)
        except Exception:
            logger.warning("could not ask the provider about call %s", doc["call_id"], exc_info=True)
            return  # asked again at the next round
    if sid is None:
        await fail_unknown(doc, deps)
        return
    now = deps.clock.now()
    slot = await deps.limits.acquire(ACCOUNT, deps.max_concurrent)  # the stopped dialer's leases are reaped
    live = Placed(call_id=doc["call_id"], from_number=doc["from_number"], slots=[slot] if slot else [], sid=sid,
                  placed_at=now,
                  heard_at=doc.get("dialing_at") or now, trail=[{"status": "placed", "at": now}],
                  call=call_fields(doc))  # fmt: skip
    deps.run.live[doc["_id"]] = live
    placed = placed_event(doc, sid=sid, from_number=doc["from_number"], now=now)
    await announce(live, placed, deps)


async def fail_unknown(doc: dict[str, Any], deps: Deps) -> None:
    """A call a stopped dialer was dialing: whether the provider has it is unknown, so it is never dialed
    again; it fails (the flow's retry rules decide what follows). Its slots were that dialer's leases."""
    event = CallCompleted(
        occurred_at=deps.clock.now(), workspace_id=doc["workspace_id"], idempotency_key=doc["_id"],
        campaign_id=doc["campaign_id"], contact_id=doc["contact_id"], step_index=doc["step_index"],
        call_id=doc["call_id"], outcome="failed", error_code="unknown", event_id=event_id(doc["_id"], "completed"),
    )  # fmt: skip
    reason = "the dialer stopped while dialing; not dialed again, since the provider may have the call"
    failed = {"status": "failed", "outcome": "failed", "reason": reason}
    await write_final(doc, [event], failed, deps, trail=[{"status": "failed", "at": deps.clock.now()}])
