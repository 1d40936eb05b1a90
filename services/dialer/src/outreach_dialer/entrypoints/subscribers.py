"""Every subscriber of the dialer, registered in one place: one handler per message type it acts on."""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from outreach_common.consumer import DeadLetters
from outreach_common.routes import Route, by_type, on_lifecycle, subscribe_routes
from outreach_contracts.calls import PlaceCall
from outreach_contracts.messages import ContactOptedOut
from outreach_contracts.registry import CallCommand, CampaignEvent, MessageEvent

from outreach_dialer.handlers.campaigns import campaign_paused, campaign_resumed, campaign_stopped
from outreach_dialer.handlers.deps import Deps
from outreach_dialer.handlers.opt_outs import on_opt_out
from outreach_dialer.handlers.queue import enqueue_call

GROUP = "dialer"


def routes(deps: Deps) -> list[Route]:
    """The topics the dialer reads and its handler of each message type."""
    topics = deps.topics
    lifecycle = on_lifecycle(campaign_paused, campaign_resumed, campaign_stopped)
    return [
        Route(topics.call_commands, CallCommand, by_type({PlaceCall: enqueue_call}, deps=deps),
              "Queue PlaceCall commands"),
        Route(topics.campaigns, CampaignEvent, by_type(lifecycle, deps=deps), "Hold or cancel queued calls"),
        Route(topics.messages, MessageEvent, by_type({ContactOptedOut: on_opt_out}, deps=deps),
              "Opt-outs from every channel: remembered, and the number's queued calls canceled"),
    ]  # fmt: skip


def register(broker: KafkaBroker, deps: Deps, dlq: DeadLetters) -> None:
    """Subscribe to call commands, campaign events and opt-outs (a prefixed deployment is its own group)."""
    subscribe_routes(broker, group_id=deps.topics.prefix + GROUP, dead_letters=dlq, routes=routes(deps))
