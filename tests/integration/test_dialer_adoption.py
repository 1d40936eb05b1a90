"""Calls a stopped dialer instance recorded but never dialed are adopted by another instance, once."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from outreach_contracts.calls import CallPlaced
from outreach_contracts.campaigns import CampaignPaused, CampaignResumed
from outreach_devstack.stack import free_port
from outreach_dialer.bootstrap import build
from outreach_dialer.config import Settings
from outreach_dialer.handlers.queue import adopt_stranded
from outreach_twilio_sim.app import build as build_sim
from pymongo import AsyncMongoClient

from tests.conftest import Infra
from tests.integration.helpers import caller, dialer_settings, eventually, place_call, produce, read_messages, serving

pytestmark = pytest.mark.integration
TOKEN = "test-token-adopt"
SID = "AC" + "5" * 32


async def test_a_stopped_instances_queued_calls_are_dialed_once_by_another(infra: Infra, run_id: str) -> None:
    sim_port = free_port()

    def settings(port: int) -> Settings:
        return dialer_settings(infra, run_id, port=port, sim_port=sim_port, sid=SID, token=TOKEN)

    first, second = free_port(), free_port()
    topics = settings(first).topics
    now = datetime.now(UTC)
    commands = [place_call(f"a{i}", f"+1212555{i:04d}", contact_id=f"ct{i}", occurred_at=now) for i in range(3)]
    db = AsyncMongoClient(infra.mongo_url)[f"{run_id}_dialer"]
    async with serving(build_sim(account_sid=SID, auth_token=TOKEN), sim_port) as sim_url:
        async with serving(build(settings(first)), first):
            paused = CampaignPaused(occurred_at=now, workspace_id="ws", campaign_id="cmp")
            await produce(infra.kafka_bootstrap, topics.campaigns, [("cmp", paused.model_dump_json().encode())])

            async def held() -> bool:
                return await db["campaign_holds"].count_documents({}) == 1

            await eventually(held)
            await produce(
                infra.kafka_bootstrap,
                topics.call_commands,
                [(c.contact_id, c.model_dump_json().encode()) for c in commands],
            )

            async def recorded() -> bool:
                counts = [await db[f"calls_{i:03d}"].count_documents({"status": "queued"}) for i in range(128)]
                return sum(counts) == 3

            await eventually(recorded)
        # the first instance stopped with three calls queued in its memory
        app = build(settings(second))
        async with serving(app, second), httpx.AsyncClient(headers=caller()) as http:
            resumed = CampaignResumed(occurred_at=now, workspace_id="ws", campaign_id="cmp")
            await produce(infra.kafka_bootstrap, topics.campaigns, [("cmp", resumed.model_dump_json().encode())])
            assert await adopt_stranded(app.state.deps, silent_s=0) == 3
            assert await adopt_stranded(app.state.deps, silent_s=0) == 0  # adopted once
            # nothing of the stopped instance is left: its heartbeat record is gone, so no instance scans
            # the call collections for it again
            assert await db["dialers"].distinct("_id") == [app.state.deps.run.instance]
            events = await read_messages(infra.kafka_bootstrap, topics.calls, count=6, timeout=60)  # placed, done
            assert sorted(e.idempotency_key for e in events if isinstance(e, CallPlaced)) == ["a0", "a1", "a2"]
            log = (await http.get(f"{sim_url}/_sim/log")).json()
            assert sorted(e["to"] for e in log if e["kind"] == "call") == [
                "+12125550000",
                "+12125550001",
                "+12125550002",
            ]
