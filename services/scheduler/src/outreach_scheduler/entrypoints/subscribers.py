"""Every subscriber of the scheduler, registered in one place: one handler per message type it acts on."""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from outreach_common.consumer import DeadLetters
from outreach_common.routes import Route, by_type, subscribe_routes
from outreach_contracts.calls import CallCompleted, CallDeferred
from outreach_contracts.contacts import ContactImported
from outreach_contracts.messages import ContactOptedOut, MessageFailed, MessageSent
from outreach_contracts.registry import CallEvent, ContactEvent, MessageEvent

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


def routes(deps: Deps) -> list[Route]:
    """The topics the scheduler reads and its handler of each message type."""
    topics = deps.topics
    return [
        Route(topics.contacts, ContactEvent, by_type({ContactImported: enroll_contact}, deps=deps),
              "Enroll imported contacts"),
        Route(topics.calls, CallEvent, by_type({CallCompleted: call_completed, CallDeferred: call_deferred}, deps=deps),
              "Apply call outcomes"),
        Route(topics.messages, MessageEvent,
              by_type({MessageSent: message_sent, MessageFailed: message_failed, ContactOptedOut: opt_out_everywhere},
                      deps=deps),
              "Apply message outcomes and opt-outs"),
    ]  # fmt: skip


def register(broker: KafkaBroker, deps: Deps, dlq: DeadLetters) -> None:
    """Subscribe to contact, call and message events (a prefixed deployment is its own consumer group)."""
    subscribe_routes(broker, group_id=deps.topics.prefix + GROUP, dead_letters=dlq, routes=routes(deps))
