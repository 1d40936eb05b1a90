"""Every subscriber of ingest: opt-outs from any channel land on the do-not-call list; campaign events tell
which workspace each campaign belongs to."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker
from outreach_common.consumer import DeadLetters
from outreach_common.routes import Route, by_type, subscribe_routes
from outreach_contracts.messages import ContactOptedOut
from outreach_contracts.registry import CampaignEvent, MessageEvent

from outreach_ingest.adapters.campaigns import CampaignDirectory
from outreach_ingest.handlers.dnc import DncDeps, record_opt_out

GROUP = "ingest"


def routes(deps: DncDeps, campaigns: CampaignDirectory) -> list[Route]:
    """The topics ingest reads and what it does with them."""

    async def on_campaign(event: Any) -> None:  # every campaign event names the campaign's workspace
        await campaigns.record(event.campaign_id, event.workspace_id)

    return [
        Route(deps.topics.campaigns, CampaignEvent, on_campaign,
              "Campaigns and their workspaces (an import is taken only for a campaign of its workspace)"),
        Route(deps.topics.messages, MessageEvent, by_type({ContactOptedOut: record_opt_out}, deps=deps),
              "Opt-outs from every channel onto the do-not-call list"),
    ]  # fmt: skip


def register(broker: KafkaBroker, deps: DncDeps, campaigns: CampaignDirectory, dlq: DeadLetters) -> None:
    """Subscribe to message events (ContactOptedOut only is acted on) and campaign events."""
    subscribe_routes(broker, group_id=deps.topics.prefix + GROUP, dead_letters=dlq, routes=routes(deps, campaigns))
