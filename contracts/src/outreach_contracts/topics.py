"""Every Kafka topic of Outreach, in one place. Names are versioned; a prefix isolates tests and tenants."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Topics:
    """Topic names, optionally prefixed (for example per test run)."""

    prefix: str = ""

    def _name(self, base: str) -> str:
        return f"{self.prefix}{base}"

    @property
    def contacts(self) -> str:
        """ContactImported (ingest -> scheduler, metrics)."""
        return self._name("outreach.contacts.v1")

    @property
    def campaigns(self) -> str:
        """Campaign lifecycle events (scheduler -> dialer, messenger, metrics)."""
        return self._name("outreach.campaigns.v1")

    @property
    def enrollments(self) -> str:
        """EnrollmentChanged and ContactExited (scheduler -> metrics)."""
        return self._name("outreach.enrollments.v1")

    @property
    def call_commands(self) -> str:
        """PlaceCall (scheduler -> dialer)."""
        return self._name("outreach.commands.calls.v1")

    @property
    def calls(self) -> str:
        """CallPlaced, CallCompleted, CallDeferred, CallAnalyzed, NumberRested (dialer -> scheduler, metrics)."""
        return self._name("outreach.calls.v1")

    @property
    def message_commands(self) -> str:
        """SendSms, SendEmail (scheduler -> messenger)."""
        return self._name("outreach.commands.messages.v1")

    @property
    def messages(self) -> str:
        """MessageSent, MessageFailed (messenger), ContactOptedOut (messenger, dialer, ingest's do-not-call list)."""
        return self._name("outreach.messages.v1")

    @property
    def numbers(self) -> str:
        """NumberRegistered, NumberRemoved (dialer -> messenger: who owns the number a reply was sent to)."""
        return self._name("outreach.numbers.v1")

    @property
    def dead_letters(self) -> str:
        """Messages that could not be parsed or kept failing, with the reason in headers."""
        return self._name("outreach.deadletter.v1")

    def all(self) -> list[str]:
        """Every topic name."""
        return [
            self.contacts,
            self.campaigns,
            self.enrollments,
            self.call_commands,
            self.calls,
            self.message_commands,
            self.messages,
            self.numbers,
            self.dead_letters,
        ]
