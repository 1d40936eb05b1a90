"""Opt-outs from every channel: remembered, and the contact's queued calls canceled."""

from __future__ import annotations

import time

from outreach_contracts.messages import ContactOptedOut

from outreach_dialer.handlers.deps import Deps


async def on_opt_out(event: ContactOptedOut, deps: Deps) -> None:
    """Record the opt-out and cancel the number's calls queued here, by key. A call another instance
    queued, or one being placed, is stopped by the opt-out check right before it is placed (asking every
    call shard for the number's queued calls cost 128 scans an opt-out); it is in memory at once, for the
    calls this instance is about to place."""
    if not event.phone:
        return
    deps.run.opted_out.add(event.workspace_id, event.phone, time.monotonic())  # before any await: calls see it
    await deps.opt_outs.record(event.workspace_id, event.phone, channel=event.channel, at=event.occurred_at)
    dropped = deps.run.queue.drop_where(
        lambda d: d.get("workspace_id") == event.workspace_id and d.get("phone") == event.phone
    )
    await deps.calls.cancel_keys([d["_id"] for d in dropped], reason="opted_out")
