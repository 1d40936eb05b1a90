"""Placing one call taken from the queue: wait for its pace slot, check the window and opt-outs again, ask
the provider, and record what happened (slots released on every way out)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from outreach_contracts.calls import CallCompleted, CallDeferred, CallPlaced, PlaceCall
from outreach_windows import ContactInfo, is_eligible

from outreach_dialer.adapters.provider import CallRejected, CallRequest, ProviderUnavailable
from outreach_dialer.domain.agents import connect_twiml, contact_variables, with_params
from outreach_dialer.domain.outcomes import event_id
from outreach_dialer.handlers.call_records import announce, call_fields, finish_unplaced, write_final
from outreach_dialer.handlers.deps import Deps, Placed

logger = logging.getLogger(__name__)

ACCOUNT = "account"
LATE_SHARE = 0.8  # how far into its slot's interval a call may still leave (the rest absorbs network jitter)
CHECK_LEAD_S = 0.25  # how long before its slot a call's database checks and claim are made


def common(command: PlaceCall, deps: Deps) -> dict[str, Any]:
    return {
        "occurred_at": deps.clock.now(),
        "workspace_id": command.workspace_id,
        "idempotency_key": command.idempotency_key,
        "campaign_id": command.campaign_id,
        "contact_id": command.contact_id,
        "step_index": command.step_index,
    }


async def stopped_before_dialing(
    doc: dict[str, Any], command: PlaceCall, slots: list[Any], deps: Deps, *, ask_opt_outs: bool = True
) -> bool:
    """True (and the call finished, its slots released) when the contact opted out in the workspace or its
    window is closed now (`stop_reason`), or, with `ask_opt_outs`, when the database holds its opt-out. Asked
    when a call is taken from the queue (without the database) and a moment before its slot; right before the
    provider is asked, `stop_reason` alone is (a database read there made calls leave late, and the calls of
    one second spilled into the next)."""
    reason = stop_reason(command, deps)
    if reason is None and ask_opt_outs and await deps.opt_outs.contains(command.workspace_id, command.contact.phone):
        reason = "opted_out"
    if reason is None:
        return False
    await finish_stopped(doc, command, slots, deps, reason)
    return True


def stop_reason(command: PlaceCall, deps: Deps) -> str | None:
    """`window_closed`, `opted_out` (an opt-out heard here lately) or None: no database read."""
    contact = command.contact
    info = ContactInfo(timezone=contact.timezone, phone=contact.phone, state=contact.state)
    if not is_eligible(deps.clock.now(), command.window, info, command.step_window):
        return "window_closed"
    return "opted_out" if (command.workspace_id, contact.phone) in deps.run.opted_out else None


async def finish_stopped(doc: dict[str, Any], command: PlaceCall, slots: list[Any], deps: Deps, reason: str) -> None:
    """Release the call's slots and finish it: canceled for an opt-out, handed back for a closed window."""
    for slot in slots:
        await deps.limits.release(slot)
    if reason == "opted_out":
        event = CallCompleted(**common(command, deps), call_id=doc["call_id"], outcome="canceled")
        changes = {"status": "canceled", "outcome": "canceled", "reason": "opted_out"}
        await finish_unplaced(doc, event, changes, deps)
    else:
        deferred = CallDeferred(**common(command, deps), reason="window_closed")
        await finish_unplaced(doc, deferred, {"status": "deferred"}, deps)
        deps.instruments.deferred.inc()


async def requeue(doc: dict[str, Any], deps: Deps, reason: str) -> None:
    """Back to this instance's queue, then the reason written when it changes (a call waiting for a slot or a
    caller id is put back many times, for one reason); in that order, so a write that fails (the database
    restarting) cannot leave the call out of the queue for good."""
    deps.run.queue.push({**doc, "waiting": reason})
    if doc.get("waiting") != reason:
        await deps.calls.requeue(doc["_id"], reason)


@dataclass
class Progress:
    """How far a call being placed got: claimed for dialing, and the provider asked."""

    claimed: bool = False
    asked: bool = False


async def placing(
    doc: dict[str, Any], command: PlaceCall, caller_id: str, dial_at: float, overhead: float, deps: Deps
) -> None:
    """`_place`, which never dies silently: before the provider was asked, the call goes back to the queue
    with its slots released (and its claim withdrawn); once it was asked and did not answer, whether the call
    exists is unknown, so it ends `failed` (never dialed twice on a doubt) with its slots released."""
    progress = Progress()
    try:
        await _place(doc, command, caller_id, dial_at, overhead, deps, progress)
    except asyncio.CancelledError:  # shutdown: a call not yet asked for goes back to the queue
        if not progress.asked:
            for slot in doc.get("slots") or []:
                await deps.limits.release(slot)
            if progress.claimed:
                await deps.calls.unclaim(doc["_id"])
            await requeue({**doc, "slots": []}, deps, "handed back at shutdown")
        raise
    except Exception as exc:
        logger.exception("placing call %s failed", doc["_id"])
        for slot in doc.get("slots") or []:
            with contextlib.suppress(Exception):
                await deps.limits.release(slot)
        if progress.asked and not isinstance(exc, ProviderUnavailable):
            event = CallCompleted(**common(command, deps), call_id=doc["call_id"], outcome="failed",
                                  error_code="unreachable", event_id=event_id(doc["_id"], "completed"))  # fmt: skip
            failed = {"status": "failed", "outcome": "failed", "reason": f"provider: {exc!r}"[:300],
                      "from_number": caller_id}  # fmt: skip
            with contextlib.suppress(Exception):  # (the database may be what failed: the sweepers repair later)
                await write_final(doc, [event], failed, deps, trail=[])
            return
        # the provider surely has no call: back to the queue, and its claim goes (were it left: this instance's)
        with contextlib.suppress(Exception):
            await requeue({**doc, "slots": []}, deps, f"not placed: {exc!r}"[:200])
        if progress.claimed:
            with contextlib.suppress(Exception):
                await deps.calls.unclaim(doc["_id"])


