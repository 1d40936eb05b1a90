"""Every subscriber of the metrics service, registered in one place: one batch subscriber for all topics."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker
from outreach_common.consumer import DeadLetters, subscribe_batches
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

from outreach_metrics.handlers.project import Projector

GROUP = "metrics"
BATCH = 5000


def register(
    broker: KafkaBroker, projector: Projector, topics: Topics, dlq: DeadLetters, group_id: str | None = None
) -> None:
    """Subscribe to every event topic (from the start when the group is new)."""
    adapters: dict[str, TypeAdapter[Any]] = {
        topics.enrollments: TypeAdapter(EnrollmentEvent),
        topics.campaigns: TypeAdapter(CampaignEvent),
        topics.calls: TypeAdapter(CallEvent),
        topics.messages: TypeAdapter(MessageEvent),
        topics.call_commands: TypeAdapter(CallCommand),
        topics.message_commands: TypeAdapter(MessageCommand),
    }
    subscribe_batches(
        broker,
        adapters=adapters,
        group_id=group_id or topics.prefix + GROUP,  # a prefixed deployment is its own consumer group
        handle=projector.project,
        dead_letters=dlq,
        max_records=BATCH,
        description="Enrollment states, campaign status and funnel facts",
    )
