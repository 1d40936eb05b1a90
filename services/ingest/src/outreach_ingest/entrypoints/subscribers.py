"""Every subscriber of ingest: opt-outs from any channel land on the do-not-call list; campaign events tell
which workspace each campaign belongs to."""

from __future__ import annotations

from functools import partial

from faststream.kafka import KafkaBroker
from outreach_common.consumer import DeadLetters, by_type, subscribe
from outreach_contracts.messages import ContactOptedOut
from outreach_contracts.registry import CampaignEvent, MessageEvent
from pydantic import TypeAdapter

from outreach_ingest.adapters.campaigns import CampaignDirectory
from outreach_ingest.handlers.dnc import DncDeps, record_opt_out

GROUP = "ingest"


def register(broker: KafkaBroker, deps: DncDeps, campaigns: CampaignDirectory, dlq: DeadLetters) -> None:
    """Subscribe to message events (ContactOptedOut only is acted on) and campaign events."""

    async def on_campaign(event: CampaignEvent) -> None:
        await campaigns.record(event.campaign_id, event.workspace_id)

    subscribe(
        broker,
        topic=deps.topics.campaigns,
        group_id=deps.topics.prefix + GROUP,
        adapter=TypeAdapter(CampaignEvent),
        handle=on_campaign,
        dead_letters=dlq,
        description="Campaigns and their workspaces (an import is taken only for a campaign of its workspace)",
    )

    on_message = by_type({ContactOptedOut: partial(record_opt_out, deps=deps)})

    subscribe(
        broker,
        topic=deps.topics.messages,
        group_id=deps.topics.prefix + GROUP,
        adapter=TypeAdapter(MessageEvent),
        handle=on_message,
        dead_letters=dlq,
        description="Opt-outs from every channel onto the do-not-call list",
    )
