"""Every subscriber of the scheduler, registered in one place."""

from __future__ import annotations

from functools import partial

from faststream.kafka import KafkaBroker
from outreach_common.consumer import DeadLetters, by_type, subscribe
from outreach_contracts.calls import CallCompleted, CallDeferred
from outreach_contracts.messages import ContactOptedOut, MessageFailed, MessageSent
from outreach_contracts.registry import CallEvent, ContactEvent, MessageEvent
from pydantic import TypeAdapter

from outreach_scheduler.handlers.contacts import enroll_contact
from outreach_scheduler.handlers.deps import Deps
from outreach_scheduler.handlers.outcomes import (
    call_completed,
    call_deferred,
    message_failed,
    message_sent,
    opt_out_everywhere,
)

GROUP = "scheduler"


def register(broker: KafkaBroker, deps: Deps, dlq: DeadLetters) -> None:
    """Subscribe to contact, call and message events."""
    group = deps.topics.prefix + GROUP  # a prefixed deployment is its own consumer group
    contacts: TypeAdapter[ContactEvent] = TypeAdapter(ContactEvent)
    calls: TypeAdapter[CallEvent] = TypeAdapter(CallEvent)
    messages: TypeAdapter[MessageEvent] = TypeAdapter(MessageEvent)

    async def on_contact(event: ContactEvent) -> None:
        await enroll_contact(event, deps)

    on_call = by_type(
        {CallCompleted: partial(call_completed, deps=deps), CallDeferred: partial(call_deferred, deps=deps)}
    )
    on_message = by_type(
        {
            MessageSent: partial(message_sent, deps=deps),
            MessageFailed: partial(message_failed, deps=deps),
            ContactOptedOut: partial(opt_out_everywhere, deps=deps),
        }
    )

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
