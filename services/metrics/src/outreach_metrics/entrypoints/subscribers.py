"""Every subscriber of the metrics service, registered in one place."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker
from outreach_common.consumer import DeadLetters, subscribe
from outreach_contracts.envelope import Envelope
from outreach_contracts.registry import (
    CallCommand,
    CallEvent,
    CampaignEvent,
    EnrollmentEvent,
    MessageCommand,
    MessageEvent,
)
from outreach_contracts.topics import Topics
from pydantic import TypeAdapter

from outreach_metrics.adapters.projections import Projections
from outreach_metrics.handlers.project import project_campaign, project_enrollment, project_fact

GROUP = "metrics"


def register(broker: KafkaBroker, views: Projections, topics: Topics, group_id: str | None = None) -> None:
    """Subscribe to every event topic (from the start when the group is new)."""
    dlq = DeadLetters(broker, topics.dead_letters)
    group = group_id or topics.prefix + GROUP  # a prefixed deployment is its own consumer group

    async def on_enrollment(event: EnrollmentEvent) -> None:
        await project_enrollment(event, views)

    async def on_campaign(event: CampaignEvent) -> None:
        await project_campaign(event, views)

    async def on_fact(event: Envelope) -> None:
        await project_fact(event, views)

    subscribe(
        broker,
        topic=topics.enrollments,
        group_id=group,
        adapter=TypeAdapter(EnrollmentEvent),
        handle=on_enrollment,
        dead_letters=dlq,
        description="Enrollment states",
    )
    subscribe(
        broker,
        topic=topics.campaigns,
        group_id=group,
        adapter=TypeAdapter(CampaignEvent),
        handle=on_campaign,
        dead_letters=dlq,
        description="Campaign status",
    )
    adapters: list[tuple[str, TypeAdapter[Any]]] = [
        (topics.calls, TypeAdapter(CallEvent)),
        (topics.messages, TypeAdapter(MessageEvent)),
        (topics.call_commands, TypeAdapter(CallCommand)),
        (topics.message_commands, TypeAdapter(MessageCommand)),
    ]
    for topic, adapter in adapters:
        subscribe(
            broker,
            topic=topic,
            group_id=group,
            adapter=adapter,
            handle=on_fact,
            dead_letters=dlq,
            description="Funnel facts",
        )
