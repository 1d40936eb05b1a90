"""A service's subscriptions as a table: for each topic it reads, the messages the topic carries and one
handler per message type it acts on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from faststream.kafka import KafkaBroker, KafkaRouter
from outreach_contracts.campaigns import CampaignPaused, CampaignResumed, CampaignStopped
from pydantic import TypeAdapter

from outreach_common.consumer import DeadLetters, subscribe

Handler = Callable[[Any], Awaitable[None]]


TypedHandler = Callable[..., Awaitable[None]]  # a handler of one message type, with the service's dependencies
Handlers = Mapping[type[Any], TypedHandler]  # message type -> its handler


def on_lifecycle(paused: TypedHandler, resumed: TypedHandler, stopped: TypedHandler) -> Handlers:
    """The handlers of a campaign's pause, resume and stop (what a service holding its steps acts on)."""
    return {CampaignPaused: paused, CampaignResumed: resumed, CampaignStopped: stopped}


def by_type(handlers: Handlers, **bound: Any) -> Handler:
    """One handler per message type of a topic's union, each called with the message and `bound` (the
    service's dependencies); a type without one is read and let go (a topic carries events other services
    act on)."""

    async def handle(message: Any) -> None:
        handler = handlers.get(type(message))
        if handler is not None:
            await handler(message, **bound)

    return handle


@dataclass(frozen=True)
class Route:
    """One topic a service reads: the messages it carries (a union of contract models), what the service
    does with them, and the line the AsyncAPI document shows."""

    topic: str
    messages: Any
    handle: Handler
    description: str


def subscribe_routes(
    router: KafkaRouter | KafkaBroker, *, group_id: str, dead_letters: DeadLetters, routes: Sequence[Route]
) -> None:
    """`subscribe` each route in one consumer group."""
    for route in routes:
        subscribe(
            router,
            topic=route.topic,
            group_id=group_id,
            adapter=TypeAdapter(route.messages),
            handle=route.handle,
            dead_letters=dead_letters,
            description=route.description,
        )
