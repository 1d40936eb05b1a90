"""The scheduler in-process against real Kafka and the MongoDB-wire server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from outreach_contracts.calls import CallCompleted, PlaceCall
from outreach_scheduler.bootstrap import build
from outreach_scheduler.config import Settings
from outreach_scheduler.handlers.stuck import InFlightWatch, fail_stuck_steps

from tests.conftest import Infra
from tests.integration.helpers import OPEN, caller, consumed, eventually, imported, produce, read_messages, running

pytestmark = pytest.mark.integration


def settings(infra: Infra, run_id: str) -> Settings:
    return Settings(
        kafka_bootstrap=infra.kafka_bootstrap,
        mongo_url=infra.mongo_url,
        mongo_db=f"{run_id}_sched",
        topic_prefix=f"{run_id}.",
        dispatch_interval_s=0.2,
    )


async def test_invalid_campaigns_get_422_with_field_paths(infra: Infra, run_id: str) -> None:
    app = build(settings(infra, run_id))
    async with running(app) as http:
        bad = {
            "name": "x",
            "window": {
                "days": [],
                "start": "10:00",
                "end": "09:00",
                "timezone": {"primary": "Mars/Olympus", "fallback": "UTC"},
            },
            "flow": [
                {"kind": "phone", "agent_id": ""},
                {"kind": "sms", "body": ""},
                {"kind": "email", "subject": "s", "body": "b", "delay": {"amount": -1}},
            ],
        }
        response = await http.post("/campaigns", json=bad)
        assert response.status_code == 422
        paths = {".".join(map(str, e["loc"])) for e in response.json()["detail"]}
        assert "body.window.days" in paths
        assert "body.window.timezone.primary" in paths
        assert "body.flow.0.phone.agent_id" in paths
        assert "body.flow.1.sms.body" in paths
        assert "body.flow.2.email.delay.amount" in paths
        reversed_hours = {"name": "x", "window": {"days": ["mon"], "start": "10:00", "end": "09:00"}}
        response = await http.post("/campaigns", json=reversed_hours)
        assert response.status_code == 422
        assert [e["loc"] for e in response.json()["detail"]] == [["body", "window"]]
        assert "end must be after start" in response.json()["detail"][0]["msg"]
        good = await http.post("/campaigns", json={"name": "ok", "flow": [{"kind": "phone", "agent_id": "a"}]})
        past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        response = await http.post(f"/campaigns/{good.json()['id']}/start", json={"at": past})
        assert response.status_code == 422

        hostile = {"name": "t", "flow": [{"kind": "sms", "body": "ok"}, {"kind": "sms", "body": "{{ 'x' * 10**10 }}"}]}
        response = await http.post("/campaigns", json=hostile)
        assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "flow", 1, "body"]
        edit = await http.patch(f"/campaigns/{good.json()['id']}", json={"flow": hostile["flow"]})
        assert edit.status_code == 422
        for name in ("second", "third"):
            (
                await http.post("/campaigns", json={"name": name, "flow": [{"kind": "phone", "agent_id": "a"}]})
            ).raise_for_status()
        first_page = await http.get("/campaigns", params={"limit": 2})
        assert first_page.status_code == 200, first_page.text
        names = [c["spec"]["name"] for c in first_page.json()]
        rest = await http.get("/campaigns", params={"limit": 2, "after": first_page.headers["x-next-cursor"]})
        assert names == ["third", "second"] and [c["spec"]["name"] for c in rest.json()] == ["ok"]
        assert (await http.get("/campaigns", headers=caller("ws_other"))).json() == []
        other = await http.get(f"/campaigns/{good.json()['id']}", headers=caller("ws_other"))
        assert other.status_code == 404


async def test_import_enrolls_once_dispatches_and_exits_on_answer(infra: Infra, run_id: str) -> None:
    s = settings(infra, run_id)
    app = build(s)
    topics = s.topics
    async with running(app) as http:
        created = await http.post(
            "/campaigns", json={"name": "c", "window": OPEN, "flow": [{"kind": "phone", "agent_id": "agt"}]}
        )
        campaign_id = created.json()["id"]
        assert (await http.post(f"/campaigns/{campaign_id}/start")).json()["status"] == "active"
        message = imported(campaign_id, "ct_1", "+12125550123")
        await produce(infra.kafka_bootstrap, topics.contacts, [message, message])  # a redelivery
        commands = await read_messages(infra.kafka_bootstrap, topics.call_commands, count=1)
        command = commands[0]
        assert isinstance(command, PlaceCall)
        assert command.idempotency_key == f"{campaign_id}:ct_1:0:1"
        done = CallCompleted(
            occurred_at=datetime.now(UTC),
            workspace_id="ws_default",
            idempotency_key=command.idempotency_key,
            campaign_id=campaign_id,
            contact_id="ct_1",
            step_index=0,
            call_id="call_1",
            outcome="answered_human",
        )
        await produce(infra.kafka_bootstrap, topics.calls, [("ct_1", done.model_dump_json().encode())] * 2)

        async def exited() -> bool:
            enrollment = await app.state.deps.enrollments.get(campaign_id, "ct_1")
            return bool(enrollment and enrollment.state == "exited")

        await eventually(exited)
        enrollment = await app.state.deps.enrollments.get(campaign_id, "ct_1")
        assert enrollment.reason == "answered"
        assert await app.state.deps.enrollments.collection.count_documents({"campaign_id": campaign_id}) == 1
        # only one PlaceCall despite the redelivered import
        assert len(await read_messages(infra.kafka_bootstrap, topics.call_commands, count=2, timeout=3)) == 1
        read = await read_messages(infra.kafka_bootstrap, topics.enrollments, count=5, timeout=5)
        changes = list({c.event_id: c for c in read}.values())  # a redelivered import repeats its events
        assert [getattr(c, "state", getattr(c, "type", "")) for c in changes] == [
            "queued",
            "active",
            "exited",
            "ContactExited",
        ]


async def test_a_step_whose_outcome_never_comes_ends_errored(infra: Infra, run_id: str) -> None:
    """A lost outcome does not keep a contact active (and its campaign open) for good; one that arrives
    after the limit changes nothing."""
    s = settings(infra, run_id)
    app = build(s)
    async with running(app) as http:
        spec = {"name": "c", "window": OPEN, "flow": [{"kind": "phone", "agent_id": "agt"}]}
        campaign_id = (await http.post("/campaigns", json=spec)).json()["id"]
        await http.post(f"/campaigns/{campaign_id}/start")
        await produce(infra.kafka_bootstrap, s.topics.contacts, [imported(campaign_id, "ct_9", "+12125550129")])
        [command] = await read_messages(infra.kafka_bootstrap, s.topics.call_commands, count=1)
        deps, watch = app.state.deps, InFlightWatch()

        async def active() -> bool:
            enrollment = await deps.enrollments.get(campaign_id, "ct_9")
            return bool(enrollment and enrollment.state == "active")

        await eventually(active)
        assert await fail_stuck_steps(deps, watch, limit_s=3600) == 0  # watched from now on
        watch.seen = {k: at - 7200 for k, at in watch.seen.items()}  # two hours later
        assert await fail_stuck_steps(deps, watch, limit_s=3600) == 1
        ended = await deps.enrollments.get(campaign_id, "ct_9")
        assert (ended.state, ended.reason) == ("errored", "no outcome for step 1 within 1 h")
        late = CallCompleted(
            occurred_at=datetime.now(UTC),
            workspace_id="ws_default",
            idempotency_key=command.idempotency_key,  # type: ignore[attr-defined]
            campaign_id=campaign_id,
            contact_id="ct_9",
            step_index=0,
            call_id="call_9",
            outcome="answered_human",
        )
        await produce(infra.kafka_bootstrap, s.topics.calls, [("ct_9", late.model_dump_json().encode())])
        group = s.topics.prefix + "scheduler"
        await eventually(lambda: consumed(infra.kafka_bootstrap, group, s.topics.calls), what="the late outcome read")
        assert (await deps.enrollments.get(campaign_id, "ct_9")).state == "errored"  # it changed nothing
