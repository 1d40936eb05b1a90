"""The metrics service on real Kafka and the MongoDB-wire server: the overview is exact when events are
redelivered and shuffled, replaying the topics into an empty database gives the same numbers, and a
restarted service starts from the numbers it stored."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from outreach_contracts.calls import CallCompleted, CallPlaced, PlaceCall
from outreach_contracts.campaigns import CampaignStarted
from outreach_contracts.contacts import ContactData
from outreach_contracts.enrollments import EnrollmentChanged
from outreach_contracts.envelope import Envelope
from outreach_contracts.messages import ContactOptedOut, MessageDelivery, MessageSent, SendSms
from outreach_contracts.topics import Topics
from outreach_contracts.window import ContactWindow
from outreach_devstack.stack import free_port
from outreach_metrics.bootstrap import build
from outreach_metrics.config import Settings

from tests.conftest import Infra
from tests.integration.helpers import caller, eventually, produce, serving

pytestmark = pytest.mark.integration
DAY1 = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
WINDOW = ContactWindow(days=["mon"], start="09:00", end="17:00", compliance="none")
CALLER = "+12125550100"
OUTCOMES = ["answered_human", "no_answer", "voicemail", "busy", "failed"]


def journey(index: int) -> list[tuple[str, Envelope]]:
    """One contact: enrolled, called (outcome by index), then exited, completed or texted."""
    cid, cmp = f"ct{index}", "cmp"
    at = DAY1 + timedelta(days=index % 2, minutes=index)
    common = {"occurred_at": at, "workspace_id": "ws", "campaign_id": cmp, "contact_id": cid}
    contact = ContactData(phone=f"+1212555{index:04d}")
    call = {**common, "idempotency_key": f"{cmp}:{cid}:0:1", "step_index": 0}
    sms = {**common, "idempotency_key": f"{cmp}:{cid}:1:1", "step_index": 1}
    outcome = OUTCOMES[index % len(OUTCOMES)]

    def state(state: str, version: int, step: int, reason: str | None = None) -> tuple[str, Envelope]:
        return "enrollments", EnrollmentChanged(**common, state=state, version=version, step_index=step, reason=reason)

    events: list[tuple[str, Envelope]] = [
        state("queued", 1, 0),
        ("call_commands", PlaceCall(**call, attempt=1, agent_id="a", contact=contact, window=WINDOW)),
        state("active", 2, 0),
        ("calls", CallPlaced(**call, call_id=f"call{index}", provider_call_sid=f"CA{index}", from_number=CALLER)),
        ("calls", CallCompleted(**call, call_id=f"call{index}", outcome=outcome)),
    ]
    if outcome == "answered_human":
        return [*events, state("exited", 3, 0, "answered")]
    events += [
        state("active", 3, 1),
        ("message_commands", SendSms(**sms, contact=contact, window=WINDOW, body_template="hi")),
        ("messages", MessageSent(**sms, channel="sms", provider_id=f"SM{index}")),
        ("messages", MessageDelivery(**sms, channel="sms", status="delivered")),
    ]
    if index % 7 == 3:
        opted_out = ContactOptedOut(**common, phone=contact.phone, channel="sms")
        return [*events, ("messages", opted_out), state("exited", 4, 1, "opted_out")]
    return [*events, state("completed", 4, 1)]


def settings_for(infra: Infra, run_id: str, db: str, group: str | None = None) -> Settings:
    return Settings(
        kafka_bootstrap=infra.kafka_bootstrap,
        mongo_url=infra.mongo_url,
        mongo_db=f"{run_id}_{db}",
        topic_prefix=f"{run_id}.",
        consumer_group=group,
    )


async def overview_when(url: str, predicate: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    async with httpx.AsyncClient(timeout=10, headers=caller("ws")) as http:

        async def ready() -> bool:
            answer = await http.get(f"{url}/campaigns/cmp/overview")
            if answer.status_code == 404:  # the campaign's first event has not been projected yet
                return False
            result.update(answer.json())
            return bool(predicate(result))

        await eventually(ready, timeout=90)
    return result


async def test_overview_is_exact_under_redelivery_and_shuffling_and_replays_the_same(infra: Infra, run_id: str) -> None:
    topics = Topics(prefix=f"{run_id}.")
    rng = random.Random(7)
    events = [("campaigns", CampaignStarted(occurred_at=DAY1, workspace_id="ws", campaign_id="cmp", name="Renewals"))]
    for i in range(40):
        events += journey(i)
    noisy = events + rng.sample(events, 60)  # redelivered: the same messages (same event ids) again
    rng.shuffle(noisy)  # and reordered, across and within contacts
    by_topic: dict[str, list[tuple[str, bytes]]] = {}
    for name, event in noisy:
        key = getattr(event, "contact_id", None) or getattr(event, "campaign_id", "") or ""
        by_topic.setdefault(getattr(topics, name), []).append((key, event.model_dump_json().encode()))

    expected_outcomes = {o: sum(1 for i in range(40) if OUTCOMES[i % 5] == o) for o in OUTCOMES}
    not_answered = 40 - expected_outcomes["answered_human"]
    opted = sum(1 for i in range(40) if OUTCOMES[i % 5] != "answered_human" and i % 7 == 3)

    def complete(view: dict[str, Any]) -> bool:
        return (
            view.get("total") == 40
            and view["funnel"].get("attempts") == 40 + not_answered
            and (view["exited"] + view["completed"] == 40)
            and view.get("status") == "active"  # the campaigns topic is consumed apart: it may come last
        )

    async with serving(build(settings_for(infra, run_id, "metrics")), free_port()) as url:
        for topic, messages in by_topic.items():
            await produce(infra.kafka_bootstrap, topic, messages)
        view = await overview_when(url, complete)
    assert view["status"] == "active" and view["name"] == "Renewals"
    assert (view["queued"], view["active"], view["errored"]) == (0, 0, 0)
    assert view["exited_by_reason"]["answered"] == expected_outcomes["answered_human"]
    assert view["exited_by_reason"]["opted_out"] == opted
    assert view["completed"] == not_answered - opted
    funnel = view["funnel"]
    assert funnel["calls_placed"] == 40
    for outcome, n in expected_outcomes.items():
        assert funnel[outcome] == n
    assert (funnel["sms_sent"], funnel["sms_delivered"], funnel["opt_outs"]) == (not_answered, not_answered, opted)
    assert view["funnel_by_step"]["0"]["attempts"] == 40 and view["funnel_by_step"]["1"]["attempts"] == not_answered
    assert sum(day.get("calls_placed", 0) for day in view["funnel_by_day"].values()) == 40
    assert set(view["funnel_by_day"]) == {"2026-03-09", "2026-03-10"}

    # replay: a new consumer group into an empty database reads the topics from the start
    replay_settings = settings_for(infra, run_id, "metrics_replay", group=f"{run_id}.metrics-replay")
    async with serving(build(replay_settings), free_port()) as url:
        replayed = await overview_when(url, complete)
    assert replayed == view

    # restart on the same database and consumer group: the overview is rebuilt from the stored rows at start
    restarted_app = build(settings_for(infra, run_id, "metrics"))
    async with serving(restarted_app, free_port()) as url, httpx.AsyncClient(timeout=10, headers=caller("ws")) as http:
        restarted = (await http.get(f"{url}/campaigns/cmp/overview")).json()
        listed = (await http.get(f"{url}/overviews")).json()
        elsewhere = await http.get(f"{url}/campaigns/cmp/overview", headers=caller("ws_other"))
        nothing = (await http.get(f"{url}/overviews", headers=caller("ws_other"))).json()
    assert restarted == view
    assert listed == [view]
    assert elsewhere.status_code == 404 and nothing == []  # another workspace sees none of it
