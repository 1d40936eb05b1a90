"""Which number an SMS goes from: chosen the way the dialer chooses a caller id (the campaign's numbers or
tags, local presence first, least recently used, never over a number's caps)."""

from __future__ import annotations

from typing import Any

from outreach_contracts.messages import SendSms
from outreach_windows.places import place_of
from outreach_windows.presence import Candidate, choose

from outreach_messenger.handlers.deps import Deps


class NoSender(Exception):  # noqa: N818 - the domain's name for "every number is capped"
    """Every allowed number is over its caps right now."""


def _candidate(doc: dict[str, Any]) -> Candidate:
    """A sender document (read tz-aware) as a selection candidate."""
    return Candidate(
        number=doc["number"],
        place=place_of(doc["number"]),
        tags=frozenset(doc.get("tags") or ()),
        per_hour=doc.get("per_hour"),
        per_day=doc.get("per_day"),
        last_used_at=doc.get("last_used_at"),
        uses=tuple(doc.get("uses") or ()),
    )


async def pick_sender(command: SendSms, deps: Deps) -> str:
    """The sender for `command`, recorded as used. Numbers given but not registered are used as given; with
    neither numbers nor tags (or none registered) the configured default sender."""
    if not command.from_numbers and not command.from_tags:
        return deps.default_sms_from
    async with deps.choosing:  # sends run side by side: the choice and its use are one step, so caps hold
        return await _choose(command, deps)


async def _choose(command: SendSms, deps: Deps) -> str:
    docs = await deps.messages.senders(command.workspace_id, numbers=command.from_numbers, tags=command.from_tags)
    if not docs:
        return command.from_numbers[0] if command.from_numbers else deps.default_sms_from
    now = deps.clock.now()
    chosen = choose(
        [_candidate(d) for d in docs],
        contact=place_of(command.contact.phone),
        contact_state=command.contact.state,
        now=now,
        local_presence=command.local_presence,
    )
    if chosen is None:
        raise NoSender("every allowed sender is over its caps")
    await deps.messages.used(command.workspace_id, chosen.number, now)
    return chosen.number
