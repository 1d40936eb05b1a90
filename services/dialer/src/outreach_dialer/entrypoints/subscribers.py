"""Every subscriber of the dialer, registered in one place."""

from __future__ import annotations

from functools import partial

from faststream.kafka import KafkaBroker
from outreach_common.consumer import DeadLetters, by_type, subscribe
from outreach_contracts.campaigns import CampaignPaused, CampaignResumed, CampaignStopped
from outreach_contracts.messages import ContactOptedOut
from outreach_contracts.registry import CallCommand, CampaignEvent, MessageEvent
from pydantic import TypeAdapter

from outreach_dialer.handlers.campaigns import campaign_paused, campaign_resumed, campaign_stopped
from outreach_dialer.handlers.deps import Deps
from outreach_dialer.handlers.opt_outs import on_opt_out
from outreach_dialer.handlers.queue import enqueue_call

GROUP = "dialer"


def register(broker: KafkaBroker, deps: Deps, dlq: DeadLetters) -> None:
    """Subscribe to call commands, campaign events and opt-outs."""
    group = deps.topics.prefix + GROUP  # a prefixed deployment is its own consumer group

    async def on_command(command: CallCommand) -> None:
        await enqueue_call(command, deps)

    on_campaign = by_type(
        {
            CampaignPaused: partial(campaign_paused, deps=deps),
            CampaignResumed: partial(campaign_resumed, deps=deps),
            CampaignStopped: partial(campaign_stopped, deps=deps),
        }
    )
    on_message_event = by_type({ContactOptedOut: partial(on_opt_out, deps=deps)})

    subscribe(
        broker,
        topic=deps.topics.call_commands,
        group_id=group,
        adapter=TypeAdapter(CallCommand),
        handle=on_command,
        dead_letters=dlq,
        description="Queue PlaceCall commands",
    )
    subscribe(
        broker,
        topic=deps.topics.campaigns,
        group_id=group,
        adapter=TypeAdapter(CampaignEvent),
        handle=on_campaign,
        dead_letters=dlq,
        description="Hold or cancel queued calls",
    )
    subscribe(
        broker,
        topic=deps.topics.messages,
        group_id=group,
        adapter=TypeAdapter(MessageEvent),
        handle=on_message_event,
        dead_letters=dlq,
        description="Opt-outs from every channel: remembered, and the number's queued calls canceled",
    )
