"""The dialer against real Kafka, the MongoDB-wire server and the simulator, through the twilio SDK."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from outreach_common.keys import phone_key
from outreach_contracts.calls import CallCompleted, CallPlaced, PlaceCall
from outreach_contracts.campaigns import CampaignPaused, CampaignResumed
from outreach_contracts.messages import ContactOptedOut
from outreach_contracts.window import ContactWindow
from outreach_devstack.stack import free_port
from outreach_dialer.bootstrap import build
from outreach_dialer.handlers.reconcile import reap_slots, reconcile_calls
from outreach_twilio_sim.app import build as build_sim
from outreach_twilio_sim.scenario import Behaviour, Scenario
from pymongo import AsyncMongoClient
from twilio.request_validator import RequestValidator

from tests.conftest import Infra
from tests.integration.helpers import caller, dialer_settings, eventually, place_call, produce, read_messages, serving

pytestmark = pytest.mark.integration
TOKEN = "test-token-123"
SID = "AC" + "1" * 32


def command(key: str, phone: str, *, window: ContactWindow | None = None) -> PlaceCall:
    return place_call(key, phone, **({"window": window} if window else {}))


async def test_calls_once_per_key_reports_outcomes_and_rejects_forged_webhooks(infra: Infra, run_id: str) -> None:
    dialer_port, sim_port = free_port(), free_port()
    scenario = Scenario(numbers={"+13125550145": Behaviour(outcome="busy")})
    settings = dialer_settings(
        infra, run_id, port=dialer_port, sim_port=sim_port, sid=SID, token=TOKEN, dial_interval_s=0.1
    )
    topics = settings.topics
    closed = ContactWindow(days=["mon"], start="09:00", end="09:01", compliance="none")
    async with (
        serving(build_sim(account_sid=SID, auth_token=TOKEN, scenario=scenario), sim_port) as sim_url,
        serving(build(settings), dialer_port) as dialer_url,
    ):
        first = command("k1", "+12125550123")
        await produce(
            infra.kafka_bootstrap,
            topics.call_commands,
            [
                ("k1", first.model_dump_json().encode()),
                ("k1", first.model_dump_json().encode()),  # repeated
                ("k2", command("k2", "+13125550145").model_dump_json().encode()),
                ("k3", command("k3", "+14155550134", window=closed).model_dump_json().encode()),
            ],
        )
        events = await read_messages(infra.kafka_bootstrap, topics.calls, count=5, timeout=60)
        async with httpx.AsyncClient(headers=caller()) as http:
            sim_calls = (await http.get(f"{sim_url}/_sim/calls")).json()
            url = f"{dialer_url}/webhooks/twilio/calls/call_x/status"
            forged = await http.post(url, data={"CallStatus": "completed"}, headers={"X-Twilio-Signature": "bad"})
            params = {"CallStatus": "completed", "CallSid": "CA1"}
            signed = RequestValidator(TOKEN).compute_signature(url, params)
            unknown = await http.post(url, data=params, headers={"X-Twilio-Signature": signed})
    assert forged.status_code == 403
    assert unknown.status_code == 404  # signed, but no such call
    assert sorted(c["to"] for c in sim_calls) == ["+12125550123", "+13125550145"]  # k1 once; k3 not dialed
    by_kind: dict[str, list[object]] = {}
    for e in events:
        by_kind.setdefault(e.type, []).append(e)  # type: ignore[attr-defined]
    assert {e.idempotency_key for e in by_kind["CallPlaced"]} == {"k1", "k2"}  # type: ignore[attr-defined]
    outcomes = {e.idempotency_key: e.outcome for e in by_kind["CallCompleted"]}  # type: ignore[attr-defined]
    assert outcomes == {"k1": "answered_human", "k2": "busy"}
    assert [e.idempotency_key for e in by_kind["CallDeferred"]] == ["k3"]  # type: ignore[attr-defined]
    assert all(isinstance(e, CallPlaced | CallCompleted) for e in by_kind["CallPlaced"] + by_kind["CallCompleted"])


async def test_a_number_that_opted_out_is_never_dialed(infra: Infra, run_id: str) -> None:
    """An opt-out heard before the command, and one heard while the call waits in the queue (its campaign
    paused): neither call rings; both end `canceled` and free their slots."""
    dialer_port, sim_port = free_port(), free_port()
    settings = dialer_settings(
        infra, run_id, port=dialer_port, sim_port=sim_port, sid=SID, token=TOKEN, dial_interval_s=0.1
    )
    topics = settings.topics
    now = datetime.now(UTC)

    def opted_out(phone: str) -> tuple[str, bytes]:
        event = ContactOptedOut(occurred_at=now, workspace_id="ws", phone=phone, channel="sms")
        return phone_key(phone), event.model_dump_json().encode()

    async with (
        serving(build_sim(account_sid=SID, auth_token=TOKEN), sim_port) as sim_url,
        serving(build(settings), dialer_port) as dialer_url,
        httpx.AsyncClient(headers=caller()) as http,
    ):
        await produce(infra.kafka_bootstrap, topics.messages, [opted_out("+12125550181")])
        paused = CampaignPaused(occurred_at=now, workspace_id="ws", campaign_id="held")
        await produce(infra.kafka_bootstrap, topics.campaigns, [("held", paused.model_dump_json().encode())])

        async def heard() -> bool:  # the opt-out and the pause are in before the commands come
            doc = await AsyncMongoClient(infra.mongo_url)[settings.mongo_db]["opt_outs"].find_one({})
            holds = await AsyncMongoClient(infra.mongo_url)[settings.mongo_db]["campaign_holds"].count_documents({})
            return doc is not None and holds == 1

        await eventually(heard, timeout=30)
        waiting = place_call("w1", "+12125550182", campaign_id="held")
        commands = [place_call("o1", "+12125550181"), waiting, place_call("ok", "+12125550183")]
        await produce(
            infra.kafka_bootstrap,
            topics.call_commands,
            [(c.contact_id, c.model_dump_json().encode()) for c in commands],
        )

        async def queued() -> bool:
            calls = (await http.get(f"{dialer_url}/calls")).json()["items"]
            return {c["idempotency_key"]: c["status"] for c in calls}.get("w1") == "queued"

        await eventually(queued, timeout=30)
        await produce(infra.kafka_bootstrap, topics.messages, [opted_out("+12125550182")])
        resumed = CampaignResumed(occurred_at=now, workspace_id="ws", campaign_id="held")
        await produce(infra.kafka_bootstrap, topics.campaigns, [("held", resumed.model_dump_json().encode())])

        async def settled() -> bool:
            calls = (await http.get(f"{dialer_url}/calls")).json()["items"]
            status = {c["idempotency_key"]: c["status"] for c in calls}
            return status.get("o1") == "canceled" and status.get("w1") == "canceled" and "ok" in status

        await eventually(settled, timeout=60)
        await eventually(lambda: _dialed(http, sim_url, "+12125550183"), timeout=30)
        log = (await http.get(f"{sim_url}/_sim/log")).json()
    assert [e["to"] for e in log if e["kind"] == "call"] == ["+12125550183"]


async def _dialed(http: httpx.AsyncClient, sim_url: str, phone: str) -> bool:
    return phone in {e["to"] for e in (await http.get(f"{sim_url}/_sim/log")).json() if e["kind"] == "call"}


async def test_a_lost_final_callback_is_reconciled_and_leaked_slots_are_reaped(infra: Infra, run_id: str) -> None:
    """Twilio does not retry a final status callback: the dialer asks the provider after a quiet while and
    settles the call (its outcome published, its slots freed). A slot whose call ended without giving it
    back (a crash between the two) is reaped."""
    dialer_port, sim_port = free_port(), free_port()
    settings = dialer_settings(
        infra, run_id, port=dialer_port, sim_port=sim_port, sid=SID, token=TOKEN, dial_interval_s=0.1
    )
    scenario = Scenario(numbers={"+12125550184": Behaviour(outcome="busy", lose_final_callback=True)})
    app = build(settings)
    async with (
        serving(build_sim(account_sid=SID, auth_token=TOKEN, scenario=scenario), sim_port),
        serving(app, dialer_port),
    ):
        deps = app.state.deps
        call = place_call("lost", "+12125550184")
        await produce(infra.kafka_bootstrap, settings.topics.call_commands, [("lost", call.model_dump_json().encode())])

        async def placed() -> bool:
            return "lost" in deps.run.live

        await eventually(placed, timeout=30)
        assert await deps.limits.in_flight("account") == 1
        assert await reconcile_calls(deps, quiet_s=3600) == 0  # not quiet long enough yet
        sid = deps.run.live["lost"].sid

        async def ended_at_the_provider() -> bool:  # the simulated call ends; no callback will say so
            return (await deps.provider.fetch_call(sid)).status not in ("queued", "ringing", "in-progress")

        await eventually(ended_at_the_provider, timeout=10)
        assert await reconcile_calls(deps, quiet_s=0) == 1
        done = await deps.calls.by_key("lost")
        assert (done["outcome"], done["reconciled"], done["provider_sid"]) == ("busy", True, sid)
        assert await deps.limits.in_flight("account") == 0
        events = await read_messages(infra.kafka_bootstrap, settings.topics.calls, count=2, timeout=30)
        assert [e.outcome for e in events if isinstance(e, CallCompleted)] == ["busy"]  # type: ignore[attr-defined]

        # leases of an instance that stopped (no heartbeat) are reaped; this instance's own are kept
        leases = deps.limits.slots
        await leases.insert_one({"_id": "account#99", "key": "account", "i": 99, "owner": "stopped",
                                 "at": datetime.now(UTC) - timedelta(minutes=5)})  # fmt: skip
        mine = await leases.count_documents({"owner": deps.run.instance})
        assert mine >= 1 and await reap_slots(deps, lease_s=60) == 1
        assert await leases.count_documents({}) == mine
        assert await deps.limits.return_idle(0.0) == mine and await leases.count_documents({}) == 0


async def test_a_recorded_call_asks_for_both_channels_and_keeps_its_recording(infra: Infra, run_id: str) -> None:
    dialer_port, sim_port = free_port(), free_port()
    settings = dialer_settings(
        infra, run_id, port=dialer_port, sim_port=sim_port, sid=SID, token=TOKEN, dial_interval_s=0.1
    )
    async with (
        serving(build_sim(account_sid=SID, auth_token=TOKEN), sim_port) as sim_url,
        serving(build(settings), dialer_port) as dialer_url,
        httpx.AsyncClient(headers=caller()) as http,
    ):
        command = place_call("rec", "+12125550185", record=True)
        await produce(
            infra.kafka_bootstrap, settings.topics.call_commands, [("rec", command.model_dump_json().encode())]
        )

        async def recorded() -> bool:
            calls = (await http.get(f"{dialer_url}/calls")).json()["items"]
            return bool(calls and calls[0].get("recording_status") == "completed")

        await eventually(recorded, timeout=60)
        [call] = (await http.get(f"{dialer_url}/calls")).json()["items"]
        [dialed] = [e for e in (await http.get(f"{sim_url}/_sim/log")).json() if e["kind"] == "call"]
        forged = await http.post(
            f"{dialer_url}/webhooks/twilio/calls/{call['call_id']}/recording",
            data={"RecordingStatus": "completed"},
            headers={"X-Twilio-Signature": "forged"},
        )
    assert (dialed["record"], dialed["recording_channels"]) == ("true", "dual")
    assert call["recording_url"].startswith("https://") and call["recording_channels"] == 2
    assert forged.status_code == 403
