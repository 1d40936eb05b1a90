"""Send SMS and email steps: once per idempotency key, only inside the window, never to opted-out contacts."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import make_msgid

from outreach_contracts.messages import MessageFailed, MessageSent, SendEmail, SendSms
from outreach_windows import ContactInfo, is_eligible

from outreach_messenger.domain.templates import TemplateFailed, render
from outreach_messenger.handlers.deps import Deps


async def send_message(command: SendSms | SendEmail, deps: Deps) -> None:
    """Render and send; publish MessageSent or MessageFailed (via the message's outbox)."""
    channel = "sms" if isinstance(command, SendSms) else "email"
    now = deps.clock.now()
    if not await deps.messages.claim(
        {
            "_id": command.idempotency_key,
            "channel": channel,
            "status": "received",
            "campaign_id": command.campaign_id,
            "contact_id": command.contact_id,
            "created_at": now,
            "trail": [],
            "outbox": [],
        }
    ):
        return
    common = {
        "occurred_at": now,
        "workspace_id": command.workspace_id,
        "idempotency_key": command.idempotency_key,
        "campaign_id": command.campaign_id,
        "contact_id": command.contact_id,
        "step_index": command.step_index,
        "channel": channel,
    }
    contact = command.contact
    reason = None
    if await deps.messages.is_suppressed(command.workspace_id, contact.phone, contact.email):
        reason = "contact opted out"
    elif not is_eligible(
        now,
        command.window,
        ContactInfo(timezone=contact.timezone, phone=contact.phone, state=contact.state),
        command.step_window,
    ):
        reason = "outside the contact window"
    provider_id = ""
    if reason is None:
        try:
            provider_id = await _deliver(command, deps)
        except TemplateFailed as exc:
            reason = str(exc)
    event = (
        MessageFailed(**common, reason=reason) if reason is not None else MessageSent(**common, provider_id=provider_id)
    )
    entries = [deps.entry(event, key=command.contact_id)]
    await deps.messages.update(
        command.idempotency_key,
        {"status": "failed" if reason else "sent", "provider_id": provider_id, "reason": reason},
        push={"outbox": {"$each": entries}},
    )
    await deps.relay(command.idempotency_key, entries)


async def _deliver(command: SendSms | SendEmail, deps: Deps) -> str:
    contact = command.contact
    if isinstance(command, SendSms):
        body = render(command.body_template, contact)
        sender = (command.from_numbers or [deps.default_sms_from])[0]
        return await deps.sms.send_sms(
            to=contact.phone,
            from_=sender,
            body=body,
            status_callback=f"{deps.public_url}/webhooks/twilio/messages/status",
        )
    if not contact.email:
        raise TemplateFailed("contact has no email address")
    message = EmailMessage()
    message["From"] = deps.email_from
    message["To"] = contact.email
    message["Subject"] = render(command.subject_template, contact)
    message["Message-ID"] = make_msgid(idstring=uuid.uuid4().hex[:8])
    unsubscribe = f"{deps.public_url}/unsubscribe?c={command.contact_id}&w={command.workspace_id}"
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message.set_content(render(command.body_template, contact) + f"\n\nUnsubscribe: {unsubscribe}\n")
    return await deps.email.send_email(message)
