"""The consumer the dead-letter tests put under test: one handler on a run's contacts topic."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from faststream.kafka import KafkaBroker
from outreach_common.consumer import DeadLetters, subscribe
from outreach_contracts.registry import ContactEvent
from outreach_contracts.topics import Topics
from pydantic import TypeAdapter


def subscribe_contacts(
    broker: KafkaBroker,
    topics: Topics,
    run_id: str,
    handle: Callable[[Any], Awaitable[None]],
    dead_letters: DeadLetters,
    max_attempts: int = 5,
) -> None:
    """`handle` subscribed to the run's contacts topic in the run's own group, as a service subscribes."""
    subscribe(
        broker,
        topic=topics.contacts,
        group_id=f"{run_id}-g",
        adapter=TypeAdapter(ContactEvent),
        handle=handle,
        dead_letters=dead_letters,
        max_attempts=max_attempts,
    )
