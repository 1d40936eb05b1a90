"""Every scheduler handler on in-memory fakes of its storage and the event bus: enrolling, outcomes,
opt-outs, the durable timer, caps, crash repair, stuck steps and the campaign lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from outreach_common.clock import VirtualClock
from outreach_common.consumer import PoisonMessage
from outreach_contracts.calls import CallCompleted, CallDeferred
from outreach_contracts.contacts import ContactData, ContactImported
from outreach_contracts.messages import ContactOptedOut, MessageFailed, MessageSent
from outreach_contracts.topics import Topics
from outreach_scheduler.domain.campaign import Campaign, CampaignSpec
from outreach_scheduler.domain.lifecycle import LifecycleError
from outreach_scheduler.handlers import dispatch, lifecycle, outcomes, stuck
from outreach_scheduler.handlers.contacts import enroll_batch, enroll_contact
from outreach_scheduler.handlers.deps import Deps

from tests.unit.fakes.bus import FakeBus
from tests.unit.fakes.scheduler import FakeCallCounts, FakeCampaigns, FakeEnrollments, FakeOptOuts

pytestmark = pytest.mark.unit
MONDAY = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)  # 11:00 in New York
WINDOW = {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "19:00",
          "timezone": {"primary": "contact", "fallback": "America/New_York"}}  # fmt: skip
FLOW = [
    {"kind": "phone", "agent_id": "agt"},
    {"kind": "sms", "body": "Hi {{ first_name }}", "when_previous": ["no_answer"]},
]


def make_deps(**kw: object) -> Deps:
    return Deps(
        campaigns=FakeCampaigns(),
        enrollments=FakeEnrollments(),
        bus=FakeBus(),
        clock=VirtualClock(MONDAY),
        topics=Topics(),
        calls_log=FakeCallCounts(),
        opt_outs=FakeOptOuts(),
        **kw,  # type: ignore[arg-type]
    )


def bus(deps: Deps) -> FakeBus:
    assert isinstance(deps.bus, FakeBus)
    return deps.bus


async def active_campaign(deps: Deps, flow: list[dict[str, object]] | None = None) -> Campaign:
    spec = CampaignSpec.model_validate({"name": "Renewals", "window": WINDOW, "flow": flow or FLOW})
    campaign = await lifecycle.create_campaign(spec, workspace_id="ws", deps=deps)
    return await lifecycle.start_campaign(campaign, at=None, deps=deps)


def imported(campaign: Campaign, n: int, *, workspace: str = "ws") -> ContactImported:
    contact = ContactData(phone=f"+1212555{n:04d}", first_name=f"C{n}")
    return ContactImported(occurred_at=MONDAY, workspace_id=workspace, campaign_id=campaign.id,
                           contact_id=f"ct{n}", import_id="imp", row=n, contact=contact)  # fmt: skip


async def enrolled(deps: Deps, campaign: Campaign, n: int = 1) -> None:
    await enroll_contact(imported(campaign, n), deps)


def completed(campaign: Campaign, n: int, key: str, outcome: str) -> CallCompleted:
    return CallCompleted(occurred_at=MONDAY, workspace_id="ws", idempotency_key=key, campaign_id=campaign.id,
                         contact_id=f"ct{n}", step_index=0, call_id="call", outcome=outcome)  # fmt: skip


async def test_a_contact_is_enrolled_once_at_its_first_eligible_instant() -> None:
    deps = make_deps()
    campaign = await active_campaign(deps)
    await enrolled(deps, campaign)
    await enrolled(deps, campaign)  # a redelivery
    enrollment = await deps.enrollments.get(campaign.id, "ct1")
    assert enrollment is not None and (enrollment.state, enrollment.due_at) == ("queued", MONDAY)
    changed = bus(deps).of_type("EnrollmentChanged")  # published again on a redelivery, as the same event
    assert len(changed) == 2 and len({e.event_id for e in changed}) == 1
    assert bus(deps).types(deps.topics.campaigns) == ["CampaignCreated", "CampaignStarted"]


async def test_enrolling_refuses_another_workspaces_campaign_and_skips_a_stopped_one() -> None:
    deps = make_deps()
    campaign = await active_campaign(deps)
    with pytest.raises(PoisonMessage, match="unknown campaign"):
        await enroll_contact(imported(campaign, 1, workspace="other"), deps)
    await lifecycle.stop_campaign(campaign, deps)
    await enrolled(deps, campaign, 2)
    assert await deps.enrollments.get(campaign.id, "ct2") is None


async def test_a_batch_is_enrolled_once_with_its_opt_outs_and_without_a_foreign_campaigns_contacts() -> None:
    deps = make_deps()
    campaign = await active_campaign(deps)
    assert deps.opt_outs is not None
    await deps.opt_outs.record("ws", "+12125550002", channel="sms", at=MONDAY)
    batch = [imported(campaign, n) for n in (1, 2, 3)] + [imported(campaign, 4, workspace="other")]
    await enroll_batch([*batch, "not a contact event"], deps)
    await enroll_batch(batch, deps)  # the batch again after a failure: nothing twice
    states = {n: await deps.enrollments.get(campaign.id, f"ct{n}") for n in (1, 2, 3, 4)}
    assert {n: e.state if e else None for n, e in states.items()} == {1: "queued", 2: "exited", 3: "queued", 4: None}
    published = bus(deps).of_type("EnrollmentChanged") + bus(deps).of_type("ContactExited")
    assert len({(e.type, e.contact_id) for e in published}) == len({e.event_id for e in published}) == 4


async def test_a_number_that_opted_out_earlier_exits_at_enrollment() -> None:
    deps = make_deps()
    campaign = await active_campaign(deps)
    assert deps.opt_outs is not None
    await deps.opt_outs.record("ws", "+12125550001", channel="sms", at=MONDAY)
    await enrolled(deps, campaign)
    enrollment = await deps.enrollments.get(campaign.id, "ct1")
    assert enrollment is not None and (enrollment.state, enrollment.reason) == ("exited", "opted_out")


async def test_a_completed_campaign_reopens_when_contacts_arrive() -> None:
    deps = make_deps()
    campaign = await active_campaign(deps)
    stored = await deps.campaigns.replace(campaign.model_copy(update={"status": "completed"}),
                                          expected_status="active", outbox=[])  # fmt: skip
    assert stored is not None
    await enrolled(deps, campaign)
    assert (await deps.campaigns.get(campaign.id)).status == "active"  # type: ignore[union-attr]


async def test_the_timer_dispatches_a_due_step_once_and_its_outcome_moves_the_contact_on() -> None:
    deps = make_deps()
    campaign = await active_campaign(deps)
    await enrolled(deps, campaign)
    assert await dispatch.dispatch_due(deps) == 1
    assert await dispatch.dispatch_due(deps) == 0  # claimed: never sent twice
    [command] = bus(deps).of_type("PlaceCall")
    assert command.idempotency_key == f"{campaign.id}:ct1:0:1"
    await outcomes.call_completed(completed(campaign, 1, command.idempotency_key, "no_answer"), deps)
    enrollment = await deps.enrollments.get(campaign.id, "ct1")
    assert enrollment is not None and (enrollment.state, enrollment.step_index) == ("queued", 1)
    # a repeated or stale outcome changes nothing
    await outcomes.call_completed(completed(campaign, 1, command.idempotency_key, "answered_human"), deps)
    assert (await deps.enrollments.get(campaign.id, "ct1")) == enrollment


async def _sms_sent(deps: Any) -> dict[str, Any]:
    """Dispatch what is due; the fields of an outcome of the one SendSms it published."""
    await dispatch.dispatch_due(deps)
    [sms] = bus(deps).of_type("SendSms")
    ids = {k: getattr(sms, k) for k in ("workspace_id", "idempotency_key", "campaign_id", "contact_id", "step_index")}
    return {"occurred_at": MONDAY, "channel": "sms", **ids}


async def test_an_answered_call_ends_the_flow_and_a_sent_sms_completes_it() -> None:
    deps = make_deps()
    campaign = await active_campaign(deps)
    for n in (1, 2):
        await enrolled(deps, campaign, n)
    await dispatch.dispatch_due(deps)
    keys = {c.contact_id: c.idempotency_key for c in bus(deps).of_type("PlaceCall")}
    await outcomes.call_completed(completed(campaign, 1, keys["ct1"], "answered_human"), deps)
    await outcomes.call_completed(completed(campaign, 2, keys["ct2"], "no_answer"), deps)
    assert (await deps.enrollments.get(campaign.id, "ct1")).state in ("exited", "completed")  # type: ignore[union-attr]
    await outcomes.message_sent(MessageSent(**await _sms_sent(deps), provider_id="SM1"), deps)
    assert (await deps.enrollments.get(campaign.id, "ct2")).state == "completed"  # type: ignore[union-attr]


async def test_a_failed_message_is_the_steps_outcome() -> None:
    deps = make_deps()
    campaign = await active_campaign(deps, flow=[{"kind": "sms", "body": "Hi"}])
    await enrolled(deps, campaign)
    await outcomes.message_failed(MessageFailed(**await _sms_sent(deps), reason="x"), deps)
    assert (await deps.enrollments.get(campaign.id, "ct1")).state != "active"  # type: ignore[union-attr]


async def test_a_deferred_call_is_queued_again_as_a_new_attempt() -> None:
    deps = make_deps()
    campaign = await active_campaign(deps)
    await enrolled(deps, campaign)
    await dispatch.dispatch_due(deps)
    [command] = bus(deps).of_type("PlaceCall")
    deferred = CallDeferred(occurred_at=MONDAY, workspace_id="ws", idempotency_key=command.idempotency_key,
                            campaign_id=campaign.id, contact_id="ct1", step_index=0,
                            reason="window_closed")  # fmt: skip
    await outcomes.call_deferred(deferred, deps)
    enrollment = await deps.enrollments.get(campaign.id, "ct1")
    assert enrollment is not None and (enrollment.state, enrollment.attempt) == ("queued", 2)


async def test_an_opt_out_exits_the_number_in_every_campaign_of_the_workspace_only() -> None:
    deps = make_deps()
    first, second = await active_campaign(deps), await active_campaign(deps)
    for campaign in (first, second):
        await enrolled(deps, campaign)
    opted = ContactOptedOut(occurred_at=MONDAY, workspace_id="ws", phone="+12125550001", channel="sms")
    await outcomes.opt_out_everywhere(opted, deps)
    for campaign in (first, second):
        enrollment = await deps.enrollments.get(campaign.id, "ct1")
        assert enrollment is not None and (enrollment.state, enrollment.reason) == ("exited", "opted_out")
    assert deps.opt_outs is not None and await deps.opt_outs.contains("ws", "+12125550001")
    assert not await deps.opt_outs.contains("other", "+12125550001")


async def test_a_workspace_call_cap_postpones_the_second_call_of_a_number() -> None:
    deps = make_deps(workspace_call_cap=1)
    first, second = await active_campaign(deps), await active_campaign(deps)
    await enrolled(deps, first)
    assert await dispatch.dispatch_due(deps) == 1
    await enrolled(deps, second)  # the same number, in another campaign
    assert await dispatch.dispatch_due(deps) == 0
    held = await deps.enrollments.get(second.id, "ct1")
    assert held is not None and held.state == "queued" and held.due_at is not None and held.due_at > MONDAY


async def test_claims_a_crash_left_unpublished_are_published_with_the_same_keys() -> None:
    deps = make_deps()
    campaign = await active_campaign(deps)
    await enrolled(deps, campaign)
    enrollments = deps.enrollments
    assert isinstance(enrollments, FakeEnrollments)
    due = await enrollments.due(now=MONDAY, campaign_ids=[campaign.id], limit=10)
    [claimed] = await enrollments.claim_batch(due, claim="b1", at=datetime.now(UTC) - timedelta(minutes=5))
    assert await dispatch.republish_claims(deps) == 1  # the crash came before publishing
    assert [c.idempotency_key for c in bus(deps).of_type("PlaceCall")] == [claimed.key]
    assert await dispatch.republish_claims(deps) == 0


async def test_a_step_without_an_outcome_ends_errored_after_the_limit() -> None:
    deps = make_deps()
    campaign = await active_campaign(deps)
    await enrolled(deps, campaign)
    await dispatch.dispatch_due(deps)
    watch = stuck.InFlightWatch()
    assert await stuck.fail_stuck_steps(deps, watch, limit_s=3600) == 0  # first seen now
    assert await stuck.fail_stuck_steps(deps, watch, limit_s=0) == 1
    enrollment = await deps.enrollments.get(campaign.id, "ct1")
    assert enrollment is not None and enrollment.state == "errored" and "no outcome" in (enrollment.reason or "")


async def test_pause_resume_paces_the_backlog_and_stop_exits_everyone() -> None:
    deps = make_deps(resume_rate_per_s=1.0)
    campaign = await active_campaign(deps)
    paused = await lifecycle.pause_campaign(campaign, deps)
    for n in (1, 2, 3):
        await enrolled(deps, paused, n)
    assert await dispatch.dispatch_due(deps) == 0  # paused: nothing goes out
    resumed = await lifecycle.resume_campaign(paused, deps)
    dues = sorted(e.due_at for e in await deps.enrollments.open_in(campaign.id) if e.due_at)
    assert dues == [MONDAY + timedelta(seconds=s) for s in (1, 2, 3)]  # spread at the resume rate
    with pytest.raises(LifecycleError):
        await lifecycle.resume_campaign(resumed, deps)
    await lifecycle.stop_campaign(resumed, deps)
    assert not await deps.enrollments.open_in(campaign.id)
    assert bus(deps).types(deps.topics.campaigns)[-3:] == ["CampaignPaused", "CampaignResumed", "CampaignStopped"]


async def test_a_scheduled_start_and_completion_after_the_grace_period() -> None:
    deps = make_deps(completion_grace_s=10)
    spec = CampaignSpec.model_validate({"name": "Later", "window": WINDOW, "flow": FLOW})
    draft = await lifecycle.create_campaign(spec, workspace_id="ws", deps=deps)
    await lifecycle.start_campaign(draft, at=MONDAY + timedelta(hours=1), deps=deps)
    assert await lifecycle.start_scheduled(deps) == 0
    clock = deps.clock
    assert isinstance(clock, VirtualClock)
    clock.advance(timedelta(hours=1))
    assert await lifecycle.start_scheduled(deps) == 1
    started = await deps.campaigns.get(draft.id)
    assert started is not None and started.status == "active"
    assert await lifecycle.complete_finished(deps) == 0  # nothing enrolled yet
    await enrolled(deps, started)
    await lifecycle.exit_open(started.id, "stopped", deps)
    assert await lifecycle.complete_finished(deps) == 0  # an import may still be arriving
    clock.advance(timedelta(seconds=11))
    assert await lifecycle.complete_finished(deps) == 1
    assert (await deps.campaigns.get(draft.id)).status == "completed"  # type: ignore[union-attr]


async def test_editing_a_campaign_follows_the_rules_and_the_backlog_counts_only_active_campaigns() -> None:
    deps = make_deps()
    campaign = await active_campaign(deps)
    one_step = CampaignSpec.model_validate({"name": "Renewals", "window": WINDOW, "flow": FLOW[:1]})
    with pytest.raises(LifecycleError, match="pause first"):
        await lifecycle.edit_campaign(campaign, one_step, deps)
    renamed = CampaignSpec.model_validate({"name": "Renewals 2", "window": WINDOW, "flow": FLOW})
    assert (await lifecycle.edit_campaign(campaign, renamed, deps)).spec.name == "Renewals 2"
    for n in (1, 2):
        await enrolled(deps, campaign, n)
    assert await dispatch.count_due(deps) == 2
    await lifecycle.pause_campaign((await deps.campaigns.get(campaign.id)), deps)  # type: ignore[arg-type]
    assert await dispatch.count_due(deps) == 0
    assert await dispatch.dispatch_backlog(deps) == 0
