"""Campaign lifecycle rules (pure): which transitions each status allows, and the event each causes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from outreach_contracts.campaigns import CampaignCompleted, CampaignResumed, CampaignScheduled, CampaignStarted
from outreach_scheduler.domain import lifecycle
from outreach_scheduler.domain.campaign import Campaign, CampaignSpec
from outreach_scheduler.domain.lifecycle import LifecycleError

pytestmark = pytest.mark.unit
NOW = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
STATUSES = ("draft", "scheduled", "active", "paused", "stopped", "completed")
SPEC = {"name": "Renewals", "window": {"days": ["mon"], "start": "09:00", "end": "17:00"}}


def campaign(status: str, steps: int = 1) -> Campaign:
    flow = [{"kind": "phone", "agent_id": "agt"}] * steps
    spec = CampaignSpec.model_validate({**SPEC, "flow": flow})
    return Campaign(id="cmp", workspace_id="ws", spec=spec, created_at=NOW, status=status)


@pytest.mark.parametrize(
    ("rule", "allowed"),
    [
        (lambda c: lifecycle.start(c, now=NOW, at=None), {"draft", "scheduled"}),
        (lambda c: lifecycle.pause(c, now=NOW), {"active"}),
        (lambda c: lifecycle.resume(c, now=NOW), {"paused"}),
        (lambda c: lifecycle.stop(c, now=NOW), {"draft", "scheduled", "active", "paused"}),
        (lambda c: lifecycle.complete(c, now=NOW), {"active"}),
        (lambda c: lifecycle.reopen(c, now=NOW), {"completed"}),
    ],
    ids=["start", "pause", "resume", "stop", "complete", "reopen"],
)
def test_each_transition_is_allowed_from_its_statuses_only(rule, allowed) -> None:  # type: ignore[no-untyped-def]
    for status in STATUSES:
        if status in allowed:
            updated, event = rule(campaign(status))
            assert (event.campaign_id, event.workspace_id, event.occurred_at) == ("cmp", "ws", NOW)
            assert updated.status != status or status == "scheduled"
        else:
            with pytest.raises(LifecycleError, match=status):
                rule(campaign(status))


def test_start_now_or_at_a_future_instant() -> None:
    started, event = lifecycle.start(campaign("draft"), now=NOW, at=NOW - timedelta(hours=1))
    assert (started.status, started.started_at, type(event)) == ("active", NOW, CampaignStarted)
    later = NOW + timedelta(days=1)
    scheduled, event = lifecycle.start(campaign("draft"), now=NOW, at=later)
    assert (scheduled.status, scheduled.starts_at, type(event)) == ("scheduled", later, CampaignScheduled)
    assert lifecycle.may_start_scheduled(scheduled, now=later) and not lifecycle.may_start_scheduled(scheduled, now=NOW)
    with pytest.raises(LifecycleError, match="without steps"):
        lifecycle.start(campaign("draft", steps=0), now=NOW, at=None)


def test_complete_and_reopen_events() -> None:
    completed, event = lifecycle.complete(campaign("active"), now=NOW)
    assert (completed.status, type(event)) == ("completed", CampaignCompleted)
    reopened, event = lifecycle.reopen(completed, now=NOW)
    assert (reopened.status, type(event)) == ("active", CampaignResumed)


def test_edit_rules() -> None:
    two = campaign("active", steps=2)
    with pytest.raises(LifecycleError, match="pause first"):
        lifecycle.edit(two, campaign("draft").spec)
    assert len(lifecycle.edit(campaign("paused", steps=2), campaign("draft").spec).spec.flow) == 1
    for status in ("stopped", "completed"):
        with pytest.raises(LifecycleError, match=status):
            lifecycle.edit(campaign(status), campaign("draft").spec)
