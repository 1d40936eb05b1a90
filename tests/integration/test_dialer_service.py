"""The dialer against real Kafka, the MongoDB-wire server and the simulator, through the twilio SDK."""

from __future__ import annotations

import httpx
import pytest
from outreach_contracts.calls import CallCompleted, CallPlaced, PlaceCall
from outreach_contracts.window import ContactWindow
from outreach_devstack.stack import free_port
from outreach_dialer.bootstrap import build
from outreach_twilio_sim.app import build as build_sim
from outreach_twilio_sim.scenario import Behaviour, Scenario
from twilio.request_validator import RequestValidator

from tests.conftest import Infra
from tests.integration.helpers import caller, dialer_settings, place_call, produce, read_messages, serving

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
