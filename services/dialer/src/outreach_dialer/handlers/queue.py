"""Queue PlaceCall commands and dial them: shared pace, concurrency limits, caller id, window re-check."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from outreach_contracts.calls import PlaceCall

from outreach_dialer.domain.agents import contact_variables
from outreach_dialer.handlers.deps import Deps
from outreach_dialer.handlers.numbers import pick_number
from outreach_dialer.handlers.placing import ACCOUNT, placing, requeue, stopped_before_dialing
from outreach_dialer.handlers.settling import settle_unknown


async def enqueue_call(command: PlaceCall, deps: Deps) -> None:
    """Record the command and queue it here; a repeated idempotency key is ignored."""
    if command.max_concurrent:
        deps.run.campaign_limits[command.campaign_id] = command.max_concurrent
    doc = {
        "_id": command.idempotency_key,
        "call_id": deps.calls.new_call_id(command.idempotency_key),
        "status": "queued",
        "campaign_id": command.campaign_id,
        "contact_id": command.contact_id,
        "step_index": command.step_index,
        "attempt": command.attempt,
        "agent_id": command.agent_id,
        "workspace_id": command.workspace_id,
        "phone": command.contact.phone,
        "variables": contact_variables(command.contact),
        "trace": command.trace.model_dump(),
        "queued_at": deps.clock.now(),
        "round": 0,
        "owner": deps.run.instance,
        "trail": [],
        "outbox": [],
        "command": command.model_dump_json(),
    }
    if await deps.calls.enqueue(doc):
        deps.run.queue.push(queued(doc, command))
        if command.campaign_id not in await deps.limits.held_campaigns():
            deps.wake()
    else:
        await _queue_unheld(command, deps)


async def _queue_unheld(command: PlaceCall, deps: Deps) -> None:
    """A PlaceCall seen before. Its record may be this instance's own while the call is in none of its hands:
    the insert went through and its answer was lost (a database restart), so the command came again. Nothing
    else would ever dial it (only a stopped instance's calls are adopted), so it is queued here now."""
    key = command.idempotency_key
    if deps.run.holds(key):
        return
    stored = await deps.calls.by_key(key)
    if stored is None or (stored.get("status"), stored.get("owner")) != ("queued", deps.run.instance):
        return
    if not deps.run.holds(key):  # (held again if it was taken meanwhile)
        deps.run.queue.push(queued(stored, command))
        deps.wake()


def queued(doc: dict[str, Any], command: PlaceCall) -> dict[str, Any]:
    """The dial queue's entry of a call: its document without the empty history, and the command as JSON.
    One string instead of a nest of dicts per call keeps a queue of many thousand calls cheap for the
    garbage collector to walk (its full passes stall dialing)."""
    entry = {k: v for k, v in doc.items() if k not in ("trail", "outbox", "command", "variables")}
    return {**entry, "command": command.model_dump_json()}


def command_of(entry: dict[str, Any]) -> PlaceCall:
    """The command of a dial queue entry."""
    return PlaceCall.model_validate_json(entry["command"])


async def adopt_stranded(deps: Deps, *, silent_s: float = 60.0) -> int:
    """Heartbeat, then queue here the calls that instances silent for `silent_s` recorded but never claimed
    for dialing (of several adopters exactly one takes each call), and settle the calls they claimed that
    have no outcome yet: found at the provider, they are watched here until their outcome is known (a final
    status lost while they were down is asked of the provider); not found, they fail as unknown."""
    now = deps.clock.now()
    alive_at = datetime.now(UTC)  # heartbeats are real time: a virtual clock's jump kills no instance
    await deps.calls.heartbeat(deps.run.instance, alive_at)
    silent_since = alive_at - timedelta(seconds=silent_s)
    heartbeats = await deps.calls.owners()
    owners = [o for o, seen in heartbeats.items() if seen < silent_since and o != deps.run.instance]
    alive = {o for o, seen in heartbeats.items() if seen >= silent_since} | {deps.run.instance}
    adopted = 0
    stranded = await deps.calls.stranded(owners=owners)
    for doc in stranded:
        if await deps.calls.adopt(doc, owner=deps.run.instance, now=now):
            deps.run.queue.push(queued(doc, PlaceCall.model_validate_json(doc["command"])))
            adopted += 1
    dialing = await deps.calls.dialing_by(owners=owners)
    for doc in dialing:
        if doc["_id"] in deps.run.live:
            continue  # settled here before: its outcome is being asked of the provider
        if await deps.calls.take_over(doc, owner=deps.run.instance, now=now, alive=alive):
            await settle_unknown(doc, deps)
    left = {doc["owner"] for doc in stranded} | {doc["dialer"] for doc in dialing}  # until each is settled
    for owner in owners:
        if owner not in left:  # nothing of it is left to adopt: stop looking for it
            await deps.calls.forget_owner(owner)
    if adopted:
        deps.wake()
    return adopted


async def dial_next(deps: Deps) -> bool:
    """Take one queued call and start dialing it; False when nothing can be dialed now."""
    started = time.perf_counter()
    if await deps.limits.full("", {ACCOUNT: deps.max_concurrent}):
        return False  # every call slot is in use: nothing is taken from the queue until one frees
    blocked = await deps.limits.full("campaign:", deps.run.campaign_limits) if deps.run.campaign_limits else set()
    skip = set(await deps.limits.held_campaigns()) | blocked
    doc = next(deps.run.queue.take(skip=skip), None)  # claimed right before the provider is asked
    if doc is None:
        return False
    deps.run.taking.add(doc["_id"])
    slots: list[str] = []  # taken for it and not yet handed on
    try:
        return await _start(doc, slots, deps, started)
    except Exception:  # the database went away (a restart): the call waits in the queue again, slots returned
        for slot in slots:
            with contextlib.suppress(Exception):
                await deps.limits.release(slot)
        deps.run.queue.push(doc)
        raise
    finally:
        deps.run.taking.discard(doc["_id"])


async def _start(doc: dict[str, Any], slots: list[str], deps: Deps, started: float) -> bool:
    """Slots, a caller id and a pace slot for a call taken from the queue, then its placing started (or the
    call stopped, or put back to wait); `slots` holds what it took until the placing has them."""
    command = command_of(doc)
    contact = command.contact
    if await stopped_before_dialing(doc, command, [], deps, ask_opt_outs=False):
        return True
    account_slot = await deps.limits.acquire(ACCOUNT, deps.max_concurrent)
    if account_slot is None:
        await requeue(doc, deps, "account at its concurrency limit")
        return False
    slots.append(account_slot)
    if command.max_concurrent:
        campaign_slot = await deps.limits.acquire(f"campaign:{command.campaign_id}", command.max_concurrent)
        if campaign_slot is None:
            await _give_back(slots, deps)
            await requeue(doc, deps, "campaign at its concurrency limit")
            return True
        slots.append(campaign_slot)
    async with deps.run.number_lock:  # one pick at a time in this instance
        caller_id = await pick_number(command.numbers, contact, deps, workspace_id=command.workspace_id)
    if caller_id is None:
        await _give_back(slots, deps)
        await requeue(doc, deps, "no caller id available (caps, cool-down or resting)")
        return False
    dial_at = await deps.limits.reserve_slot(ACCOUNT, deps.calls_per_second)
    doc = {**doc, "slots": list(slots)}  # stored with the call's next write
    slots.clear()  # the placing has them now
    overhead = time.perf_counter() - started
    placed = placing(doc, command, caller_id, dial_at, overhead, deps)
    task = asyncio.get_running_loop().create_task(placed, name=doc["_id"])  # the name: `Runtime.holds`
    deps.run.tasks.add(task)
    task.add_done_callback(deps.run.tasks.discard)
    return True


async def _give_back(slots: list[str], deps: Deps) -> None:
    while slots:
        await deps.limits.release(slots[-1])
        slots.pop()


async def drain(deps: Deps, *, budget: int = 200, workers: int = 8) -> int:
    """Start dialing queued calls until the queue is empty, a limit says wait, or `budget` is spent; a few
    workers overlap their database round trips (claims and slots stay exclusive: they are unique inserts)."""
    if time.monotonic() < deps.run.idle_until:
        return 0
    count = 0

    async def worker() -> None:
        nonlocal count
        while count < budget and await dial_next(deps):
            count += 1

    await asyncio.gather(*(worker() for _ in range(workers)))
    if count == 0:  # another instance's new calls are seen within a second
        deps.run.idle_until = time.monotonic() + 1.0
    return count


async def refresh_gauges(deps: Deps) -> None:
    """Calls in flight and queue depth for /metrics."""
    deps.instruments.in_flight.set(await deps.limits.in_flight(ACCOUNT))
    deps.instruments.queue_depth.set(len(deps.run.queue))