async def until_slot(dial_at: float, deps: Deps, *, lead: float = 0.0) -> float:
    """Sleep until `lead` seconds before the call's pace slot; return the slot's time.

    Slot k is the interval [k / rate, (k + 1) / rate): a call leaves inside its own slot's interval or not
    at all (it takes a later slot when the event loop woke too late). Calls in distinct intervals of 1 / rate
    seconds put at most rate + 1 calls into any one-second window, and a late wake-up within the interval
    costs no slot (a stricter rule lost 8% of the slots to ordinary event-loop delays)."""
    tolerance = LATE_SHARE / deps.calls_per_second
    while True:
        if dial_at - time.time() < -tolerance:
            dial_at = await deps.limits.reserve_slot(ACCOUNT, deps.calls_per_second)
            continue
        await asyncio.sleep(max(0.0, dial_at - lead - time.time()))
        if time.time() - dial_at <= tolerance:
            return dial_at


async def _place(
    doc: dict[str, Any],
    command: PlaceCall,
    caller_id: str,
    dial_at: float,
    overhead: float,
    deps: Deps,
    progress: Progress,
) -> None:
    """Build the request; a moment before the reserved slot, check the window and opt-outs again and claim
    the call (the database's answers take milliseconds, and sometimes far more: asked after the wait, they
    made calls leave late); at the slot, check the window and the opt-outs heard since, and ask the provider."""
    started = time.perf_counter()
    request = await _request(doc, command, caller_id, deps)
    overhead += time.perf_counter() - started
    slots = doc.get("slots") or []
    dial_at = await until_slot(dial_at, deps, lead=CHECK_LEAD_S)
    if await stopped_before_dialing(doc, command, slots, deps):  # again, after the wait
        return
    # Claimed before the provider is asked: a dialer killed from here on leaves the claim, so the call is
    # never adopted and dialed again (the provider may have it) but settled by the live instances.
    claim = {"owner": deps.run.instance, "at": deps.clock.now(), "dialing_wall": datetime.now(UTC),
             "from_number": caller_id, "call_id": doc["call_id"]}  # fmt: skip
    if not await deps.calls.claim(doc["_id"], claim):  # another instance dials it (it adopted the call)
        for slot in slots:
            await deps.limits.release(slot)
        return
    progress.claimed = True
    await until_slot(dial_at, deps)
    reason = stop_reason(command, deps)  # the window closed or an opt-out was heard during the last wait
    if reason is not None:
        await deps.calls.unclaim(doc["_id"])
        progress.claimed = False
        await finish_stopped(doc, command, slots, deps, reason)
        return
    progress.asked = True
    # in memory before the provider is asked: its first callbacks may come before its answer does
    live = Placed(call_id=doc["call_id"], from_number=caller_id, slots=doc["slots"], heard_at=deps.clock.now(),
                  call=call_fields(doc))  # fmt: skip
    deps.run.live[doc["_id"]] = live
    try:
        sid = await deps.provider.create_call(request)
    except CallRejected as exc:
        deps.run.live.pop(doc["_id"], None)
        for slot in slots:
            await deps.limits.release(slot)
        event = CallCompleted(**common(command, deps), call_id=doc["call_id"], outcome="failed",
                              error_code=str(exc.code) if exc.code else None,
                              event_id=event_id(doc["_id"], "completed"))  # fmt: skip
        failed = {"status": "failed", "outcome": "failed", "reason": exc.reason, "from_number": caller_id}
        await write_final(doc, [event], failed, deps, trail=[{"status": "failed", "at": deps.clock.now()}])
        deps.instruments.outcomes.labels("failed").inc()
        return
    except BaseException:
        deps.run.live.pop(doc["_id"], None)
        raise
    mark = time.perf_counter()
    now = deps.clock.now()
    live.sid, live.placed_at = sid, now
    live.trail.insert(0, {"status": "placed", "at": now})
    placed = CallPlaced(**common(command, deps), call_id=doc["call_id"], provider_call_sid=sid,
                        from_number=caller_id, event_id=event_id(doc["_id"], "placed"))  # fmt: skip
    await announce(live, placed, deps)
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
