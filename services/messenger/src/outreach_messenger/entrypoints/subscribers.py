"""Every subscriber of the messenger, registered in one place."""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from outreach_common.consumer import DeadLetters, subscribe
from outreach_contracts.messages import ContactOptedOut
from outreach_contracts.numbers import NumberRegistered
from outreach_contracts.registry import CampaignEvent, MessageCommand, MessageEvent, NumberEvent
from pydantic import TypeAdapter

from outreach_messenger.handlers.campaigns import on_campaign_event
from outreach_messenger.handlers.deps import Deps
from outreach_messenger.handlers.send import send_message

GROUP = "messenger"


def register(broker: KafkaBroker, deps: Deps, dlq: DeadLetters) -> None:
    """Subscribe to message commands, campaign events, opt-outs and number ownership."""
    group = deps.topics.prefix + GROUP  # a prefixed deployment is its own consumer group

    async def on_command(command: MessageCommand) -> None:
        await send_message(command, deps)

    async def on_campaign(event: CampaignEvent) -> None:
        await on_campaign_event(event, deps)

    async def on_number_event(event: NumberEvent) -> None:
        if isinstance(event, NumberRegistered):
            details = event.model_dump(include={"tags", "capabilities", "status", "per_hour", "per_day"})
            await deps.messages.own_number(event.workspace_id, event.number, owned=True, details=details)
        else:
            await deps.messages.own_number(event.workspace_id, event.number, owned=False)

    async def on_message_event(event: MessageEvent) -> None:
        if isinstance(event, ContactOptedOut):  # from any channel or the do-not-call list
            if event.phone:
                await deps.messages.suppress(event.workspace_id, phone=event.phone, email=None)
            if event.email:
                await deps.messages.suppress(event.workspace_id, phone=None, email=event.email)

    subscribe(
        broker,
        topic=deps.topics.message_commands,
        group_id=group,
        adapter=TypeAdapter(MessageCommand),
        handle=on_command,
        dead_letters=dlq,
        description="Send SMS and email steps",
    )
    subscribe(
        broker,
        topic=deps.topics.campaigns,
        group_id=group,
        adapter=TypeAdapter(CampaignEvent),
        handle=on_campaign,
        dead_letters=dlq,
        description="Hold sends of paused campaigns",
    )
    subscribe(
        broker,
        topic=deps.topics.messages,
        group_id=group,
        adapter=TypeAdapter(MessageEvent),
        handle=on_message_event,
        dead_letters=dlq,
        description="Suppress numbers and addresses that opted out anywhere",
    )
    subscribe(
        broker,
        topic=deps.topics.numbers,
        group_id=group,
        adapter=TypeAdapter(NumberEvent),
        handle=on_number_event,
        dead_letters=dlq,
        description="Which workspaces own each number (a reply sent to it is theirs)",
    )
