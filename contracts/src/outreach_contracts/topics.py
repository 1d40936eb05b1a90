"""Every Kafka topic of Outreach, in one place. Names are versioned; a prefix isolates tests and tenants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class _Topic:
    """One topic: its versioned name, read through an instance of `Topics` with that instance's prefix."""

    def __init__(self, base: str, doc: str) -> None:
        self.base = base
        self.__doc__ = doc

    def __get__(self, topics: Topics | None, owner: Any = None) -> str:
        return self.base if topics is None else f"{topics.prefix}{self.base}"  # read on the class: no prefix


@dataclass(frozen=True, slots=True)
class Topics:
    """Topic names, optionally prefixed (for example per test run)."""

    prefix: str = ""

    contacts = _Topic("outreach.contacts.v1", "ContactImported (ingest -> scheduler, metrics).")
    campaigns = _Topic("outreach.campaigns.v1", "Campaign lifecycle events (scheduler -> dialer, messenger, metrics).")
    enrollments = _Topic("outreach.enrollments.v1", "EnrollmentChanged and ContactExited (scheduler -> metrics).")
    call_commands = _Topic("outreach.commands.calls.v1", "PlaceCall (scheduler -> dialer).")
    calls = _Topic(
        "outreach.calls.v1",
        "CallPlaced, CallCompleted, CallDeferred, CallAnalyzed, NumberRested (dialer -> scheduler, metrics).",
    )
    message_commands = _Topic("outreach.commands.messages.v1", "SendSms, SendEmail (scheduler -> messenger).")
    messages = _Topic(
        "outreach.messages.v1",
        "MessageSent, MessageFailed (messenger), ContactOptedOut (messenger, dialer, ingest's do-not-call list).",
    )
    numbers = _Topic(
        "outreach.numbers.v1",
        "NumberRegistered, NumberRemoved (dialer -> messenger: who owns the number a reply was sent to).",
    )
    dead_letters = _Topic(
        "outreach.deadletter.v1", "Messages that could not be parsed or kept failing, with the reason in headers."
    )

    def all(self) -> list[str]:
        """Every topic name."""
        return [topic.__get__(self) for topic in vars(Topics).values() if isinstance(topic, _Topic)]
