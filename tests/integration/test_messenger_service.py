"""The messenger against real Kafka, the MongoDB-wire server, the Twilio simulator (through the twilio SDK)
and a real SMTP server: sends, retries, permanent failures, duplicates, templates, segments, unsubscribe,
inbound STOP / START / HELP, holds on pause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from outreach_contracts.campaigns import CampaignPaused, CampaignResumed
from outreach_contracts.contacts import ContactData
from outreach_contracts.messages import ContactOptedOut, MessageDelivery, MessageFailed, MessageSent, SendEmail, SendSms
from outreach_contracts.numbers import NumberRegistered
from outreach_devstack.stack import free_port
from outreach_messenger.adapters.repository import MessageRepository
from outreach_messenger.bootstrap import build
from outreach_messenger.config import Settings
from outreach_messenger.handlers.stuck import UNKNOWN, take_up_stuck
from outreach_twilio_sim.app import build as build_sim
from outreach_twilio_sim.scenario import MessageBehaviour, Scenario
from pymongo import AsyncMongoClient

from tests.conftest import Infra
from tests.integration.helpers import ALWAYS, caller, eventually, produce, read_messages, serving
from tests.integration.smtp import smtp_server

pytestmark = pytest.mark.integration
TOKEN = "test-token-456"
SID = "AC" + "2" * 32


def sms(key: str, phone: str, body: str, *, campaign: str = "cmp", **contact: Any) -> SendSms:
    return SendSms(
        occurred_at=datetime.now(UTC),
        workspace_id="ws",
        idempotency_key=key,
        campaign_id=campaign,
        contact_id=f"ct_{key}",
        step_index=0,
        contact=ContactData(phone=phone, **contact),
        window=ALWAYS,
        body_template=body,
        from_numbers=["+12125550100"],
    )


def settings_for(infra: Infra, run_id: str, port: int, sim_port: int, smtp_port: int) -> Settings:
    return Settings(
        kafka_bootstrap=infra.kafka_bootstrap,
        mongo_url=infra.mongo_url,
        mongo_db=f"{run_id}_messenger",
        topic_prefix=f"{run_id}.",
        public_url=f"http://127.0.0.1:{port}",
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        twilio_base_url=f"http://127.0.0.1:{sim_port}",
        smtp_port=smtp_port,
        retry_base_s=0.05,
        workspace_id="ws",
        help_reply="Acme reminders. Reply STOP to opt out.",
    )


async def outcomes(infra: Infra, topic: str, count: int, timeout: float = 60) -> list[Any]:
    """The first `count` messages of the topic other than delivery reports (those arrive at their own pace)."""
    found: list[Any] = []

    async def enough() -> bool:
        found[:] = [
            e
            for e in await read_messages(infra.kafka_bootstrap, topic, count=10_000, timeout=1)
            if not isinstance(e, MessageDelivery)
        ]
        return len(found) >= count

    await eventually(enough, timeout=timeout)
    return found[:count]


def encoded(*commands: Any) -> list[tuple[str, bytes]]:
    return [
        (c.contact_id if hasattr(c, "contact_id") else c.campaign_id, c.model_dump_json().encode()) for c in commands
    ]


async def test_sends_retries_failures_duplicates_templates_and_unsubscribe(infra: Infra, run_id: str) -> None:
    port, sim_port, smtp_port = free_port(), free_port(), free_port()
    settings = settings_for(infra, run_id, port, sim_port, smtp_port)
    scenario = Scenario(
        messages={
            "+12125550102": MessageBehaviour(transient_errors=2, transient_status=503),
            "+12125550103": MessageBehaviour(error_code=21610),
            "+12125550106": MessageBehaviour(transient_errors=10, transient_status=429),
        }
    )
    email = SendEmail(
        occurred_at=datetime.now(UTC),
        workspace_id="ws",
        idempotency_key="k5",
        campaign_id="cmp",
        contact_id="ct_k5",
        step_index=1,
        contact=ContactData(phone="+12125550105", email="grace@example.com", first_name="Grace"),
        window=ALWAYS,
        subject_template="Hello {{ first_name }}",
        body_template="Your plan renews soon, {{ first_name }}.",
        html_template="<p>Your plan renews soon, {{ first_name }}.</p>",
    )
    first = sms("k1", "+12125550101", "Hi {{ first_name }} 😀", first_name="Ada")
    with smtp_server(smtp_port) as inbox:
        async with (
            serving(build_sim(account_sid=SID, auth_token=TOKEN, scenario=scenario), sim_port) as sim_url,
            serving(build(settings), port) as url,
            httpx.AsyncClient(timeout=30, headers=caller()) as http,
        ):
            await produce(
                infra.kafka_bootstrap,
                settings.topics.message_commands,
                encoded(
                    first,
                    first,  # repeated: never sent twice
                    sms("k2", "+12125550102", "Transient trouble, {{ first_name }}", first_name="Bo"),
                    sms("k3", "+12125550103", "Carrier STOP"),
                    sms("k4", "+12125550104", "Hi {{ nickname }}"),
                    email,
                    sms("k6", "+12125550106", "Rate limited for good"),
                ),
            )
            events = await outcomes(infra, settings.topics.messages, 7, timeout=90)
            by_key = {getattr(e, "idempotency_key", None): e for e in events if not isinstance(e, ContactOptedOut)}
            assert {k for k, e in by_key.items() if isinstance(e, MessageSent)} == {"k1", "k2", "k5"}
            failed = {k: e.reason for k, e in by_key.items() if isinstance(e, MessageFailed)}
            assert set(failed) == {"k3", "k4", "k6"}
            assert "21610" in failed["k3"]
            assert "nickname" in failed["k4"]
            assert "20429" in failed["k6"] or "429" in failed["k6"]
            opted = [e for e in events if isinstance(e, ContactOptedOut)]
            assert [(e.phone, e.channel, e.contact_id) for e in opted] == [("+12125550103", "sms", "ct_k3")]

            log = (await http.get(f"{sim_url}/_sim/log")).json()
            sent_to = [entry["to"] for entry in log if entry["kind"] == "sms"]
            assert sent_to.count("+12125550101") == 1
            assert sent_to.count("+12125550102") == 3  # two 503s, then accepted
            assert sent_to.count("+12125550106") == 4  # every attempt answered 429
            assert "+12125550104" not in sent_to  # never a raw placeholder
            assert next(e["body"] for e in log if e["to"] == "+12125550101") == "Hi Ada 😀"

            page = (await http.get(f"{url}/messages", params={"campaign_id": "cmp", "limit": 20})).json()["items"]
            row = {m["id"]: m for m in page}
            assert (row["k1"]["encoding"], row["k1"]["segments"]) == ("UCS-2", 1)
            assert [t["status"] for t in row["k2"]["trail"]].count("retrying") == 2

            async def delivered() -> bool:
                doc = (await http.get(f"{url}/messages", params={"contact_id": "ct_k1"})).json()["items"][0]
                return "delivered" in [t["status"] for t in doc["trail"]]

            await eventually(delivered)  # signed status callbacks from the simulator

            assert len(inbox.messages) == 1
            mail = inbox.messages[0]
            assert mail["Subject"] == "Hello Grace"
            link = "".join(str(mail["List-Unsubscribe"]).split()).strip("<>")
            assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert link in mail.get_payload()[0].get_payload(decode=True).decode()
            page_html = await http.get(link)
            assert page_html.status_code == 200 and "<form" in page_html.text
            assert (await http.post(link)).status_code == 200
            assert (await http.post(link)).status_code == 200  # twice: one opt-out
            assert (await http.post(f"{url}/unsubscribe/forged-token")).status_code == 404
            more = await outcomes(infra, settings.topics.messages, 8, timeout=30)
            email_opt_outs = [e for e in more if isinstance(e, ContactOptedOut) and e.channel == "email"]
            assert [(e.email, e.phone, e.contact_id) for e in email_opt_outs] == [
                ("grace@example.com", "+12125550105", "ct_k5")
            ]

            preview = await http.post(
                f"{url}/templates/preview",
                json={
                    "channel": "sms",
                    "body": "Hi {{ first_name }}, " + "x" * 160,
                    "contact": {"phone": "+12125550101", "first_name": "Ada"},
                },
            )
            assert preview.json()["segments"] == 2 and preview.json()["encoding"] == "GSM-7"
            bad = await http.post(
                f"{url}/templates/preview", json={"channel": "sms", "body": "{{ nope }}", "contact": {"phone": "+1"}}
            )
            assert bad.status_code == 422 and "nope" in bad.text


async def test_inbound_stop_start_help_and_holds_on_pause(infra: Infra, run_id: str) -> None:
    port, sim_port, smtp_port = free_port(), free_port(), free_port()
    settings = settings_for(infra, run_id, port, sim_port, smtp_port)
    handset, ours = "+13125550111", "+12125550100"
    async with (
        serving(build_sim(account_sid=SID, auth_token=TOKEN), sim_port) as sim_url,
        serving(build(settings), port) as url,
        httpx.AsyncClient(timeout=30, headers=caller()) as http,
    ):
        webhook = f"{url}/webhooks/twilio/messages/inbound"

        async def reply(body: str) -> None:
            answer = await http.post(
                f"{sim_url}/_sim/sms/inbound", json={"webhook_url": webhook, "from": handset, "to": ours, "body": body}
            )
            assert answer.json()["status"] == 200

        forged = await http.post(webhook, data={"From": handset, "Body": "START"})
        assert forged.status_code == 403

        await reply("Please stop texting me.")
        await produce(infra.kafka_bootstrap, settings.topics.message_commands, encoded(sms("s1", handset, "Hello")))
        events = await outcomes(infra, settings.topics.messages, 2)
        assert isinstance(events[0], ContactOptedOut) and events[0].phone == handset
        assert isinstance(events[1], MessageFailed) and events[1].reason == "contact opted out"

        await reply("START")
        await reply("help")
        await produce(
            infra.kafka_bootstrap,
            settings.topics.campaigns,
            encoded(CampaignPaused(occurred_at=datetime.now(UTC), workspace_id="ws", campaign_id="paused")),
        )
        await produce(
            infra.kafka_bootstrap, settings.topics.message_commands, encoded(sms("s2", handset, "Welcome back"))
        )
        await produce(
            infra.kafka_bootstrap,
            settings.topics.message_commands,
            encoded(sms("s3", handset, "Held", campaign="paused")),
        )
        events = await outcomes(infra, settings.topics.messages, 3)
        assert isinstance(events[2], MessageSent) and events[2].idempotency_key == "s2"

        async def held() -> bool:
            items = (await http.get(f"{url}/messages", params={"contact_id": "ct_s3"})).json()["items"]
            return bool(items) and items[0]["status"] == "held"

        await eventually(held)
        await produce(
            infra.kafka_bootstrap,
            settings.topics.campaigns,
            encoded(CampaignResumed(occurred_at=datetime.now(UTC), workspace_id="ws", campaign_id="paused")),
        )
        events = await outcomes(infra, settings.topics.messages, 4)
        assert isinstance(events[3], MessageSent) and events[3].idempotency_key == "s3"

        log = (await http.get(f"{sim_url}/_sim/log")).json()
        help_replies = [e for e in log if e["kind"] == "sms" and e["to"] == handset and e["from"] == ours]
        assert [e["body"] for e in help_replies][:1] == ["Acme reminders. Reply STOP to opt out."]


async def test_a_stop_is_filed_under_every_workspace_that_owns_the_number(infra: Infra, run_id: str) -> None:
    port, sim_port, smtp_port = free_port(), free_port(), free_port()
    settings = settings_for(infra, run_id, port, sim_port, smtp_port)
    handset, shared = "+13125550112", "+12125550177"
    now = datetime.now(UTC)
    app = build(settings)
    async with (
        serving(build_sim(account_sid=SID, auth_token=TOKEN), sim_port) as sim_url,
        serving(app, port) as url,
        httpx.AsyncClient(timeout=30) as http,
    ):
        owners = [NumberRegistered(occurred_at=now, workspace_id=w, number=shared) for w in ("ws_a", "ws_b")]
        await produce(
            infra.kafka_bootstrap, settings.topics.numbers, [(shared, e.model_dump_json().encode()) for e in owners]
        )

        async def known() -> bool:
            return await app.state.deps.messages.workspaces_of_number(shared) == ["ws_a", "ws_b"]

        await eventually(known, timeout=30)
        webhook = f"{url}/webhooks/twilio/messages/inbound"
        answer = await http.post(
            f"{sim_url}/_sim/sms/inbound", json={"webhook_url": webhook, "from": handset, "to": shared, "body": "STOP"}
        )
        assert answer.json()["status"] == 200
        events = await outcomes(infra, settings.topics.messages, 2)
    assert sorted(e.workspace_id for e in events if isinstance(e, ContactOptedOut)) == ["ws_a", "ws_b"]


async def test_sends_a_stopped_messenger_left_are_taken_up_once_their_lease_ran_out(infra: Infra, run_id: str) -> None:
    """Left `received` (stopped before sending): sent now, once. Left `sending` (stopped mid-send): failed
    with the reason, not sent again. A lease still running is left alone."""
    port, sim_port, smtp_port = free_port(), free_port(), free_port()
    settings = settings_for(infra, run_id, port, sim_port, smtp_port)
    past, future = datetime.now(UTC) - timedelta(seconds=1), datetime.now(UTC) + timedelta(minutes=5)
    left = {
        "r1": ("received", past, sms("r1", "+12125550121", "Hello")),
        "s1": ("sending", past, sms("s1", "+12125550122", "Hello")),
        "r2": ("received", future, sms("r2", "+12125550123", "Hello")),
    }
    # Written before the service starts, as a stopped instance leaves them: its own sweep at start (and every
    # 30 s) takes them up, so the test does not race it; a second sweep then finds nothing.
    collection = AsyncMongoClient(infra.mongo_url)[settings.mongo_db]["messages"]
    for key, (status, lease_until, command) in left.items():
        await collection.insert_one(
            {
                "_id": key,
                "channel": "sms",
                "status": status,
                "lease_until": lease_until,
                "workspace_id": "ws",
                "campaign_id": "cmp",
                "contact_id": command.contact_id,
                "command": command.model_dump(mode="json"),
                "created_at": datetime.now(UTC),
                "trail": [],
                "outbox": [],
            }
        )
    app = build(settings)
    async with (
        serving(build_sim(account_sid=SID, auth_token=TOKEN), sim_port) as sim_url,
        serving(app, port),
        httpx.AsyncClient(timeout=30) as http,
    ):
        deps = app.state.deps
        events = await outcomes(infra, settings.topics.messages, 2)
        assert await take_up_stuck(deps) == 0  # their leases are renewed: taken once
        by_key = {e.idempotency_key: e for e in events}
        assert isinstance(by_key["r1"], MessageSent)
        assert isinstance(by_key["s1"], MessageFailed) and by_key["s1"].reason == UNKNOWN
        log = (await http.get(f"{sim_url}/_sim/log")).json()
        assert [e["to"] for e in log if e["kind"] == "sms"] == ["+12125550121"]
        assert (await deps.messages.collection.find_one({"_id": "r2"}))["status"] == "received"


async def test_sms_steps_choose_their_sender_by_tag_local_first_within_caps(infra: Infra, run_id: str) -> None:
    """Senders by tag: the one in the contact's area code first, another once its cap is spent; a number
    without the tag, or disabled, never sends."""
    port, sim_port, smtp_port = free_port(), free_port(), free_port()
    settings = settings_for(infra, run_id, port, sim_port, smtp_port)
    now = datetime.now(UTC)
    registered = [
        NumberRegistered(occurred_at=now, workspace_id="ws", number="+13105550001", tags=["demo"], per_hour=1),
        NumberRegistered(occurred_at=now, workspace_id="ws", number="+12125550001", tags=["demo"]),
        NumberRegistered(occurred_at=now, workspace_id="ws", number="+13105550002", tags=["other"]),
        NumberRegistered(occurred_at=now, workspace_id="ws", number="+13105550003", tags=["demo"], status="disabled"),
    ]
    app = build(settings)
    async with (
        serving(build_sim(account_sid=SID, auth_token=TOKEN), sim_port) as sim_url,
        serving(app, port),
        httpx.AsyncClient(timeout=30) as http,
    ):
        await produce(
            infra.kafka_bootstrap,
            settings.topics.numbers,
            [(e.number, e.model_dump_json().encode()) for e in registered],
        )

        async def known() -> bool:
            return len(await app.state.deps.messages.senders("ws", numbers=[], tags=["demo"])) == 2

        await eventually(known, timeout=30)
        commands = []
        for key, phone in (("t1", "+13105550101"), ("t2", "+13105550102"), ("t3", "+12125550103")):
            command = sms(key, phone, "Hello").model_copy(update={"from_numbers": [], "from_tags": ["demo"]})
            commands.append(command)
            await produce(infra.kafka_bootstrap, settings.topics.message_commands, encoded(command))
            await outcomes(infra, settings.topics.messages, len(commands))
        log = (await http.get(f"{sim_url}/_sim/log")).json()
    senders = {e["to"]: e["from"] for e in log if e["kind"] == "sms"}
    assert senders == {
        "+13105550101": "+13105550001",  # Los Angeles to Los Angeles
        "+13105550102": "+12125550001",  # the local number's hourly cap (1) is spent
        "+12125550103": "+12125550001",  # New York to New York
    }


async def test_a_status_callback_finds_its_message_by_key_a_final_one_once(infra: Infra, run_id: str) -> None:
    """The callback URL carries the message's key: its status is recorded by `_id` (no scan of every
    message); a callback without a key (a send made before keys were added) is still found by its id; a key
    that is not the message's with that provider id changes nothing."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongo_url)
    messages = MessageRepository(client[f"{run_id}_messenger"])
    for key, sid in (("k1", "SM1"), ("k2", "SM2")):
        await messages.collection.insert_one({"_id": key, "provider_id": sid, "trail": [], "final_status": None})
    sent = {"status": "sent", "at": datetime.now(UTC)}
    before, known = await messages.record_status("SM1", sent, final=False, key="k1")
    assert known and before is not None and before["_id"] == "k1"
    assert await messages.record_status("SM1", sent, final=False, key="k2") == (None, False)  # not k2's id
    delivered = {"status": "delivered", "at": datetime.now(UTC)}
    before, known = await messages.record_status("SM1", delivered, final=True, key="k1")
    assert known and before is not None and before["final_status"] is None
    assert await messages.record_status("SM1", delivered, final=True, key="k1") == (None, True)  # once
    before, known = await messages.record_status("SM2", delivered, final=True)  # without a key
    assert known and before is not None and before["_id"] == "k2"
    k1 = await messages.collection.find_one({"_id": "k1"})
    assert k1 is not None and [t["status"] for t in k1["trail"]] == ["sent", "delivered"]
    await client.close()
