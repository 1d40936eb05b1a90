"""Every subscriber of the scheduler, registered in one place."""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from outreach_common.consumer import DeadLetters, subscribe
from outreach_contracts.registry import CallEvent, ContactEvent, MessageEvent
from pydantic import TypeAdapter

from outreach_scheduler.handlers.contacts import enroll_contact
from outreach_scheduler.handlers.deps import Deps
from outreach_scheduler.handlers.outcomes import on_call_event, on_message_event

GROUP = "scheduler"


def register(broker: KafkaBroker, deps: Deps, dlq: DeadLetters) -> None:
    """Subscribe to contact, call and message events."""
    group = deps.topics.prefix + GROUP  # a prefixed deployment is its own consumer group
    contacts: TypeAdapter[ContactEvent] = TypeAdapter(ContactEvent)
    calls: TypeAdapter[CallEvent] = TypeAdapter(CallEvent)
    messages: TypeAdapter[MessageEvent] = TypeAdapter(MessageEvent)

    async def on_contact(event: ContactEvent) -> None:
        await enroll_contact(event, deps)

    async def on_call(event: CallEvent) -> None:
        await on_call_event(event, deps)

    async def on_message(event: MessageEvent) -> None:
        await on_message_event(event, deps)

    subscribe(
        broker,
        topic=deps.topics.contacts,
        group_id=group,
        adapter=contacts,
        handle=on_contact,
        dead_letters=dlq,
        description="Enroll imported contacts",
    )
    subscribe(
        broker,
        topic=deps.topics.calls,
        group_id=group,
        adapter=calls,
        handle=on_call,
        dead_letters=dlq,
        description="Apply call outcomes",
    )
    subscribe(
        broker,
        topic=deps.topics.messages,
        group_id=group,
        adapter=messages,
        handle=on_message,
        dead_letters=dlq,
        description="Apply message outcomes and opt-outs",
    )
