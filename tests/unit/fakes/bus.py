"""An in-memory `EventBus`: what a handler published, in order, with topic and key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from outreach_common.kafka import Encoded
from outreach_contracts.envelope import Envelope
from outreach_contracts.registry import ANY_MESSAGE


class FakeBus:
    """Keeps every published (message, topic, key); `fail` makes the next publishes raise (a broker away)."""

    def __init__(self) -> None:
        self.sent: list[tuple[Any, str, str]] = []
        self.fail: Exception | None = None

    async def publish(self, message: Envelope, *, topic: str, key: str) -> None:
        await self.publish_many([(message, topic, key)])

    async def publish_many(self, items: Sequence[tuple[Envelope, str, str]]) -> None:
        if self.fail is not None:
            raise self.fail
        self.sent += list(items)

    async def publish_encoded(self, items: Sequence[tuple[Encoded, str, str]]) -> None:
        """Kept as the contract models they encode (so an encoder that drifts from its model fails here)."""
        await self.publish_many([(ANY_MESSAGE.validate_json(m.value), topic, key) for m, topic, key in items])

    def types(self, topic: str | None = None) -> list[str]:
        """The types of the messages published (to `topic`), in order."""
        return [getattr(m, "type", type(m).__name__) for m, t, _ in self.sent if topic in (None, t)]

    def of_type(self, kind: str) -> list[Any]:
        return [m for m, _, _ in self.sent if getattr(m, "type", None) == kind]
