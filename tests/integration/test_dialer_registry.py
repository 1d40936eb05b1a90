"""The dialer's numbers and agents on real Kafka, the MongoDB-wire server and the simulator: local presence,
rotation and caps, agent addressing, AMD, every outcome, the post-call report, pause and stop."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from outreach_contracts.calls import CallAnalyzed, CallCompleted, CallPlaced, NumberSelection, PlaceCall
from outreach_contracts.campaigns import CampaignPaused, CampaignResumed, CampaignStopped
from outreach_contracts.contacts import ContactData
from outreach_contracts.messages import ContactOptedOut
from outreach_devstack.stack import free_port
from outreach_dialer.bootstrap import build
from outreach_dialer.config import Settings
from outreach_dialer.entrypoints.webhooks import sign
from outreach_twilio_sim.app import build as build_sim
from outreach_twilio_sim.scenario import Behaviour, Scenario
from pymongo import AsyncMongoClient
from twilio.request_validator import RequestValidator

from tests.conftest import Infra
from tests.integration.helpers import caller, dialer_settings, eventually, place_call, produce, read_messages, serving

pytestmark = pytest.mark.integration
TOKEN = "test-token-789"
SID = "AC" + "3" * 32
SECRET = "agent-secret-for-tests"


def command(key: str, phone: str, *, campaign: str = "cmp", agent: str = "agt", **kw: Any) -> PlaceCall:
    contact = ContactData(phone=phone, first_name="Ada", fields={"plan": "gold"})
    return place_call(key, phone, campaign_id=campaign, contact_id=f"ct_{key}", agent_id=agent, contact=contact, **kw)


def settings_for(infra: Infra, run_id: str, port: int, sim_port: int, **kw: Any) -> Settings:
    return dialer_settings(infra, run_id, port=port, sim_port=sim_port, sid=SID, token=TOKEN,
                           agent_webhook_secret=SECRET, calls_per_second=20, **kw)  # fmt: skip


async def one_call(infra: Infra, topic: str, calls_topic: str, cmd: PlaceCall) -> None:
    """Send one command and wait for its CallPlaced (so the dialing order is the test's order)."""
    await produce(infra.kafka_bootstrap, topic, [(cmd.contact_id, cmd.model_dump_json().encode())])

    async def placed() -> bool:
        events = await read_messages(infra.kafka_bootstrap, calls_topic, count=1000, timeout=1)
        return any(isinstance(e, CallPlaced) and e.idempotency_key == cmd.idempotency_key for e in events)

    await eventually(placed, timeout=60)


async def test_local_presence_rotation_caps_agents_and_outcomes(infra: Infra, run_id: str) -> None:
    port, sim_port = free_port(), free_port()
    settings = settings_for(infra, run_id, port, sim_port)
    topics = settings.topics
    scenario = Scenario(
        default=Behaviour(outcome="answered_human", duration_s=0.05),
        numbers={
            "+13125559001": Behaviour(outcome="voicemail"),
            "+13125559002": Behaviour(outcome="no_answer"),
            "+13125559003": Behaviour(outcome="busy"),
            "+13125559004": Behaviour(outcome="failed"),
            "+13125559005": Behaviour(outcome="unreachable"),
        },
    )
    async with (
        serving(build_sim(account_sid=SID, auth_token=TOKEN, scenario=scenario), sim_port) as sim_url,
        serving(build(settings), port) as url,
        httpx.AsyncClient(timeout=30, headers=caller()) as http,
    ):
        created = await http.post(
            f"{url}/numbers/import",
            json={
                "numbers": [
                    {"number": "+12125550100", "tags": ["sales"]},
                    {"number": "+13105550100", "tags": ["sales"]},
                    {"number": "+13125550100", "tags": ["sales"], "caps": {"per_hour": 1}},
                    {"number": "+14155550100", "tags": ["support"]},
                ]
            },
        )
        assert created.json() == {"created": 4, "updated": 0}
        announced = await read_messages(infra.kafka_bootstrap, topics.numbers, count=4, timeout=30)
        assert sorted((e.workspace_id, e.number) for e in announced) == [  # type: ignore[attr-defined]
            ("ws", n) for n in ("+12125550100", "+13105550100", "+13125550100", "+14155550100")
        ]
        taken = await http.post(f"{url}/numbers", json={"number": "+12125550100"}, headers=caller("ws_other"))
        assert taken.status_code == 409  # another workspace's number is not taken over
        numbers = {n["number"]: n for n in (await http.get(f"{url}/numbers", params={"tag": "sales"})).json()}
        assert (numbers["+13105550100"]["state"], numbers["+13105550100"]["area_code"]) == ("CA", "310")
        bad = await http.post(f"{url}/numbers", json={"number": "+1 555"})
        assert bad.status_code == 422
        agent = {"id": "sip-agent", "name": "SIP", "kind": "sip", "address": "sip:agent@pbx.example.com"}
        assert (await http.put(f"{url}/agents/sip-agent", json=agent)).status_code == 200
        wrong = {**agent, "id": "w", "kind": "stream", "address": "https://not-a-websocket"}
        assert (await http.put(f"{url}/agents/w", json=wrong)).status_code == 422

        sales = NumberSelection(tags=["sales"])
        plan = [
            (command("la", "+13105551234", numbers=sales), "+13105550100"),  # same area code
            (command("sd", "+16195551234", numbers=sales), "+13105550100"),  # same state (415 is not "sales")
            (command("chi1", "+13125551234", numbers=sales), "+13125550100"),  # same area code
            (command("chi2", "+13125559876", numbers=sales), "+12125550100"),  # 312 capped: least recently used
            (command("sip", "+12125551234", agent="sip-agent", numbers=sales), "+12125550100"),
        ]
        for cmd, _ in plan:
            await one_call(infra, topics.call_commands, topics.calls, cmd)
        log = [e for e in (await http.get(f"{sim_url}/_sim/log")).json() if e["kind"] == "call"]
        assert [(e["to"], e["from"]) for e in log] == [(c.contact.phone, n) for c, n in plan]
        assert "contact_id=" in log[0]["url"] and "Ada" not in log[0]["url"] and "gold" not in log[0]["url"]
        first_call = (await http.get(f"{url}/calls", params={"contact_id": plan[0][0].contact_id})).json()["items"][0]
        assert first_call["variables"] == {"first_name": "Ada", "last_name": "", "field_plan": "gold"}
        assert log[4]["url"] is None and "<Sip>sip:agent@pbx.example.com?X-campaign_id=cmp&amp;" in log[4]["twiml"]

        outcomes = {
            "+13125559001": "voicemail",
            "+13125559002": "no_answer",
            "+13125559003": "busy",
            "+13125559004": "failed",
            "+13125559005": "unreachable",
        }
        commands = [
            command(
                f"o{i}", phone, numbers=NumberSelection(numbers=["+19175550100"]), machine_detection="DetectMessageEnd"
            )
            for i, phone in enumerate(outcomes)
        ]
        await produce(
            infra.kafka_bootstrap,
            topics.call_commands,
            [(c.contact_id, c.model_dump_json().encode()) for c in commands],
        )

        def completed(events: list[Any]) -> dict[str, str]:
            return {e.idempotency_key: e.outcome for e in events if isinstance(e, CallCompleted)}

        async def all_done() -> bool:
            events = await read_messages(infra.kafka_bootstrap, topics.calls, count=100, timeout=1)
            return len(completed(events)) == 10

        await eventually(all_done, timeout=60)
        events = await read_messages(infra.kafka_bootstrap, topics.calls, count=100, timeout=1)
        done = completed(events)
        assert {done[f"o{i}"] for i in range(5)} == set(outcomes.values())
        assert {done[c.idempotency_key] for c, _ in plan} == {"answered_human"}
        amd = [e for e in (await http.get(f"{sim_url}/_sim/log")).json() if e["kind"] == "call"][5:]
        assert {e["machine_detection"] for e in amd} == {"DetectMessageEnd"} and {e["from"] for e in amd} == {
            "+19175550100"
        }

        history = (await http.get(f"{url}/calls", params={"campaign_id": "cmp", "outcome": "answered_human"})).json()[
            "items"
        ]
        assert len(history) == 5 and all(h["recording_url"].startswith("https://") for h in history)
        assert [t["status"] for t in history[0]["trail"]][:1] == ["placed"]
        first = (await http.get(f"{url}/calls", params={"limit": 3})).json()
        page = (await http.get(f"{url}/calls", params={"limit": 3, "after": first["next"]})).json()["items"]
        assert len(page) == 3 and not {c["call_id"] for c in page} & {c["call_id"] for c in first["items"]}
        assert (await http.get(f"{url}/calls", params={"after": "nonsense"})).status_code == 422
        other = (await http.get(f"{url}/calls", headers=caller("ws_other"))).json()
        assert other["items"] == []  # another workspace sees none of these calls
        assert (
            await http.get(f"{url}/calls/{first['items'][0]['call_id']}", headers=caller("ws_other"))
        ).status_code == 404

        la_call = next(e for e in events if isinstance(e, CallPlaced) and e.idempotency_key == "la")
        status_url = f"{url}/webhooks/twilio/calls/{la_call.call_id}/status?key=la"
        validator = RequestValidator(TOKEN)
        for params in (  # a repeated final callback, then a late progress one
            {"CallSid": la_call.provider_call_sid, "CallStatus": "completed", "CallDuration": "1"},
            {"CallSid": la_call.provider_call_sid, "CallStatus": "ringing"},
        ):
            signature = validator.compute_signature(status_url, params)
            answer = await http.post(status_url, data=params, headers={"X-Twilio-Signature": signature})
            assert answer.status_code == 200
        again = await read_messages(infra.kafka_bootstrap, topics.calls, count=100, timeout=2)
        assert [e.idempotency_key for e in again if isinstance(e, CallCompleted)].count("la") == 1
        la_trail = [t["status"] for t in (await http.get(f"{url}/calls/{la_call.call_id}")).json()["trail"]]
        assert la_trail.count("completed") == 2 and la_trail[-1] == "ringing"
        report = json.dumps(
            {"call_id": la_call.call_id, "disposition": "asked_not_to_be_called", "summary": "No"}
        ).encode()
        hook = f"{url}/webhooks/agents/post-call"
        assert (await http.post(hook, content=report, headers={"X-Outreach-Signature": "forged"})).status_code == 403
        for _ in range(2):  # a repeated report publishes nothing new
            answer = await http.post(hook, content=report, headers={"X-Outreach-Signature": sign(SECRET, report)})
            assert answer.json() == {"status": "ok", "opted_out": True}
        analyzed = [
            e
            for e in await read_messages(infra.kafka_bootstrap, topics.calls, count=100, timeout=3)
            if isinstance(e, CallAnalyzed)
        ]
        assert [(e.call_id, e.disposition) for e in analyzed] == [(la_call.call_id, "asked_not_to_be_called")]
        opt_outs = await read_messages(infra.kafka_bootstrap, topics.messages, count=2, timeout=5)
        assert [(e.phone, e.channel) for e in opt_outs if isinstance(e, ContactOptedOut)] == [("+13105551234", "call")]


async def test_pause_holds_and_stop_cancels_queued_calls(infra: Infra, run_id: str) -> None:
    port, sim_port = free_port(), free_port()
    settings = settings_for(infra, run_id, port, sim_port)
    topics = settings.topics
    async with (
        serving(build_sim(account_sid=SID, auth_token=TOKEN), sim_port) as sim_url,
        serving(build(settings), port) as url,
        httpx.AsyncClient(timeout=30, headers=caller()) as http,
    ):
        now = datetime.now(UTC)
        await produce(
            infra.kafka_bootstrap,
            topics.campaigns,
            [
                (c, CampaignPaused(occurred_at=now, workspace_id="ws", campaign_id=c).model_dump_json().encode())
                for c in ("p", "s")
            ],
        )

        db = AsyncMongoClient(infra.mongo_url)[settings.mongo_db]

        async def held() -> bool:
            return await db["campaign_holds"].count_documents({}) == 2

        async def queued() -> bool:
            return len((await http.get(f"{url}/calls")).json()["items"]) == 2

        await eventually(held, timeout=30)
        await produce(
            infra.kafka_bootstrap,
            topics.call_commands,
            [
                (c.contact_id, c.model_dump_json().encode())
                for c in (command("p1", "+12125550111", campaign="p"), command("s1", "+12125550112", campaign="s"))
            ],
        )
        await eventually(queued, timeout=30)
        assert [e for e in (await http.get(f"{sim_url}/_sim/log")).json() if e["kind"] == "call"] == []
        await produce(
            infra.kafka_bootstrap,
            topics.campaigns,
            [
                ("p", CampaignResumed(occurred_at=now, workspace_id="ws", campaign_id="p").model_dump_json().encode()),
                ("s", CampaignStopped(occurred_at=now, workspace_id="ws", campaign_id="s").model_dump_json().encode()),
            ],
        )
        events = await read_messages(infra.kafka_bootstrap, topics.calls, count=2, timeout=60)
        assert {e.idempotency_key for e in events if isinstance(e, CallPlaced)} == {"p1"}

        async def canceled() -> bool:  # the stop is handled apart from the resume: wait for it too
            stopped = (await http.get(f"{url}/calls", params={"campaign_id": "s"})).json()["items"]
            return [(c["status"], c["outcome"]) for c in stopped] == [("canceled", "canceled")]

        await eventually(canceled, timeout=30)
        assert [e["to"] for e in (await http.get(f"{sim_url}/_sim/log")).json() if e["kind"] == "call"] == [
            "+12125550111"
        ]
