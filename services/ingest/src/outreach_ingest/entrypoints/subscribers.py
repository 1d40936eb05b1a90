"""Every subscriber of ingest: opt-outs from any channel land on the do-not-call list."""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from outreach_common.consumer import DeadLetters, subscribe
from outreach_contracts.messages import ContactOptedOut
from outreach_contracts.registry import MessageEvent
from pydantic import TypeAdapter

from outreach_ingest.handlers.dnc import DncDeps, record_opt_out

GROUP = "ingest"


def register(broker: KafkaBroker, deps: DncDeps) -> None:
    """Subscribe to message events (ContactOptedOut only is acted on)."""
    dlq = DeadLetters(broker, deps.topics.dead_letters)

    async def on_message(event: MessageEvent) -> None:
        if isinstance(event, ContactOptedOut):
            await record_opt_out(event, deps)

    subscribe(
        broker,
        topic=deps.topics.messages,
        group_id=deps.topics.prefix + GROUP,
        adapter=TypeAdapter(MessageEvent),
        handle=on_message,
        dead_letters=dlq,
        description="Opt-outs from every channel onto the do-not-call list",
    )
