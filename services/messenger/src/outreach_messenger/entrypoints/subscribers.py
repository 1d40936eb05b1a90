"""Every subscriber of the messenger, registered in one place: one handler per message type it acts on."""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from outreach_common.consumer import DeadLetters
from outreach_common.routes import Handlers, Route, by_type, on_lifecycle, subscribe_routes
from outreach_contracts.messages import ContactOptedOut, SendEmail, SendSms
from outreach_contracts.numbers import NumberRegistered, NumberRemoved
from outreach_contracts.registry import CampaignEvent, MessageCommand, MessageEvent, NumberEvent

from outreach_messenger.handlers.campaigns import campaign_paused, campaign_resumed, campaign_stopped
from outreach_messenger.handlers.deps import Deps
from outreach_messenger.handlers.registry import number_registered, number_removed, opted_out
from outreach_messenger.handlers.send import send_message

GROUP = "messenger"


def routes(deps: Deps) -> list[Route]:
    """The topics the messenger reads and its handler of each message type."""
    topics = deps.topics
    lifecycle = on_lifecycle(campaign_paused, campaign_resumed, campaign_stopped)
    numbers: Handlers = {NumberRegistered: number_registered, NumberRemoved: number_removed}
    return [
        Route(topics.message_commands, MessageCommand, by_type({SendSms: send_message, SendEmail: send_message},
              deps=deps), "Send SMS and email steps"),
        Route(topics.campaigns, CampaignEvent, by_type(lifecycle, deps=deps), "Hold sends of paused campaigns"),
        Route(topics.messages, MessageEvent, by_type({ContactOptedOut: opted_out}, deps=deps),
              "Suppress numbers and addresses that opted out anywhere"),
        Route(topics.numbers, NumberEvent, by_type(numbers, deps=deps),
              "Which workspaces own each number (a reply sent to it is theirs)"),
    ]  # fmt: skip


def register(broker: KafkaBroker, deps: Deps, dlq: DeadLetters) -> None:
    """Subscribe to commands, campaign events, opt-outs and number ownership (a prefixed deployment is its
    own consumer group)."""
    subscribe_routes(broker, group_id=deps.topics.prefix + GROUP, dead_letters=dlq, routes=routes(deps))
