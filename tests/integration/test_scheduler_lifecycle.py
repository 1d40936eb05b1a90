"""Campaign lifecycle through the API, paced resume, stop, and opt-outs across campaigns."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from outreach_contracts.messages import ContactOptedOut
from outreach_scheduler.bootstrap import build
from outreach_scheduler.config import Settings

from tests.conftest import Infra
from tests.integration.helpers import OPEN, eventually, imported, produce, running

pytestmark = pytest.mark.integration


async def test_lifecycle_and_opt_out_across_campaigns(infra: Infra, run_id: str) -> None:
    settings = Settings(
        kafka_bootstrap=infra.kafka_bootstrap,
        mongo_url=infra.mongo_url,
        mongo_db=f"{run_id}_s",
        topic_prefix=f"{run_id}.",
        dispatch_interval_s=0.2,
        resume_rate_per_s=2.0,
    )
    app = build(settings)
    deps = app.state.deps
    async with running(app) as http:
        ids = []
        for name in ("a", "b"):
            response = await http.post(
                "/campaigns", json={"name": name, "window": OPEN, "flow": [{"kind": "phone", "agent_id": "agt"}]}
            )
            ids.append(response.json()["id"])
        a, b = ids
        edited = await http.patch(
            f"/campaigns/{a}",
            json={
                "description": "edited",
                "flow": [{"kind": "phone", "agent_id": "agt2"}, {"kind": "sms", "body": "hi"}],
            },
        )
        assert edited.status_code == 200
        assert edited.json()["spec"]["flow"][0]["agent_id"] == "agt2"
        assert (await http.post(f"/campaigns/{a}/pause")).status_code == 409  # draft cannot pause
        for campaign_id in (a, b):
            assert (await http.post(f"/campaigns/{campaign_id}/start")).json()["status"] == "active"
        assert (await http.post(f"/campaigns/{a}/pause")).json()["status"] == "paused"
        await produce(
            infra.kafka_bootstrap,
            settings.topics.contacts,
            [
                imported(a, "c1", "+12125550123"),
                imported(a, "c2", "+13125550145"),
                imported(a, "c3", "+14155550134"),
                imported(b, "c1", "+12125550123"),
            ],
        )

        async def enrolled() -> bool:
            return await deps.enrollments.collection.count_documents({}) == 4

        await eventually(enrolled)
        # paused: nothing of campaign a is dispatched
        assert all(
            e.state == "queued"
            for e in await deps.enrollments.open_for(
                workspace_id="ws_default", phone=None, campaign_id=a, contact_id="c2"
            )
        )

        resumed = await http.post(f"/campaigns/{a}/resume")
        assert resumed.json()["status"] == "active"
        docs = [d async for d in deps.enrollments.collection.find({"campaign_id": a}, {"due_at": 1})]
        dues = sorted(d["due_at"] for d in docs if d.get("due_at"))
        gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(dues)]
        assert len(dues) == 3
        assert all(gap >= 0.49 for gap in gaps), gaps  # 2 per second, not one burst

        opt_out = ContactOptedOut(
            occurred_at=datetime.now(UTC), workspace_id="ws_default", phone="+12125550123", channel="sms"
        )
        await produce(
            infra.kafka_bootstrap, settings.topics.messages, [("+12125550123", opt_out.model_dump_json().encode())]
        )

        async def opted_out_everywhere() -> bool:
            docs = [d async for d in deps.enrollments.collection.find({"contact_id": "c1"})]
            return len(docs) == 2 and all(d.get("reason") == "opted_out" for d in docs)

        await eventually(opted_out_everywhere)
        stopped = await http.post(f"/campaigns/{a}/stop")
        assert stopped.json()["status"] == "stopped"
        reasons = {
            d["contact_id"]: (d["state"], d.get("reason"))
            async for d in deps.enrollments.collection.find({"campaign_id": a})
        }
        assert reasons["c1"] == ("exited", "opted_out")
        assert reasons["c2"] == reasons["c3"] == ("exited", "stopped")
        assert (await http.patch(f"/campaigns/{a}", json={"name": "x"})).status_code == 409
        assert (await http.post(f"/campaigns/{a}/resume")).status_code == 409
