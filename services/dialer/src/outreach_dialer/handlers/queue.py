"""Queue PlaceCall commands and dial them: shared pace, concurrency limits, caller id, window re-check."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from outreach_contracts.calls import CallCompleted, CallDeferred, CallPlaced, PlaceCall
from outreach_windows import ContactInfo, is_eligible

from outreach_dialer.adapters.provider import CallRejected, CallRequest, ProviderUnavailable
from outreach_dialer.domain.agents import connect_twiml, contact_variables, with_params
from outreach_dialer.handlers.deps import Deps
from outreach_dialer.handlers.numbers import pick_number

logger = logging.getLogger(__name__)

ACCOUNT = "account"
LATE_SHARE = 0.8  # how far into its slot's interval a call may still leave (the rest absorbs network jitter)


async def enqueue_call(command: PlaceCall, deps: Deps) -> None:
    """Record the command and queue it here; a repeated idempotency key is ignored."""
    if command.max_concurrent:
        deps.campaign_limits[command.campaign_id] = command.max_concurrent
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
        "owner": deps.instance,
        "trail": [],
        "outbox": [],
    }
    if await deps.calls.enqueue(doc, command.model_dump(mode="json")):
        deps.queue.push(queued(doc, command))
        if command.campaign_id not in await deps.limits.held_campaigns():
            deps.wake()


def queued(doc: dict[str, Any], command: PlaceCall) -> dict[str, Any]:
    """The dial queue's entry of a call: its document without the empty history, and the command as JSON.
    One string instead of a nest of dicts per call keeps a queue of many thousand calls cheap for the
    garbage collector to walk (its full passes stall dialing)."""
    entry = {k: v for k, v in doc.items() if k not in ("trail", "outbox", "command")}
    return {**entry, "command": command.model_dump_json()}


def command_of(entry: dict[str, Any]) -> PlaceCall:
    """The command of a dial queue entry."""
    return PlaceCall.model_validate_json(entry["command"])


async def adopt_stranded(deps: Deps, *, silent_s: float = 60.0) -> int:
    """Heartbeat, then queue here the calls that instances silent for `silent_s` recorded but never
    dialed; of several adopters exactly one takes each call."""
    now = deps.clock.now()
    alive_at = datetime.now(UTC)  # heartbeats are real time: a virtual clock's jump kills no instance
    await deps.calls.heartbeat(deps.instance, alive_at)
    owners = await deps.calls.dead_owners(silent_since=alive_at - timedelta(seconds=silent_s))
    owners = [o for o in owners if o != deps.instance]
    adopted = 0
    stranded = await deps.calls.stranded(owners=owners)
    for doc in stranded:
        if await deps.calls.adopt(doc, owner=deps.instance, now=now):
            deps.queue.push(queued(doc, PlaceCall.model_validate(doc["command"])))
            adopted += 1
    left = {doc["owner"] for doc in stranded}
    for owner in owners:
        if owner not in left:  # nothing of it is left to adopt: stop looking for it
            await deps.calls.forget_owner(owner)
    if adopted:
        deps.wake()
    return adopted


def _common(command: PlaceCall, deps: Deps) -> dict[str, Any]:
    return {
        "occurred_at": deps.clock.now(),
        "workspace_id": command.workspace_id,
        "idempotency_key": command.idempotency_key,
        "campaign_id": command.campaign_id,
        "contact_id": command.contact_id,
        "step_index": command.step_index,
    }


async def dial_next(deps: Deps) -> bool:
    """Take one queued call and start dialing it; False when nothing can be dialed now."""
    started = time.perf_counter()
    blocked = await deps.limits.full("campaign:", deps.campaign_limits) if deps.campaign_limits else set()
    skip = set(await deps.limits.held_campaigns()) | blocked
    doc = None
    for candidate in deps.queue.take(skip=skip):
        if await deps.calls.claim(candidate, owner=deps.instance, now=deps.clock.now()):
            doc = candidate
            break  # a lost claim: another instance has that call
    if doc is None:
        return False
    command = command_of(doc)
    contact = command.contact
    if await _stopped_before_dialing(doc, command, [], deps):
        return True
    account_slot = await deps.limits.acquire(ACCOUNT, deps.max_concurrent, call=doc["_id"], round_=doc.get("round", 0))
    if account_slot is None:
        await _requeue(doc, deps, "account at its concurrency limit")
        return False
    slots = [account_slot]
    if command.max_concurrent:
        campaign_slot = await deps.limits.acquire(
            f"campaign:{command.campaign_id}", command.max_concurrent, call=doc["_id"], round_=doc.get("round", 0)
        )
        if campaign_slot is None:
            await deps.limits.release(account_slot)
            await _requeue(doc, deps, "campaign at its concurrency limit")
            return True
        slots.append(campaign_slot)
    async with deps.number_lock:  # one pick at a time in this instance
        caller_id = await pick_number(command.numbers, contact, deps, workspace_id=command.workspace_id)
    if caller_id is None:
        for slot in slots:
            await deps.limits.release(slot)
        await _requeue(doc, deps, "no caller id available (caps, cool-down or resting)")
        return False
    dial_at = await deps.limits.reserve_slot(ACCOUNT, deps.calls_per_second)
    doc = {**doc, "slots": slots}  # stored with the call's next write
    overhead = time.perf_counter() - started
    task = asyncio.get_running_loop().create_task(_placing(doc, command, caller_id, dial_at, overhead, deps))
    deps.tasks.add(task)
    task.add_done_callback(deps.tasks.discard)
    return True


async def _stopped_before_dialing(doc: dict[str, Any], command: PlaceCall, slots: list[Any], deps: Deps) -> bool:
    """True (and the call finished, its slots released) when the contact opted out in the workspace or its
    window is closed now; asked when a call is taken from the queue and again right before it is placed."""
    contact = command.contact
    opted_out = await deps.opt_outs.contains(command.workspace_id, contact.phone)
    info = ContactInfo(timezone=contact.timezone, phone=contact.phone, state=contact.state)
    if not opted_out and is_eligible(deps.clock.now(), command.window, info, command.step_window):
        return False
    for slot in slots:
        await deps.limits.release(slot)
    if opted_out:
        event = CallCompleted(**_common(command, deps), call_id=doc["call_id"], outcome="canceled")
        changes = {"status": "canceled", "outcome": "canceled", "reason": "opted_out", "slots": []}
        await _finish(doc, event, changes, deps)
    else:
        deferred = CallDeferred(**_common(command, deps), reason="window_closed")
        await _finish(doc, deferred, {"status": "deferred", "slots": []}, deps)
        deps.instruments.deferred.inc()
    return True


async def _requeue(doc: dict[str, Any], deps: Deps, reason: str) -> None:
    await deps.calls.requeue(doc["_id"], reason)
    deps.queue.push({**doc, "round": doc.get("round", 0) + 1, "waiting": reason})


async def _placing(
    doc: dict[str, Any], command: PlaceCall, caller_id: str, dial_at: float, overhead: float, deps: Deps
) -> None:
    """`_place`, which never dies silently: before the provider was asked, the call goes back to the queue
    with its slots released; once it was asked and did not answer, whether the call exists is unknown, so it
    ends `failed` (never dialed twice on a doubt) with its slots released."""
    asked = asyncio.Event()
    try:
        await _place(doc, command, caller_id, dial_at, overhead, deps, asked)
    except asyncio.CancelledError:  # shutdown: a call not yet asked for goes back to the queue
        if not asked.is_set():
            for slot in doc.get("slots") or []:
                await deps.limits.release(slot)
            await _requeue({**doc, "slots": []}, deps, "handed back at shutdown")
        raise
    except Exception as exc:
        logger.exception("placing call %s failed", doc["_id"])
        for slot in doc.get("slots") or []:
            with contextlib.suppress(Exception):
                await deps.limits.release(slot)
        with contextlib.suppress(Exception):  # (the database may be what failed: the sweepers repair later)
            if asked.is_set() and not isinstance(exc, ProviderUnavailable):
                event = CallCompleted(
                    **_common(command, deps), call_id=doc["call_id"], outcome="failed", error_code="unreachable"
                )
                failed = {"status": "failed", "outcome": "failed", "reason": f"provider: {exc!r}"[:300], "slots": []}
                await _finish(doc, event, failed, deps)
            else:
                await _requeue({**doc, "slots": []}, deps, f"not placed: {exc!r}"[:200])


async def _place(
    doc: dict[str, Any],
    command: PlaceCall,
    caller_id: str,
    dial_at: float,
    overhead: float,
    deps: Deps,
    asked: asyncio.Event,
) -> None:
    """Build the request, wait for the reserved slot, then ask the provider for the call.

    Slot k is the interval [k / rate, (k + 1) / rate): a call leaves inside its own slot's interval or not
    at all (it takes a later slot when the event loop woke too late). Calls in distinct intervals of 1 / rate
    seconds put at most rate + 1 calls into any one-second window, and a late wake-up within the interval
    costs no slot (a stricter rule lost 8% of the slots to ordinary event-loop delays)."""
    started = time.perf_counter()
    request = await _request(doc, command, caller_id, deps)
    overhead += time.perf_counter() - started
    tolerance = LATE_SHARE / deps.calls_per_second
    while True:
        if dial_at - time.time() < -tolerance:
            dial_at = await deps.limits.reserve_slot(ACCOUNT, deps.calls_per_second)
            continue
        await asyncio.sleep(max(0.0, dial_at - time.time()))
        if time.time() - dial_at <= tolerance:
            break
    if await _stopped_before_dialing(doc, command, doc.get("slots") or [], deps):  # again, after the wait
        return
    asked.set()
    try:
        sid = await deps.provider.create_call(request)
    except CallRejected as exc:
        for slot in doc.get("slots") or []:
            await deps.limits.release(slot)
        event = CallCompleted(
            **_common(command, deps),
            call_id=doc["call_id"],
            outcome="failed",
            error_code=str(exc.code) if exc.code else None,
        )
        failed = {"status": "failed", "outcome": "failed", "reason": exc.reason, "slots": []}
        await _finish(doc, event, failed, deps)
        deps.instruments.outcomes.labels("failed").inc()
        return
    mark = time.perf_counter()
    placed = CallPlaced(**_common(command, deps), call_id=doc["call_id"], provider_call_sid=sid, from_number=caller_id)
    changes: dict[str, Any] = {
        "status": "placed",
        "provider_sid": sid,
        "from_number": caller_id,
        "placed_at": deps.clock.now(),
        "slots": doc["slots"],
        "dialer": deps.instance,
        "waiting": None,
    }
    deps.live[doc["_id"]] = doc["call_id"]
    await _finish(doc, placed, changes, deps)
    deps.instruments.placed.inc()
    deps.instruments.overhead.observe(overhead + time.perf_counter() - mark)


async def _request(doc: dict[str, Any], command: PlaceCall, caller_id: str, deps: Deps) -> CallRequest:
    """The provider request: the agent's address, the contact's fields as parameters, AMD, timeout."""
    contact = command.contact
    agent = await deps.agents.cached(command.workspace_id, command.agent_id) or {}
    ids = {
        "campaign_id": command.campaign_id,
        "contact_id": command.contact_id,
        "agent_id": command.agent_id,
        "call_id": doc["call_id"],
    }
    agent_defaults = {str(k): str(v) for k, v in (agent.get("variables") or {}).items()}
    params = {**agent_defaults, **ids, **contact_variables(contact)}
    kind, address = agent.get("kind", "twiml"), agent.get("address") or deps.default_agent_url
    query = urlencode({"key": doc["_id"]})  # finds the call by its primary key: the cheapest lookup
    callback = f"{deps.public_url}/webhooks/twilio/calls/{doc['call_id']}/status?{query}"
    return CallRequest(
        to=contact.phone,
        from_=caller_id,
        status_callback=callback,
        # a TwiML agent's URL carries ids only (URLs end up in provider logs); it reads the contact's
        # variables from the call (`GET /api/v1/calls/{call_id}`)
        url=with_params(address, {**agent_defaults, **ids}) if kind == "twiml" else None,
        twiml=connect_twiml(kind, address, params),
        machine_detection=command.machine_detection,
        amd_callback=callback if command.machine_detection == "async" else None,
        recording_callback=(
            f"{deps.public_url}/webhooks/twilio/calls/{doc['call_id']}/recording?{query}" if command.record else None
        ),
        timeout_s=command.ring_timeout_s,
    )


async def _finish(doc: dict[str, Any], event: Any, changes: dict[str, Any], deps: Deps) -> None:
    entries = [deps.entry(event, key=doc["contact_id"], journey=doc.get("trace"))]
    trail = {"status": changes["status"], "at": deps.clock.now()}
    await deps.calls.update(doc["_id"], expect={}, changes=changes, push={"outbox": {"$each": entries}, "trail": trail})
    await deps.relay(doc["_id"], entries)


async def drain(deps: Deps, *, budget: int = 200, workers: int = 8) -> int:
    """Start dialing queued calls until the queue is empty, a limit says wait, or `budget` is spent; a few
    workers overlap their database round trips (claims and slots stay exclusive: they are unique inserts)."""
    if time.monotonic() < deps.idle_until:
        return 0
    count = 0

    async def worker() -> None:
        nonlocal count
        while count < budget and await dial_next(deps):
            count += 1

    await asyncio.gather(*(worker() for _ in range(workers)))
    if count == 0:  # another instance's new calls are seen within a second
        deps.idle_until = time.monotonic() + 1.0
    return count


async def refresh_gauges(deps: Deps) -> None:
    """Calls in flight and queue depth for /metrics."""
    deps.instruments.in_flight.set(await deps.limits.in_flight(ACCOUNT))
    deps.instruments.queue_depth.set(len(deps.queue))
