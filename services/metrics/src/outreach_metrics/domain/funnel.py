"""Which funnel fact an event is (pure)."""

from __future__ import annotations

from outreach_contracts.calls import CallCompleted, CallPlaced, PlaceCall
from outreach_contracts.envelope import Envelope
from outreach_contracts.messages import ContactOptedOut, MessageDelivery, MessageFailed, MessageSent, SendEmail, SendSms

OUTCOME_FACTS = {
    "answered_human": "answered_human",
    "voicemail": "voicemail",
    "no_answer": "no_answer",
    "busy": "busy",
    "failed": "failed",
    "unreachable": "unreachable",
    "canceled": "canceled",
}


def fact_of(event: Envelope) -> str | None:
    """The funnel counter an event adds one to, or None."""
    if isinstance(event, PlaceCall | SendSms | SendEmail):
        return "attempts"
    if isinstance(event, CallPlaced):
        return "calls_placed"
    if isinstance(event, CallCompleted):
        return OUTCOME_FACTS[event.outcome]
    if isinstance(event, MessageSent):
        return "sms_sent" if event.channel == "sms" else "emails_sent"
    if isinstance(event, MessageFailed):
        return "sms_failed" if event.channel == "sms" else "emails_failed"
    if isinstance(event, MessageDelivery):
        return f"{event.channel}_{event.status}"
    if isinstance(event, ContactOptedOut):
        return "opt_outs"
    return None
