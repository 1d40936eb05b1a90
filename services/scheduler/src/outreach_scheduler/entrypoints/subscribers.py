"""Every subscriber of the scheduler, registered in one place: one handler per message type it acts on."""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from outreach_common.consumer import DeadLetters, subscribe_batches
from outreach_common.routes import Route, by_type, subscribe_routes
from outreach_contracts.calls import CallCompleted, CallDeferred
from outreach_contracts.messages import ContactOptedOut, MessageFailed, MessageSent
from outreach_contracts.registry import CallEvent, ContactEvent, MessageEvent
from pydantic import TypeAdapter

from outreach_scheduler.handlers.contacts import enroll_batch
from outreach_scheduler.handlers.deps import Deps
from outreach_scheduler.handlers.outcomes import (
    call_completed,
    call_deferred,
    message_failed,
    message_sent,
    opt_out_everywhere,
)

GROUP = "scheduler"
CONTACT_BATCH = 2000


def routes(deps: Deps) -> list[Route]:
    """The topics the scheduler reads and its handler of each message type."""
    topics = deps.topics
    return [
        Route(topics.calls, CallEvent, by_type({CallCompleted: call_completed, CallDeferred: call_deferred}, deps=deps),
              "Apply call outcomes"),
        Route(topics.messages, MessageEvent,
              by_type({MessageSent: message_sent, MessageFailed: message_failed, ContactOptedOut: opt_out_everywhere},
                      deps=deps),
              "Apply message outcomes and opt-outs"),
    ]  # fmt: skip


def register(broker: KafkaBroker, deps: Deps, dlq: DeadLetters) -> None:
    """Subscribe to contact, call and message events (a prefixed deployment is its own consumer group):
    imported contacts a batch at a time (an import of a million is a few hundred inserts), outcomes one by
    one."""
    group = deps.topics.prefix + GROUP
    subscribe_batches(
        broker,
        adapters={deps.topics.contacts: TypeAdapter(ContactEvent)},
        group_id=group,
        handle=lambda events: enroll_batch(events, deps),
        dead_letters=dlq,
        max_records=CONTACT_BATCH,
        description="Enroll imported contacts",
    )
    subscribe_routes(broker, group_id=group, dead_letters=dlq, routes=routes(deps))
