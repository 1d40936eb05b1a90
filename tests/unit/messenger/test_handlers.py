"""Every messenger handler on in-memory fakes of its storage, providers and event bus: sends (once, in the
window, never to an opted-out contact), holds, carrier opt-outs, senders, number ownership and stuck sends."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from outreach_common.bounded import Bounded
from outreach_common.clock import VirtualClock
from outreach_contracts.campaigns import CampaignPaused, CampaignResumed, CampaignStopped
from outreach_contracts.contacts import ContactData
from outreach_contracts.messages import ContactOptedOut, SendEmail, SendSms
from outreach_contracts.numbers import NumberRegistered, NumberRemoved
from outreach_contracts.topics import Topics
from outreach_contracts.window import ContactWindow
from outreach_messenger.adapters.errors import TWILIO_OPTED_OUT, SendError
from outreach_messenger.handlers import campaigns, registry, stuck
from outreach_messenger.handlers.deps import Deps
from outreach_messenger.handlers.send import send_message

from tests.unit.fakes.bus import FakeBus
from tests.unit.fakes.messenger import FakeEmail, FakeMessages, FakeSms

pytestmark = pytest.mark.unit
MONDAY = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)  # 11:00 in New York
WINDOW = ContactWindow.model_validate({"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "19:00",
                                       "timezone": {"primary": "contact", "fallback": "America/New_York"}})  # fmt: skip


def make_deps() -> Deps:
    return Deps(
        messages=FakeMessages(), sms=FakeSms(), email=FakeEmail(), bus=FakeBus(), clock=VirtualClock(MONDAY),
        topics=Topics(), public_url="http://outreach.test", default_sms_from="+12125550100",
        email_from="ops@example.com", pending=None, retry_base_s=0, retry_max_s=0,  # type: ignore[arg-type]
    )  # fmt: skip


async def sent(command: SendSms | SendEmail, deps: Deps) -> None:
    """Hand the command to the messenger and wait for the send it started."""
    await send_message(command, deps)
    await deps.sending.drain()


def fakes(deps: Deps) -> tuple[FakeMessages, FakeSms, FakeBus]:
    assert isinstance(deps.messages, FakeMessages) and isinstance(deps.sms, FakeSms) and isinstance(deps.bus, FakeBus)
    return deps.messages, deps.sms, deps.bus


def sms(n: int = 1, **kw: object) -> SendSms:
    contact = ContactData(phone=f"+1212555{n:04d}", first_name="Ada", email="ada@example.com")
    fields = {"occurred_at": MONDAY, "workspace_id": "ws", "idempotency_key": f"cmp:ct{n}:1:1", "campaign_id": "cmp",
              "contact_id": f"ct{n}", "step_index": 1, "contact": contact, "window": WINDOW,
              "body_template": "Hi {{ first_name }}", **kw}  # fmt: skip
    return SendSms.model_validate(fields)


async def test_an_sms_is_sent_once_with_its_rendered_body() -> None:
    deps = make_deps()
    messages, provider, bus = fakes(deps)
    await sent(sms(), deps)
    await sent(sms(), deps)  # a redelivered command
    assert provider.sent == [{"to": "+12125550001", "from": "+12125550100", "body": "Hi Ada"}]
    assert bus.types() == ["MessageSent"]
    assert messages.docs["cmp:ct1:1:1"]["status"] == "sent" and not messages.docs["cmp:ct1:1:1"]["outbox"]


async def test_outside_the_window_or_after_an_opt_out_nothing_is_sent() -> None:
    deps = make_deps()
    messages, provider, bus = fakes(deps)
    assert isinstance(deps.clock, VirtualClock)
    deps.clock.set(MONDAY + timedelta(hours=10))  # 21:00 in New York
    await sent(sms(1), deps)
    deps.clock.set(MONDAY)
    await messages.suppress("ws", phone="+12125550002", email=None)
    await sent(sms(2), deps)
    assert provider.sent == []
    assert [m.reason for m in bus.of_type("MessageFailed")] == ["outside the contact window", "contact opted out"]


async def test_a_paused_campaigns_sends_are_held_then_sent_on_resume_and_canceled_on_stop() -> None:
    deps = make_deps()
    messages, provider, bus = fakes(deps)
    about = {"occurred_at": MONDAY, "workspace_id": "ws", "campaign_id": "cmp", "name": "c"}
    await campaigns.campaign_paused(CampaignPaused(**about), deps)
    await sent(sms(1), deps)
    await sent(sms(2), deps)
    assert provider.sent == [] and {d["status"] for d in messages.docs.values()} == {"held"}
    await campaigns.campaign_resumed(CampaignResumed(**about), deps)
    assert [s["to"] for s in provider.sent] == ["+12125550001", "+12125550002"]
    await campaigns.campaign_paused(CampaignPaused(**about), deps)
    await sent(sms(3), deps)
    await campaigns.campaign_stopped(CampaignStopped(**about), deps)
    assert len(provider.sent) == 2 and bus.of_type("MessageFailed")[0].reason == "campaign stopped"


async def test_a_carrier_opt_out_fails_the_send_and_opts_the_contact_out() -> None:
    deps = make_deps()
    messages, provider, bus = fakes(deps)
    provider.refuse = SendError("unsubscribed recipient", retryable=False, code=TWILIO_OPTED_OUT)
    await sent(sms(), deps)
    assert bus.types() == ["MessageFailed", "ContactOptedOut"]
    assert await messages.is_suppressed("ws", "+12125550001", None)


async def test_a_retryable_refusal_is_tried_again_then_fails_with_the_reason() -> None:
    deps = make_deps()
    messages, provider, bus = fakes(deps)
    provider.refuse = SendError("provider 503", retryable=True)
    await sent(sms(), deps)
    trail = [t["status"] for t in messages.docs["cmp:ct1:1:1"]["trail"]]
    assert trail.count("retrying") == deps.send_attempts - 1
    assert [m.reason for m in bus.of_type("MessageFailed")] == ["provider 503"]


async def test_the_sender_is_a_registered_number_by_tag_with_local_presence_and_never_a_removed_one() -> None:
    deps = make_deps()
    _, provider, _ = fakes(deps)
    for number in ("+13105550100", "+12125550199"):
        registered = NumberRegistered(occurred_at=MONDAY, workspace_id="ws", number=number, tags=["us"])
        await registry.number_registered(registered, deps)
    await sent(sms(1, from_tags=["us"]), deps)
    removed = NumberRemoved(occurred_at=MONDAY, workspace_id="ws", number="+12125550199")
    await registry.number_removed(removed, deps)
    await sent(sms(2, from_tags=["us"]), deps)
    assert [s["from"] for s in provider.sent] == ["+12125550199", "+13105550100"]  # a New York contact: 212 first


async def test_an_opt_out_from_any_channel_suppresses_phone_and_email() -> None:
    deps = make_deps()
    messages, _, _ = fakes(deps)
    opted = ContactOptedOut(occurred_at=MONDAY, workspace_id="ws", phone="+12125550001", email="a@b.co", channel="dnc")
    await registry.opted_out(opted, deps)
    assert await messages.is_suppressed("ws", "+12125550001", None) and await messages.is_suppressed(
        "ws", None, "a@b.co"
    )
    assert not await messages.is_suppressed("other", "+12125550001", None)


async def test_an_email_carries_a_one_click_unsubscribe_link() -> None:
    deps = make_deps()
    assert isinstance(deps.email, FakeEmail)
    contact = ContactData(phone="+12125550001", first_name="Ada", email="ada@example.com")
    command = SendEmail(occurred_at=MONDAY, workspace_id="ws", idempotency_key="cmp:ct1:0:1", campaign_id="cmp",
                        contact_id="ct1", step_index=0, contact=contact, window=WINDOW,
                        subject_template="For {{ first_name }}", body_template="Hello")  # fmt: skip
    await sent(command, deps)
    [message] = deps.email.sent
    assert message["Subject"] == "For Ada" and message["List-Unsubscribe"].startswith("<http://outreach.test/")


async def test_stuck_sends_are_processed_again_or_failed_never_sent_twice() -> None:
    deps = make_deps()
    messages, provider, bus = fakes(deps)
    past = datetime.now(UTC) - timedelta(minutes=1)
    for n, status in ((1, "received"), (2, "sending")):
        command = sms(n)
        doc = {"_id": command.idempotency_key, "status": status, "campaign_id": "cmp", "lease_until": past,
               "command": command.model_dump(mode="json"), "outbox": [], "trail": []}  # fmt: skip
        await messages.claim(doc)
    assert await stuck.take_up_stuck(deps) == 2
    assert [s["to"] for s in provider.sent] == ["+12125550001"]
    assert [m.reason for m in bus.of_type("MessageFailed")] == [stuck.UNKNOWN]
    assert await stuck.take_up_stuck(deps) == 0


async def test_sends_run_side_by_side_and_the_consumer_waits_when_all_places_are_taken() -> None:
    """A command is recorded and its send handed off: the consumer reads on while sends are under way, up to
    the limit; then it waits for a place."""
    deps = make_deps()
    deps.sending = Bounded(2, "sends")
    messages, provider, _ = fakes(deps)
    gate = asyncio.Event()
    send = provider.send_sms

    async def slow_send(**kw: Any) -> str:
        await gate.wait()
        return await send(**kw)

    provider.send_sms = slow_send  # type: ignore[method-assign]
    await send_message(sms(1), deps)
    await send_message(sms(2), deps)
    await asyncio.sleep(0.01)
    assert deps.sending.running == 2 and messages.docs["cmp:ct2:1:1"]["status"] == "sending"
    third = asyncio.create_task(send_message(sms(3), deps))
    await asyncio.sleep(0.01)
    assert not third.done()  # no place: the consumer waits instead of piling work up
    gate.set()
    await third
    await deps.sending.drain()
    assert len(provider.sent) == 3 and {d["status"] for d in messages.docs.values()} == {"sent"}


async def test_a_send_that_fails_leaves_its_record_to_the_sweep_and_frees_its_place() -> None:
    deps = make_deps()
    deps.sending = Bounded(1, "sends")
    messages, provider, _ = fakes(deps)

    async def broken(**kw: Any) -> str:
        raise RuntimeError("the database went away")

    provider.send_sms = broken  # type: ignore[method-assign]
    await sent(sms(1), deps)
    assert messages.docs["cmp:ct1:1:1"]["status"] == "sending"  # its lease runs out; the sweep fails it
    assert deps.sending.running == 0
