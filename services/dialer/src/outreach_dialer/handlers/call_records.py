"""What a call's record and events need in common: its ids, announcing a placed call, and writing a final
state (after its events are published) or a state the provider has no part in (with its outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from outreach_contracts.calls import CallPlaced

from outreach_dialer.domain.outcomes import event_id
from outreach_dialer.handlers.deps import Deps, Placed


def call_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """What a call's events and final write need of its record."""
    keys = ("_id", "call_id", "workspace_id", "campaign_id", "contact_id", "step_index", "trace")
    return {k: doc.get(k) for k in keys}


def placed_event(doc: dict[str, Any], *, sid: str, from_number: str, now: datetime) -> CallPlaced:
    """The CallPlaced of a call's record, with its fixed event id (announced again, it is one event)."""
    return CallPlaced(
        occurred_at=now, workspace_id=doc["workspace_id"], idempotency_key=doc["_id"], campaign_id=doc["campaign_id"],
        contact_id=doc["contact_id"], step_index=doc["step_index"], call_id=doc["call_id"], provider_call_sid=sid,
        from_number=from_number, event_id=event_id(doc["_id"], "placed"),
    )  # fmt: skip


async def announce(live: Placed, event: Any, deps: Deps) -> None:
    """Publish a placed call's event now; what Kafka does not take is written with the call's final state (or
    into its outbox, when it ended meanwhile)."""
    entries = [deps.entry(event, key=live.call["contact_id"], journey=live.call.get("trace"))]
    if await deps.announce(entries):
        return
    key = live.call["_id"]
    if deps.run.live.get(key) is live:
        live.unsent += entries
    else:  # it ended while Kafka was away (its final state is written): the event goes to its outbox
        await deps.calls.update(key, expect={}, changes={}, push={"outbox": {"$each": entries}})
        deps.run.unrelayed.add(key)


async def write_final(
    doc: dict[str, Any], events: list[Any], changes: dict[str, Any], deps: Deps, *, trail: list[dict[str, Any]],
    unsent: list[Any] | None = None,
) -> dict[str, Any] | None:  # fmt: skip
    """A call's final state, backed by the provider: its events are published first, then the state is
    written with one conditional update (no outcome yet); None when another final state came first. A crash
    between the two is repaired from the provider (the claim stays, the call's events have fixed ids, so a
    second publication is a duplicate consumers drop); what Kafka does not take goes into the call's outbox."""
    entries = [*(unsent or []), *(deps.entry(e, key=doc["contact_id"], journey=doc.get("trace")) for e in events)]
    sent = await deps.announce(entries)
    push: dict[str, Any] = {"trail": {"$each": trail}} if trail else {}
    if not sent:
        push["outbox"] = {"$each": entries}
    updated = await deps.calls.update(doc["_id"], expect={"outcome": None}, changes=changes, push=push)
    if not sent:
        deps.run.unrelayed.add(doc["_id"])
    return updated


async def finish_unplaced(doc: dict[str, Any], event: Any, changes: dict[str, Any], deps: Deps) -> None:
    """A state not backed by the provider (canceled or handed back before dialing): written with its event
    in the call's outbox, then published."""
    entries = [deps.entry(event, key=doc["contact_id"], journey=doc.get("trace"))]
    trail = {"status": changes["status"], "at": deps.clock.now()}
    await deps.calls.update(doc["_id"], expect={}, changes=changes, push={"outbox": {"$each": entries}, "trail": trail})
    await deps.relay(doc["_id"], entries)
