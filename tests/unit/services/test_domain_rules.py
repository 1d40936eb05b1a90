"""Pure rules of the services: outcomes, pacing, reply classification, templates, phones, enrollment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from outreach_contracts.contacts import ContactData
from outreach_dialer.domain.outcomes import normalise
from outreach_ingest.domain.phones import InvalidPhone, normalise_phone
from outreach_messenger.domain.replies import classify
from outreach_scheduler.domain.campaign import CampaignSpec
from outreach_scheduler.domain.enrollment import dispatch, enroll, first_reach, on_outcome

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("status", "extra", "outcome"),
    [
        ("completed", {}, "answered_human"),
        ("completed", {"answered_by": "human"}, "answered_human"),
        ("completed", {"answered_by": "machine_end_beep"}, "voicemail"),
        ("busy", {"sip_code": "486"}, "busy"),
        ("no-answer", {}, "no_answer"),
        ("failed", {"sip_code": "503"}, "failed"),
        ("failed", {"sip_code": "404"}, "unreachable"),
        ("failed", {"error_code": "21211"}, "unreachable"),
        ("canceled", {}, "canceled"),
        ("ringing", {}, None),
        ("in-progress", {}, None),
    ],
)
def test_call_statuses_normalise(status: str, extra: dict[str, str], outcome: str | None) -> None:
    assert normalise(status, **extra) == outcome


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("STOP", "opt_out"),
        ("stop.", "opt_out"),
        ("Please STOP texting me!", "opt_out"),
        ("unsubscribe", "opt_out"),
        ("opt out", "opt_out"),
        ("OPT-OUT", "opt_out"),
        ("Revoke", "opt_out"),
        ("quit", "opt_out"),
        ("START", "opt_in"),
        ("unstop", "opt_in"),
        ("help?", "help"),
        ("Stopping by later", "other"),
        ("sounds good", "other"),
    ],
)
def test_replies_are_classified(text: str, verdict: str) -> None:
    assert classify(text) == verdict


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "missing"),
        ("2.12555E+09", "scientific notation"),
        ("555-CALL-NOW", "letters"),
        ("12345", "too short"),
        ("+1 212 000 0000", "not a valid number"),
    ],
)
def test_bad_phone_numbers_say_why(raw: str, reason: str) -> None:
    with pytest.raises(InvalidPhone, match=reason):
        normalise_phone(raw)


@pytest.mark.parametrize("raw", ["(212) 555-0123", "'212.555.0123", " +1 212 555 0123 ", "12125550123"])
def test_phone_numbers_normalise_to_e164(raw: str) -> None:
    assert normalise_phone(raw) == "+12125550123"


def test_enrollment_runs_a_flow_and_ignores_stale_outcomes() -> None:
    spec = CampaignSpec.model_validate(
        {
            "name": "c",
            "window": {
                "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                "start": "00:00",
                "end": "24:00",
                "compliance": "none",
            },
            "flow": [
                {"kind": "phone", "agent_id": "a"},
                {
                    "kind": "sms",
                    "body": "hi",
                    "delay": {"amount": 1, "unit": "days"},
                    "when_previous": ["no_answer", "busy", "voicemail"],
                },
            ],
        }
    )
    now = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    e = enroll(
        campaign_id="cmp",
        contact_id="ct",
        workspace_id="ws",
        contact=ContactData(phone="+12125550123"),
        spec=spec,
        now=now,
    )
    assert (e.state, e.due_at, e.version) == ("queued", now, 1)
    active = dispatch(e)
    assert on_outcome(active, spec, key="cmp:ct:0:2", outcome="busy", at=now) is None  # another attempt's outcome
    nxt = on_outcome(active, spec, key=active.key, outcome="no_answer", at=now)
    assert nxt is not None and (nxt.state, nxt.step_index, nxt.due_at) == ("queued", 1, now + timedelta(days=1))
    assert on_outcome(nxt, spec, key=active.key, outcome="no_answer", at=now) is None  # repeated event
    answered = on_outcome(active, spec, key=active.key, outcome="answered_human", at=now)
    assert answered is not None and (answered.state, answered.reason) == ("exited", "answered")
    done = on_outcome(dispatch(nxt), spec, key=nxt.key, outcome="sms_sent", at=now)
    assert done is not None and done.state == "completed"


@pytest.mark.parametrize(
    ("counted", "outcomes", "state"),
    [
        (None, ["busy", "busy"], "queued"),  # by default only `failed` counts
        (None, ["failed", "failed"], "exited"),
        (["failed", "busy"], ["busy", "failed"], "exited"),
        (["failed", "busy", "no_answer"], ["no_answer", "busy"], "exited"),
        (["failed", "busy"], ["busy", "no_answer"], "queued"),  # a not-counted outcome breaks the run
    ],
)
def test_unreachable_counts_the_failures_the_campaign_names(
    counted: list[str] | None, outcomes: list[str], state: str
) -> None:
    criteria: dict[str, object] = {"unreachable_after_failures": 2}
    if counted is not None:
        criteria["failures_count"] = counted
    retry = {"max_retries": 5, "delay": {"amount": 1, "unit": "minutes"}}
    spec = CampaignSpec.model_validate(
        {
            "name": "c",
            "window": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "00:00", "end": "24:00"},
            "flow": [
                {"kind": "phone", "agent_id": "a", "retries": {o: retry for o in ("busy", "no_answer", "failed")}}
            ],
            "exit_criteria": criteria,
        }
    )
    now = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    e = enroll(campaign_id="c", contact_id="ct", workspace_id="ws", contact=ContactData(phone="+1"), spec=spec, now=now)
    for outcome in outcomes:
        active = dispatch(e)
        nxt = on_outcome(active, spec, key=active.key, outcome=outcome, at=now)
        assert nxt is not None
        e = nxt
    assert e.state == state
    if state == "exited":
        assert e.reason == "unreachable"


def test_first_reach_follows_the_window_as_saved_now_not_as_it_was_at_import() -> None:
    def spec(start: str, end: str) -> CampaignSpec:
        window = {"days": ["mon", "tue", "wed", "thu", "fri"], "start": start, "end": end, "compliance": "none"}
        return CampaignSpec.model_validate(
            {"name": "c", "window": window, "flow": [{"kind": "phone", "agent_id": "a"}]}
        )

    imported = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)  # a Monday, 08:00 in New York
    contact = ContactData(phone="+12125550100", timezone="America/New_York")
    e = enroll(
        campaign_id="cmp",
        contact_id="ct",
        workspace_id="ws",
        contact=contact,
        spec=spec("09:00", "17:00"),
        now=imported,
    )
    assert e.due_at == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT
    later = spec("14:00", "17:00")
    assert first_reach(e, later, start=imported) == datetime(2026, 3, 9, 18, 0, tzinfo=UTC)  # 14:00 EDT
    friday_evening = datetime(2026, 3, 13, 22, 0, tzinfo=UTC)  # a scheduled start after Friday's window
    assert first_reach(e, later, start=friday_evening) == datetime(2026, 3, 16, 18, 0, tzinfo=UTC)  # Monday
    assert first_reach(dispatch(e), later, start=imported) is None  # in flight: not queued


def test_dispatch_changes_only_what_a_step_going_out_changes() -> None:
    """Every other field is carried over (dispatch builds the enrollment field by field)."""
    from dataclasses import fields, replace

    from outreach_contracts.envelope import TraceContext
    from outreach_scheduler.domain.enrollment import Enrollment

    e = Enrollment(
        campaign_id="c", contact_id="k", workspace_id="w", contact=ContactData(phone="+12125550100", state="NY"),
        state="queued", step_index=2, attempt=3, due_at=datetime(2030, 1, 1, tzinfo=UTC), version=7,
        reason="retry", in_flight_key=None, failures=1, attempts_total=4,
        trace=TraceContext(traceparent="00-" + "1" * 32 + "-" + "2" * 16 + "-01"),
    )  # fmt: skip
    names = "campaign_id contact_id workspace_id contact state step_index attempt due_at version reason"
    names += " in_flight_key failures attempts_total trace"
    assert [f.name for f in fields(Enrollment)] == names.split()  # a new field: dispatch must carry it over
    expected = replace(e, state="active", in_flight_key="c:k:2:3", version=8, attempts_total=5)
    assert dispatch(e) == expected
