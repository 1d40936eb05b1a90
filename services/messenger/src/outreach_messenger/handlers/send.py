"""Send SMS and email steps: once per idempotency key, only inside the window, never to opted-out contacts.

A paused campaign's sends are held (sent on resume), a stopped campaign's are cancelled. Provider 429 / 5xx
and network trouble are retried with backoff; a permanent refusal becomes MessageFailed with the reason, and
Twilio's 21610 (the carrier holds a STOP) also opts the contact out.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlencode

from outreach_contracts.messages import ContactOptedOut, MessageFailed, MessageSent, SendEmail, SendSms
from outreach_windows import ContactInfo, is_eligible
from pydantic import TypeAdapter
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from outreach_messenger.adapters.errors import SendError
from outreach_messenger.domain.segments import count
from outreach_messenger.domain.templates import TemplateFailed, render
from outreach_messenger.handlers.deps import Deps
from outreach_messenger.handlers.senders import NoSender, pick_sender

Command = SendSms | SendEmail
COMMAND: TypeAdapter[Command] = TypeAdapter(Command)  # a recorded command, read back


async def send_message(command: Command, deps: Deps) -> None:
    """Record the command (a repeat is ignored), then hand its send to the sends under way (the message is
    committed once recorded; a send the process did not finish is taken up when its lease runs out)."""
    channel = "sms" if isinstance(command, SendSms) else "email"
    claimed = await deps.messages.claim(
        {
            "_id": command.idempotency_key,
            "channel": channel,
            "status": "received",
            "workspace_id": command.workspace_id,
            "campaign_id": command.campaign_id,
            "contact_id": command.contact_id,
            "command": command.model_dump(mode="json"),
            "created_at": deps.clock.now(),
            "lease_until": lease(deps.lease_s),
            "trail": [{"status": "received", "at": deps.clock.now()}],
            "outbox": [],
        }
    )
    if claimed:
        await deps.sending.spawn(process(command, deps))


async def process(command: Command, deps: Deps) -> None:
    """Hold, cancel, refuse or send one recorded command, and publish what happened."""
    hold = await deps.messages.hold_of(command.campaign_id)
    if hold == "CampaignPaused":
        await deps.messages.update(
            command.idempotency_key, {"status": "held"}, push={"trail": {"status": "held", "at": deps.clock.now()}}
        )
        return
    reason: str | None = "campaign stopped" if hold == "CampaignStopped" else None
    contact = command.contact
    now = deps.clock.now()
    if reason is None and await deps.messages.is_suppressed(command.workspace_id, contact.phone, contact.email):
        reason = "contact opted out"
    info = ContactInfo(timezone=contact.timezone, phone=contact.phone, state=contact.state)
    if reason is None and not is_eligible(now, command.window, info, command.step_window):
        reason = "outside the contact window"
    provider_id, opted_out = "", False
    extra: dict[str, Any] = {}
    if reason is None:
        await deps.messages.update(
            command.idempotency_key,
            {"status": "sending", "lease_until": lease(deps.lease_s)},
            push={"trail": {"status": "sending", "at": now}},
        )
        try:
            provider_id, extra = await _deliver(command, deps)
        except TemplateFailed as exc:
            reason = str(exc)
        except SendError as exc:
            reason, opted_out = exc.reason, exc.opted_out
        except NoSender as exc:
            reason = str(exc)
    await finish(command, deps, reason=reason, provider_id=provider_id, extra=extra, opted_out=opted_out)


def lease(seconds: float) -> datetime:
    """The real instant (not the campaign clock) after which a step left unfinished is taken up by the stuck
    sweep: a messenger that stopped between recording a command and finishing it left it there."""
    return datetime.now(UTC) + timedelta(seconds=seconds)


async def finish(
    command: Command, deps: Deps, *, reason: str | None, provider_id: str, extra: dict[str, Any], opted_out: bool
) -> None:
    now = deps.clock.now()
    channel = "sms" if isinstance(command, SendSms) else "email"
    common = {
        "occurred_at": now,
        "workspace_id": command.workspace_id,
        "idempotency_key": command.idempotency_key,
        "campaign_id": command.campaign_id,
        "contact_id": command.contact_id,
        "step_index": command.step_index,
        "channel": channel,
    }
    events: list[Any] = [
        MessageFailed(**common, reason=reason) if reason is not None else MessageSent(**common, provider_id=provider_id)
    ]
    if opted_out:  # the event is written with the outcome (one write); the suppression follows it
        events.append(
            ContactOptedOut(
                occurred_at=now,
                workspace_id=command.workspace_id,
                phone=command.contact.phone,
                channel="sms",
                campaign_id=command.campaign_id,
                contact_id=command.contact_id,
            )
        )
    entries = [deps.entry(event, key=command.contact_id, journey=command.trace) for event in events]
    status = "failed" if reason else "sent"
    deps.instruments.messages.labels(channel, status).inc()
    await deps.messages.update(
        command.idempotency_key,
        {"status": status, "provider_id": provider_id, "reason": reason, **extra},
        push={"outbox": {"$each": entries}, "trail": {"status": status, "at": now, "reason": reason}},
    )
    if opted_out:
        await deps.messages.suppress(command.workspace_id, phone=command.contact.phone, email=None)
    await deps.relay(command.idempotency_key, entries)


async def _with_retries(deps: Deps, key: str, send: Any, channel: str) -> str:
    """Call `send` until it succeeds, fails permanently or runs out of attempts."""
    async for attempt in AsyncRetrying(
        retry=retry_if_exception(lambda e: isinstance(e, SendError) and e.retryable),
        stop=stop_after_attempt(deps.send_attempts),
        wait=wait_exponential(multiplier=deps.retry_base_s, max=deps.retry_max_s),
        reraise=True,
    ):
        with attempt:
            number = attempt.retry_state.attempt_number
            if number > 1:
                deps.instruments.retries.labels(channel).inc()
                await deps.messages.update(key, {}, push={"trail": {"status": "retrying", "attempt": number}})
            result: str = await send()
            return result
    raise AssertionError("unreachable")  # pragma: no cover - AsyncRetrying re-raises the last error


async def _deliver(command: Command, deps: Deps) -> tuple[str, dict[str, Any]]:
    contact = command.contact
    if isinstance(command, SendSms):
        body = render(command.body_template, contact)
        sender = await pick_sender(command, deps)
        segments = count(body)
        key = command.idempotency_key

        async def send_sms() -> str:
            return await deps.sms.send_sms(
                to=contact.phone,
                from_=sender,
                body=body,
                # the message's key in the callback URL: its status is recorded by `_id`, not by a scan
                status_callback=f"{deps.public_url}/webhooks/twilio/messages/status?{urlencode({'key': key})}",
            )

        provider_id = await _with_retries(deps, command.idempotency_key, send_sms, "sms")
        return provider_id, {"from": sender, "encoding": segments.encoding, "segments": segments.segments}
    if not contact.email:
        raise TemplateFailed("contact has no email address")
    token = secrets.token_urlsafe(18)
    unsubscribe = f"{deps.public_url}/unsubscribe/{token}"
    message = EmailMessage()
    message["From"] = deps.email_from
    message["To"] = contact.email
    message["Subject"] = render(command.subject_template, contact)
    message["Message-ID"] = make_msgid(idstring=uuid.uuid4().hex[:8])
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(render(command.body_template, contact) + f"\n\nUnsubscribe: {unsubscribe}\n")
    if command.html_template:
        html = render(command.html_template, contact, html=True)
        message.add_alternative(html + f'<p><a href="{unsubscribe}">Unsubscribe</a></p>', subtype="html")
    await deps.messages.update(
        command.idempotency_key, {"unsubscribe_token": token, "email": contact.email, "phone": contact.phone}
    )
    provider_id = await _with_retries(deps, command.idempotency_key, lambda: deps.email.send_email(message), "email")
    return provider_id, {}
