"""Every subscriber of the messenger, registered in one place."""

from __future__ import annotations

from functools import partial

from faststream.kafka import KafkaBroker
from outreach_common.consumer import DeadLetters, by_type, subscribe
from outreach_contracts.campaigns import CampaignPaused, CampaignResumed, CampaignStopped
from outreach_contracts.messages import ContactOptedOut
from outreach_contracts.numbers import NumberRegistered, NumberRemoved
from outreach_contracts.registry import CampaignEvent, MessageCommand, MessageEvent, NumberEvent
from pydantic import TypeAdapter

from outreach_messenger.handlers.campaigns import campaign_paused, campaign_resumed, campaign_stopped
from outreach_messenger.handlers.deps import Deps
from outreach_messenger.handlers.registry import number_registered, number_removed, opted_out
from outreach_messenger.handlers.send import send_message

GROUP = "messenger"


def register(broker: KafkaBroker, deps: Deps, dlq: DeadLetters) -> None:
    """Subscribe to message commands, campaign events, opt-outs and number ownership."""
    group = deps.topics.prefix + GROUP  # a prefixed deployment is its own consumer group

    async def on_command(command: MessageCommand) -> None:
        await send_message(command, deps)

    on_campaign = by_type(
        {
            CampaignPaused: partial(campaign_paused, deps=deps),
            CampaignResumed: partial(campaign_resumed, deps=deps),
            CampaignStopped: partial(campaign_stopped, deps=deps),
        }
    )
    on_number_event = by_type(
        {NumberRegistered: partial(number_registered, deps=deps), NumberRemoved: partial(number_removed, deps=deps)}
    )
    on_message_event = by_type({ContactOptedOut: partial(opted_out, deps=deps)})

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
