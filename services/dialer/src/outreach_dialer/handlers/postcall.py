"""The agent's post-call report: published once per call; a do-not-call disposition opts the contact out."""

from __future__ import annotations

from typing import Any

from outreach_common.journey import stamped
from outreach_common.outbox import outbox_entry
from outreach_contracts.calls import CallAnalyzed
from outreach_contracts.messages import ContactOptedOut

from outreach_dialer.handlers.deps import Deps

OPT_OUT_DISPOSITIONS = frozenset({"asked_not_to_be_called", "do_not_call", "opt_out", "opted_out", "revoked_consent"})


async def record_analysis(
    call_id: str, disposition: str, summary: str, data: dict[str, str], deps: Deps
) -> dict[str, Any] | None:
    """Store and publish the report (a repeat changes nothing); None for an unknown call."""
    doc = await deps.calls.by_id(call_id)
    if doc is None:
        return None
    now = deps.clock.now()
    common = {"occurred_at": now, "workspace_id": doc["workspace_id"], "campaign_id": doc["campaign_id"]}
    events: list[Any] = [
        CallAnalyzed(
            **common,
            idempotency_key=doc["_id"],
            contact_id=doc["contact_id"],
            call_id=call_id,
            disposition=disposition,
            summary=summary,
            data=data,
        )
    ]
    opted_out = disposition.strip().lower().replace(" ", "_") in OPT_OUT_DISPOSITIONS
    if opted_out:
        phone = doc.get("phone")
        events.append(ContactOptedOut(**common, contact_id=doc["contact_id"], phone=phone, channel="call"))
    journey = doc.get("trace")
    entries = [deps.entry(events[0], key=doc["contact_id"], journey=journey)]
    if opted_out:  # opt-outs travel where every service listens for them
        entries.append(outbox_entry(stamped(events[1], journey), topic=deps.topics.messages, key=doc["contact_id"]))
    analysis = {"disposition": disposition, "summary": summary, "data": data, "at": now, "opted_out": opted_out}
    updated = await deps.calls.update(
        doc["_id"], expect={"analysis": None}, changes={"analysis": analysis}, push={"outbox": {"$each": entries}}
    )
    if updated is not None:
        await deps.relay(doc["_id"], entries)
    return analysis
