"""Every dialer handler on in-memory fakes of its storage, the shared limits, the provider and the event
bus: queueing, placing (once, in the window, never after an opt-out), status callbacks, holds, lost
callbacks, leaked slots, stranded calls and caller ids."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from outreach_common.clock import VirtualClock
from outreach_contracts.calls import PlaceCall
from outreach_contracts.campaigns import CampaignPaused, CampaignResumed, CampaignStopped
from outreach_contracts.contacts import ContactData
from outreach_contracts.messages import ContactOptedOut
from outreach_contracts.topics import Topics
from outreach_contracts.window import ContactWindow
from outreach_dialer.adapters.provider import CallState, ProviderUnavailable
from outreach_dialer.handlers import call_records, campaigns, opt_outs, postcall, queue, reconcile, status
from outreach_dialer.handlers.deps import Deps
from outreach_dialer.handlers.numbers import pick_number

from tests.unit.fakes.bus import FakeBus
from tests.unit.fakes.dialer import FakeAgents, FakeCalls, FakeLimits, FakeNumbers, FakeProvider
from tests.unit.fakes.scheduler import FakeOptOuts

pytestmark = pytest.mark.unit
MONDAY = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)  # 11:00 in New York
WEEKDAYS = ContactWindow.model_validate({"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00",
                                         "end": "19:00", "timezone": {"primary": "contact",
                                                                      "fallback": "America/New_York"}})  # fmt: skip


def make_deps(**kw: Any) -> Deps:
    fields: dict[str, Any] = {
        "calls": FakeCalls(), "numbers": FakeNumbers(), "agents": FakeAgents(), "opt_outs": FakeOptOuts(),
        "number_events": None, "limits": FakeLimits(), "provider": FakeProvider(), "bus": FakeBus(),
        "clock": VirtualClock(MONDAY), "topics": Topics(), "public_url": "http://outreach.test",
        "default_caller_id": "+12125550100", "default_agent_url": "http://agent.test/twiml", "calls_per_second": 50,
    }  # fmt: skip
    deps = Deps(**(fields | kw))
    if "limits" not in kw or kw["limits"].owner == "me":
        assert isinstance(deps.limits, FakeLimits)
        deps.limits.owner = deps.run.instance
    return deps


def parts(deps: Deps) -> tuple[FakeCalls, FakeLimits, FakeProvider, FakeBus]:
    calls, limits, provider, bus = deps.calls, deps.limits, deps.provider, deps.bus
    assert isinstance(calls, FakeCalls) and isinstance(limits, FakeLimits)
    assert isinstance(provider, FakeProvider) and isinstance(bus, FakeBus)
    return calls, limits, provider, bus


def command(n: int = 1, **kw: Any) -> PlaceCall:
    fields = {"occurred_at": MONDAY, "workspace_id": "ws", "idempotency_key": f"cmp:ct{n}:0:1", "campaign_id": "cmp",
              "contact_id": f"ct{n}", "step_index": 0, "attempt": 1, "agent_id": "agt", "window": WEEKDAYS,
              "contact": ContactData(phone=f"+1212555{n:04d}", first_name="Ada"), **kw}  # fmt: skip
    return PlaceCall.model_validate(fields)


async def placed(deps: Deps) -> dict[str, Any]:
    """The call of `command()`, queued and dialed."""
    await queue.enqueue_call(command(), deps)
    await dial_all(deps)
    return parts(deps)[0].docs["cmp:ct1:0:1"]


async def dial_all(deps: Deps) -> None:
    """Take every claimable call and wait until each placing has finished."""
    while await queue.dial_next(deps):
        pass
    await asyncio.gather(*list(deps.run.tasks))


async def test_a_call_is_queued_once_and_placed_once_with_the_agents_address() -> None:
    deps = make_deps()
    calls, limits, provider, bus = parts(deps)
    await queue.enqueue_call(command(), deps)
    await queue.enqueue_call(command(), deps)  # a redelivered command
    await dial_all(deps)
    [request] = provider.requests
    assert (request.to, request.from_) == ("+12125550001", "+12125550100")
    assert request.url is not None and request.url.startswith("http://agent.test/twiml")
    assert bus.types() == ["CallPlaced"] and deps.run.live["cmp:ct1:0:1"].sid == "CA" + "1".zfill(32)
    doc = calls.docs["cmp:ct1:0:1"]
    assert doc["status"] == "queued" and "provider_sid" not in doc  # its progress is written when it ends
    shown = await calls.by_id(doc["call_id"])
    assert shown is not None and (shown["status"], shown["from_number"]) == ("dialing", "+12125550100")  # its claim
    assert await limits.in_flight("account") == 1


async def test_the_final_callback_publishes_the_outcome_once_and_frees_the_slots() -> None:
    deps = make_deps()
    _, limits, _, bus = parts(deps)
    doc = await placed(deps)
    ringing = {"CallStatus": "ringing"}
    assert await status.record_status(doc["call_id"], ringing, deps, key=doc["_id"])
    final = {"CallStatus": "completed", "CallDuration": "42", "AnsweredBy": "human"}
    for _ in range(2):  # Twilio may send the final callback twice
        assert await status.record_status(doc["call_id"], final, deps, key=doc["_id"])
    [done] = bus.of_type("CallCompleted")
    assert (done.outcome, done.duration_s) == ("answered_human", 42)
    assert await limits.in_flight("account") == 0
    assert [t["status"] for t in doc["trail"]][:3] == ["placed", "ringing", "completed"]  # one write, at the end
    assert (doc["provider_sid"], doc["from_number"], doc["outcome"]) == ("CA" + "1".zfill(32), "+12125550100",
                                                                        "answered_human")  # fmt: skip
    assert len({e.event_id for e in bus.of_type("CallCompleted")}) == 1
    assert not await status.record_status("call_000_unknown", final, deps)


async def test_a_final_state_the_database_did_not_take_is_asked_of_the_provider_again() -> None:
    deps = make_deps()
    calls, limits, provider, bus = parts(deps)
    doc = await placed(deps)
    sid = deps.run.live[doc["_id"]].sid or ""

    async def away(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("database away")

    calls.update = away  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        await status.record_status(doc["call_id"], {"CallStatus": "busy"}, deps, key=doc["_id"])
    assert doc["_id"] in deps.run.live and await limits.in_flight("account") == 0  # watched, its line free
    del calls.update  # the database is back
    provider.states[sid] = CallState(status="busy", duration_s=0, answered_by=None)
    assert await reconcile.reconcile_calls(deps, quiet_s=0) == 1
    assert doc["outcome"] == "busy" and len({e.event_id for e in bus.of_type("CallCompleted")}) == 1


async def test_a_call_the_provider_was_unavailable_for_is_dialed_again_once() -> None:
    deps = make_deps()
    calls, limits, provider, bus = parts(deps)
    provider.fail_next = ProviderUnavailable("Twilio answered 503")
    await queue.enqueue_call(command(), deps)
    await dial_all(deps)
    assert provider.requests == [] and "cmp:ct1:0:1" not in calls.claims  # the claim went with the doubt
    assert calls.docs["cmp:ct1:0:1"]["waiting"].startswith("not placed") and await limits.in_flight("account") == 0
    await dial_all(deps)
    assert len(provider.requests) == 1 and bus.types() == ["CallPlaced"]


async def test_an_opted_out_contact_is_never_dialed() -> None:
    deps = make_deps()
    calls, limits, provider, bus = parts(deps)
    await queue.enqueue_call(command(1), deps)
    await queue.enqueue_call(command(2), deps)
    opted = ContactOptedOut(occurred_at=MONDAY, workspace_id="ws", phone="+12125550001", channel="sms")
    await opt_outs.on_opt_out(opted, deps)  # its queued call is canceled
    await deps.opt_outs.record("ws", "+12125550002", channel="dnc", at=MONDAY)  # no event yet: the check stops it
    await dial_all(deps)
    assert provider.requests == []
    assert calls.docs["cmp:ct1:0:1"]["reason"] == "opted_out" and calls.docs["cmp:ct2:0:1"]["reason"] == "opted_out"
    assert [e.outcome for e in bus.of_type("CallCompleted")] == ["canceled"]
    assert await limits.in_flight("account") == 0


async def test_an_opt_out_heard_after_the_database_was_asked_stops_the_call_at_its_slot() -> None:
    deps = make_deps()
    calls, limits, provider, bus = parts(deps)
    opted = ContactOptedOut(occurred_at=MONDAY, workspace_id="ws", phone="+12125550001", channel="sms")
    claim = calls.claim

    async def claim_then_hear(key: str, fields: dict[str, Any]) -> bool:  # heard between the read and the slot
        won = await claim(key, fields)
        await opt_outs.on_opt_out(opted, deps)
        return won

    calls.claim = claim_then_hear  # type: ignore[method-assign]
    await queue.enqueue_call(command(1), deps)
    await dial_all(deps)
    assert provider.requests == [] and calls.claims == {}  # not dialed, and its claim withdrawn
    assert calls.docs["cmp:ct1:0:1"]["reason"] == "opted_out"
    assert [e.outcome for e in bus.of_type("CallCompleted")] == ["canceled"]
    assert await limits.in_flight("account") == 0


async def test_a_closed_window_hands_the_call_back() -> None:
    deps = make_deps()
    _, limits, provider, bus = parts(deps)
    assert isinstance(deps.clock, VirtualClock)
    deps.clock.set(MONDAY + timedelta(hours=10))  # 21:00 in New York
    await queue.enqueue_call(command(), deps)
    await dial_all(deps)
    assert provider.requests == [] and [e.reason for e in bus.of_type("CallDeferred")] == ["window_closed"]
    assert await limits.in_flight("account") == 0


async def test_paused_calls_wait_resumed_ones_go_and_stopped_ones_are_canceled() -> None:
    deps = make_deps()
    calls, _, provider, _ = parts(deps)
    about = {"occurred_at": MONDAY, "workspace_id": "ws", "campaign_id": "cmp", "name": "c"}
    await campaigns.campaign_paused(CampaignPaused(**about), deps)
    await queue.enqueue_call(command(1), deps)
    await dial_all(deps)
    assert provider.requests == []
    await campaigns.campaign_resumed(CampaignResumed(**about), deps)
    await dial_all(deps)
    assert len(provider.requests) == 1
    await queue.enqueue_call(command(2), deps)
    await campaigns.campaign_stopped(CampaignStopped(**about), deps)
    await dial_all(deps)
    assert len(provider.requests) == 1 and calls.docs["cmp:ct2:0:1"]["status"] == "canceled"


async def test_the_account_limit_keeps_a_call_queued_until_a_slot_frees() -> None:
    deps = make_deps(max_concurrent=1)
    calls, _, provider, _ = parts(deps)
    for n in (1, 2):
        await queue.enqueue_call(command(n), deps)
    await dial_all(deps)
    assert len(provider.requests) == 1
    first = calls.docs[next(iter(deps.run.live))]
    await status.record_status(first["call_id"], {"CallStatus": "busy"}, deps, key=first["_id"])
    await dial_all(deps)
    assert len(provider.requests) == 2


async def test_a_lost_final_callback_is_asked_of_the_provider_and_leaked_slots_are_reaped() -> None:
    deps = make_deps()
    _, limits, provider, bus = parts(deps)
    doc = await placed(deps)
    provider.states[deps.run.live[doc["_id"]].sid or ""] = CallState(status="no-answer", duration_s=0,
                                                                    answered_by=None)  # fmt: skip
    assert await reconcile.reconcile_calls(deps, quiet_s=3600) == 0
    assert await reconcile.reconcile_calls(deps, quiet_s=0) == 1
    assert [e.outcome for e in bus.of_type("CallCompleted")] == ["no_answer"] and doc["reconciled"]
    assert await limits.in_flight("account") == 0
    limits.owner = "stopped"  # leases of an instance that stopped, one held by a call
    assert await limits.acquire("account", 5) is not None and await limits.acquire("campaign:c", 5) is not None
    await deps.calls.heartbeat(deps.run.instance, datetime.now(UTC))
    assert await reconcile.reap_slots(deps, lease_s=0) == 2  # "stopped" sends no heartbeat: its leases go
    assert set(limits.slots) == {"account#0"}  # this instance's lease, free for its next call
    assert await reconcile.reap_slots(deps, lease_s=0) == 0


async def test_a_stopped_instances_queued_calls_are_adopted_once() -> None:
    deps = make_deps()
    calls, _, provider, _ = parts(deps)
    await queue.enqueue_call(command(), deps)
    await calls.heartbeat(deps.run.instance, datetime.now(UTC) - timedelta(minutes=5))
    other = make_deps(calls=calls, provider=provider)
    assert await queue.adopt_stranded(other, silent_s=60) == 1
    assert await queue.adopt_stranded(other, silent_s=60) == 0
    assert deps.run.instance not in calls.dialers  # nothing of it left: no instance looks for it again
    await dial_all(other)
    await dial_all(deps)  # the stopped instance still holds its queue entry: it loses the claim to dial
    assert len(provider.requests) == 1


async def test_caller_ids_by_tag_with_local_presence_and_caps() -> None:
    deps = make_deps()
    contact = ContactData(phone="+12125550001")
    for number, state in (("+13105550100", "CA"), ("+12125550199", "NY")):
        await deps.numbers.upsert({"_id": number, "workspace_id": "ws", "status": "active", "tags": ["us"],
                                   "capabilities": ["voice"], "caps": {"per_hour": 1}, "country": "US",
                                   "state": state, "area_code": number[2:5]})  # fmt: skip
    selection = command().numbers.model_copy(update={"tags": ["us"]})
    picks = [await pick_number(selection, contact, deps, workspace_id="ws") for _ in range(3)]
    assert picks == ["+12125550199", "+13105550100", None]  # local first; each once an hour
    assert await pick_number(command().numbers, contact, deps, workspace_id="empty") == "+12125550100"


async def test_the_agents_report_is_published_once_and_a_do_not_call_disposition_opts_out() -> None:
    deps = make_deps()
    bus = parts(deps)[3]
    call_id = (await placed(deps))["call_id"]
    for _ in range(2):  # the agent reports twice
        report = await postcall.record_analysis(call_id, "Do not call", "asked to stop", {"k": "v"}, deps)
        assert report is not None and report["opted_out"]
    assert bus.types()[-2:] == ["CallAnalyzed", "ContactOptedOut"] and len(bus.of_type("CallAnalyzed")) == 1
    assert [(e.phone, e.channel) for e in bus.of_type("ContactOptedOut")] == [("+12125550001", "call")]
    assert await postcall.record_analysis("call_000_unknown", "interested", "", {}, deps) is None


async def test_a_number_answered_far_less_than_its_pool_rests_then_wakes() -> None:
    from outreach_dialer.handlers.deps import Health
    from outreach_dialer.handlers.numbers import check_health, record_answer

    deps = make_deps(health=Health(window_h=24, min_calls=4, share=0.5, rest_h=2))
    _, _, _, bus = parts(deps)
    for number in ("+12125550101", "+12125550102"):
        await deps.numbers.upsert({"_id": number, "workspace_id": "ws", "status": "active", "capabilities": ["voice"]})
    for answered in (True, True, True, True):
        await record_answer("+12125550101", answered, deps, workspace_id="ws")
    for answered in (False, False, False, True):
        await record_answer("+12125550102", answered, deps, workspace_id="ws")
    assert await check_health(deps) == ["+12125550102"]  # 25% against a pool's 62.5%
    [rested] = bus.of_type("NumberRested")
    assert (rested.number, rested.answer_rate, rested.pool_answer_rate) == ("+12125550102", 0.25, 0.625)
    assert isinstance(deps.clock, VirtualClock)
    deps.clock.advance(timedelta(hours=25))  # its rest is over, and its poor calls left the health window
    assert await check_health(deps) == []
    assert (await deps.numbers.get("+12125550102"))["status"] == "active"  # type: ignore[index]


async def test_progress_callbacks_are_written_with_the_final_one_or_after_a_while() -> None:
    deps = make_deps()
    doc = await placed(deps)
    await status.record_status(doc["call_id"], {"CallStatus": "ringing"}, deps, key=doc["_id"])
    assert doc["trail"] == [] and doc["status"] == "queued"  # held in memory: one write per call
    assert await status.flush_trails(deps, older_than_s=3600) == 0
    assert await status.flush_trails(deps, older_than_s=0) == 1  # a long call shows before it ends
    assert [t["status"] for t in doc["trail"]] == ["placed", "ringing"] and doc["status"] == "placed"
    assert doc["provider_sid"] == deps.run.live[doc["_id"]].sid


async def test_a_call_placed_by_a_stopped_instance_whose_final_callback_was_lost_is_settled_by_another() -> None:
    deps = make_deps()
    calls, limits, provider, bus = parts(deps)
    doc = await placed(deps)
    await calls.heartbeat(deps.run.instance, datetime.now(UTC) - timedelta(minutes=5))  # it stopped
    provider.states[deps.run.live[doc["_id"]].sid or ""] = CallState(status="completed", duration_s=12,
                                                                    answered_by="human")  # fmt: skip
    other = make_deps(calls=calls, limits=FakeLimits(shared=limits), provider=provider, bus=bus)
    await queue.adopt_stranded(other, silent_s=60)  # nothing queued to adopt, but its placed call is watched
    assert deps.run.instance in calls.dialers  # kept until its placed call is settled
    assert await other.limits.in_flight("account") == 1  # the call is on the line: it counts here now
    assert await reconcile.reconcile_calls(other, quiet_s=0) == 1
    assert [e.outcome for e in bus.of_type("CallCompleted")] == ["answered_human"]
    assert doc["dialer"] == other.run.instance and await other.limits.in_flight("account") == 0
    assert await reconcile.reap_slots(other, lease_s=0) == 1 and "account#0" not in limits.slots  # the stopped one's
    await queue.adopt_stranded(other, silent_s=60)
    assert deps.run.instance not in calls.dialers  # nothing of it is left


async def test_a_call_a_stopped_dialer_was_dialing_is_found_at_the_provider_and_never_dialed_again() -> None:
    deps = make_deps()
    calls, limits, provider, bus = parts(deps)
    doc = await placed(deps)
    sid = deps.run.live[doc["_id"]].sid  # killed after the provider took it: only its claim is stored
    await calls.heartbeat(deps.run.instance, datetime.now(UTC) - timedelta(minutes=5))
    other = make_deps(calls=calls, limits=FakeLimits(shared=limits), provider=provider, bus=bus)
    assert await queue.adopt_stranded(other, silent_s=60) == 0  # not adopted: the provider has it
    await dial_all(other)
    assert len(provider.requests) == 1
    first, again = bus.of_type("CallPlaced")
    assert again.provider_call_sid == sid and again.event_id == first.event_id  # one event to consumers
    assert other.run.live[doc["_id"]].sid == sid  # its outcome is asked of the provider when late
    assert await queue.adopt_stranded(make_deps(calls=calls, provider=provider), silent_s=60) == 0
    assert len(bus.of_type("CallPlaced")) == 2  # a third instance leaves it to the one settling it


async def test_a_final_callback_on_another_instance_announces_the_call_placed_once() -> None:
    deps = make_deps()
    calls, _, provider, bus = parts(deps)
    doc = await placed(deps)
    other = make_deps(calls=calls, provider=provider, bus=bus)  # the placing instance stopped before announcing
    final = {"CallStatus": "busy", "CallSid": deps.run.live[doc["_id"]].sid or "", "From": "+12125550100"}
    assert await status.record_status(doc["call_id"], final, other, key=doc["_id"])
    first, again = bus.of_type("CallPlaced")
    assert again.event_id == first.event_id and again.provider_call_sid == final["CallSid"]  # one to consumers
    assert [e.outcome for e in bus.of_type("CallCompleted")] == ["busy"] and doc["outcome"] == "busy"


async def test_a_call_a_stopped_dialer_was_dialing_that_the_provider_lacks_fails_and_is_not_dialed_again() -> None:
    deps = make_deps()
    calls, limits, provider, bus = parts(deps)
    doc = await placed(deps)
    provider.requests.clear()  # killed before the request reached the provider: only its claim is stored
    await calls.heartbeat(deps.run.instance, datetime.now(UTC) - timedelta(minutes=5))
    other = make_deps(calls=calls, limits=FakeLimits(shared=limits), provider=provider, bus=bus)
    assert await queue.adopt_stranded(other, silent_s=60) == 0
    await dial_all(other)
    assert provider.requests == []
    assert (doc["status"], bus.of_type("CallCompleted")[-1].error_code) == ("failed", "unknown")
    assert await reconcile.reap_slots(other, lease_s=0) == 1 and limits.slots == {}


async def test_a_call_placed_while_kafka_was_away_is_announced_with_its_end_or_from_its_outbox() -> None:
    deps = make_deps()
    _, _, _, bus = parts(deps)
    bus.fail = ConnectionError("broker away")
    doc = await placed(deps)
    live = deps.run.live[doc["_id"]]
    assert bus.types() == [] and len(live.unsent) == 1
    bus.fail = None
    assert await status.record_status(doc["call_id"], {"CallStatus": "busy"}, deps, key=doc["_id"])
    assert bus.types() == ["CallPlaced", "CallCompleted"]
    bus.fail = ConnectionError("broker away again")  # a late announcement of a call that has ended meanwhile
    event = bus.of_type("CallPlaced")[0]
    await call_records.announce(live, event, deps)
    assert doc["outbox"] and doc["_id"] in deps.run.unrelayed
    bus.fail = None
    assert await deps.relay_again() == 1 and len(bus.of_type("CallPlaced")) == 2 and doc["outbox"] == []


async def test_events_kafka_could_not_take_are_published_as_soon_as_it_can() -> None:
    deps = make_deps()
    calls, _, _, bus = parts(deps)
    opted = ContactOptedOut(occurred_at=datetime(2026, 12, 1, tzinfo=UTC), workspace_id="ws", phone="+12125550100",
                            channel="dnc")  # fmt: skip
    entry = deps.entry(opted, key="+12125550100")
    calls.docs["k1"] = {"_id": "k1", "outbox": [entry]}
    bus.fail = ConnectionError("broker away")
    with pytest.raises(ConnectionError):
        await deps.relay("k1", [entry])
    with pytest.raises(ConnectionError):  # still away: kept for the next try
        await deps.relay_again()
    bus.fail = None
    assert await deps.relay_again() == 1
    assert calls.docs["k1"]["outbox"] == [] and bus.types() == ["ContactOptedOut"]
    assert await deps.relay_again() == 0  # nothing left to publish
