"""Sends a stopped messenger left unfinished, taken up once their lease has run out.

A command recorded but never sent (`received`) is processed again: nothing went out, so the window, the
opt-outs and the campaign's hold are checked again and it is sent or refused as usual. A command stopped in
the middle of its send (`sending`) may or may not have reached the provider; sending it again could reach
the person twice, so it fails with that reason and the flow goes on from the failure."""

from __future__ import annotations

from datetime import UTC, datetime

from outreach_messenger.handlers.deps import Deps
from outreach_messenger.handlers.send import COMMAND, finish, lease, process

UNKNOWN = "the messenger stopped during the send; not sent again, since the provider may have it"


async def take_up_stuck(deps: Deps, *, limit: int = 100) -> int:
    """Process or fail up to `limit` sends whose lease ran out; returns how many were taken up."""
    taken = 0
    for status in ("received", "sending"):
        while taken < limit:
            doc = await deps.messages.take_expired(status, datetime.now(UTC), lease(deps.lease_s))
            if doc is None:
                break
            taken += 1
            command = COMMAND.validate_python(doc["command"])
            if status == "received":
                await process(command, deps)
            else:
                await finish(command, deps, reason=UNKNOWN, provider_id="", extra={}, opted_out=False)
    return taken
