"""Every subscriber of ingest: opt-outs from any channel land on the do-not-call list (and on the CRM records
with the number); campaign events tell which workspace each campaign belongs to; call events are written
back to the CRM records of the contacts that came from a CRM."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker
from outreach_common.consumer import DeadLetters
from outreach_common.routes import Route, by_type, subscribe_routes
from outreach_contracts.calls import CallAnalyzed, CallCompleted
from outreach_contracts.messages import ContactOptedOut
from outreach_contracts.registry import CallEvent, CampaignEvent, MessageEvent

from outreach_ingest.adapters.campaigns import CampaignDirectory
from outreach_ingest.handlers import crm_writeback
from outreach_ingest.handlers.crm_deps import CrmDeps
from outreach_ingest.handlers.dnc import DncDeps, record_opt_out

GROUP = "ingest"


def routes(deps: DncDeps, campaigns: CampaignDirectory, crm: CrmDeps) -> list[Route]:
    """The topics ingest reads and what it does with them."""

    async def on_campaign(event: Any) -> None:  # every campaign event names the campaign's workspace
        await campaigns.record(event.campaign_id, event.workspace_id)

    async def on_opt_out(event: ContactOptedOut) -> None:
        await record_opt_out(event, deps)
        await crm_writeback.opted_out(event, crm)

    on_call = {CallCompleted: crm_writeback.call_completed, CallAnalyzed: crm_writeback.call_analyzed}

    return [
        Route(deps.topics.campaigns, CampaignEvent, on_campaign,
              "Campaigns and their workspaces (an import is taken only for a campaign of its workspace)"),
        Route(deps.topics.messages, MessageEvent, by_type({ContactOptedOut: on_opt_out}),
              "Opt-outs from every channel onto the do-not-call list and the CRM records with the number"),
        Route(deps.topics.calls, CallEvent, by_type(on_call, deps=crm),  # type: ignore[arg-type]
              "Calls written back to the CRM records of contacts synced from a CRM"),
    ]  # fmt: skip


def register(broker: KafkaBroker, deps: DncDeps, campaigns: CampaignDirectory, crm: CrmDeps, dlq: DeadLetters) -> None:
    """Subscribe to message events (ContactOptedOut only is acted on), campaign events and call events."""
    group = deps.topics.prefix + GROUP
    subscribe_routes(broker, group_id=group, dead_letters=dlq, routes=routes(deps, campaigns, crm))
