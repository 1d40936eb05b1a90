"""When CRM syncs run by themselves: the ones a crash left are taken up again, and feeds synced on a
schedule start their incremental sync when its time has come."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from outreach_ingest.handlers.crm_deps import CrmDeps
from outreach_ingest.handlers.crm_sync import run_sync, start_sync


async def resume_syncs(deps: CrmDeps, *, idle: timedelta = timedelta(seconds=60)) -> int:
    """Syncs a crash left fetching or importing (no progress for `idle`) go on from their last page."""
    resumed = 0
    for sync in await deps.store.unfinished_syncs():
        last = sync.get("updated_at") or sync["started_at"]
        if (
            sync["_id"] in deps.running
            or last.replace(tzinfo=deps.imports.clock.now().tzinfo) > deps.imports.clock.now() - idle
        ):
            continue
        deps.running.add(sync["_id"])
        asyncio.get_running_loop().create_task(run_sync(sync, deps))
        resumed += 1
    return resumed


async def sync_scheduled(deps: CrmDeps) -> int:
    """Feeds synced on a schedule whose time has come start an incremental sync."""
    started = 0
    now = deps.imports.clock.now()
    for feed in await deps.store.scheduled_feeds():
        last = feed.get("last_started_at")
        if last is not None and last.replace(tzinfo=now.tzinfo) > now - timedelta(minutes=feed["every_minutes"]):
            continue
        if await start_sync(feed, deps, full=False) is not None:
            await deps.store.update_feed(feed["_id"], {"last_started_at": now})
            started += 1
    return started
