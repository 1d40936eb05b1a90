"""What the messenger learns from other services: which workspace owns each number (a reply sent to it is
theirs, and a send picks its sender among them), and who opted out anywhere."""

from __future__ import annotations

from outreach_contracts.messages import ContactOptedOut
from outreach_contracts.numbers import NumberRegistered, NumberRemoved

from outreach_messenger.handlers.deps import Deps


async def number_registered(event: NumberRegistered, deps: Deps) -> None:
    """Remember the workspace's number with its tags, capabilities, status and caps."""
    details = event.model_dump(include={"tags", "capabilities", "status", "per_hour", "per_day"})
    await deps.messages.own_number(event.workspace_id, event.number, owned=True, details=details)


async def number_removed(event: NumberRemoved, deps: Deps) -> None:
    """Forget the workspace's number."""
    await deps.messages.own_number(event.workspace_id, event.number, owned=False)


async def opted_out(event: ContactOptedOut, deps: Deps) -> None:
    """Suppress the number and the address that opted out (from any channel or the do-not-call list)."""
    if event.phone:
        await deps.messages.suppress(event.workspace_id, phone=event.phone, email=None)
    if event.email:
        await deps.messages.suppress(event.workspace_id, phone=None, email=event.email)
