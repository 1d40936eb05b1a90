"""Run an import job: wait for the campaign's import lock, keep it while the file is read, start the next
job of the campaign when it ends; resume the jobs a crash left."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from outreach_ingest.domain.csvfile import Dialect
from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.handlers.import_deps import Deps, LockLostError
from outreach_ingest.handlers.import_run import cancel, run_file

logger = logging.getLogger(__name__)


async def run_import(job: dict[str, Any], path: Path, dialect: Dialect, mapping: Mapping, deps: Deps) -> None:
    """Import the file once the campaign's import lock is ours (imports of a campaign run one at a time, in
    the order they get it; a job that waits stays queued and starts when the one before it ends)."""
    deps.running.add(job["_id"])
    deps.started.setdefault(job["_id"], asyncio.Event())
    key, holder = f"{job['workspace_id']}|{job['campaign_id']}", f"{job['_id']}:{uuid.uuid4().hex[:8]}"
    try:
        other = await deps.locks.acquire(key, holder, deps.clock.now(), deps.lease)
        if other is not None:
            waiting = {"waiting_for": other.split(":")[0], "updated_at": deps.clock.now()}
            await deps.imports.move(job["_id"], ("queued",), waiting)
            if job["_id"] in deps.stopping:  # asked to cancel while it asked for the lock
                await cancel(job, deps)
                await asyncio.to_thread(path.unlink, missing_ok=True)
            return
        lost = asyncio.Event()
        keeper = asyncio.create_task(keep_lock(key, holder, deps, lost))
        try:
            await run_file(job, path, dialect, mapping, deps, lost=lost)
            if (await deps.imports.get(job["_id"]) or {}).get("status") in ("completed", "canceled", "failed"):
                await asyncio.to_thread(path.unlink, missing_ok=True)  # needed only until the import ends
        except LockLostError:
            logger.warning("import %s lost its campaign's lock: the run that took it goes on", job["_id"])
            return
        finally:
            keeper.cancel()
            await deps.locks.release(key, holder)
    finally:
        deps.running.discard(job["_id"])
        deps.started.pop(job["_id"], asyncio.Event()).set()
        deps.stopping.discard(job["_id"])
        deps.instruments.running.set(len(deps.running))
    await _start_next(job, deps)


async def keep_lock(key: str, holder: str, deps: Deps, lost: asyncio.Event) -> None:
    """Renew `holder`'s lease every third of it (re-reading a long file after a crash takes a while); set
    `lost` and stop when another run has the lock."""
    while True:
        await asyncio.sleep(deps.lease.total_seconds() / 3)
        try:
            kept = await deps.locks.renew(key, holder, deps.clock.now(), deps.lease)
        except Exception:  # the database away for a moment: try again at the next beat
            logger.warning("could not renew the import lock %s", key, exc_info=True)
            continue
        if not kept:
            lost.set()
            return


async def stop_local(job_id: str, deps: Deps, *, within: float = 5.0) -> None:
    """Ask this process's run of a job to cancel; return once it has either canceled the job (it had not
    started reading) or started reading (it stops after the chunks it is storing)."""
    deps.stopping.add(job_id)
    if (started := deps.started.get(job_id)) is not None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(started.wait(), within)


async def resume_unfinished(deps: Deps, *, idle: timedelta = timedelta(seconds=60)) -> int:
    """Jobs a crash left queued or running (no progress for `idle`) go on from their last stored chunk;
    one it left canceling is canceled."""
    resumed = 0
    for job in await deps.imports.unfinished():
        last = job.get("updated_at") or job["created_at"]
        if job["_id"] in deps.running or last.replace(tzinfo=UTC) > deps.clock.now() - idle:
            continue
        resumed += await _start(job, deps)
    return resumed


async def _start(job: dict[str, Any], deps: Deps) -> bool:
    """Run a stored job in the background (cancel it if it was asked to stop); whether it was started."""
    if job["status"] == "canceling":
        await cancel(job, deps)
        await asyncio.to_thread(Path(job["path"]).unlink, missing_ok=True)
        return False
    dialect = Dialect(encoding=job["encoding"], delimiter=job["delimiter"], has_headers=job.get("has_headers", True))
    mapping = Mapping.from_pairs(job.get("mapping") or {"to_number": "phone"})
    if job.get("rows_done"):
        logger.warning("resuming import %s after row %s", job["_id"], job["rows_done"])
    deps.running.add(job["_id"])  # before the task starts, so the next sweep does not start it again
    asyncio.get_running_loop().create_task(run_import(job, Path(job["path"]), dialect, mapping, deps))
    return True


async def _start_next(finished: dict[str, Any], deps: Deps) -> None:
    """Start the oldest import of the same campaign still waiting (here, rather than at the next sweep)."""
    jobs = await deps.imports.for_campaign(finished["workspace_id"], finished["campaign_id"], full=True)
    waiting = [job for job in jobs if job["status"] in ("queued", "canceling") and job["_id"] not in deps.running]
    for job in sorted(waiting, key=lambda job: job["created_at"]):
        if await _start(job, deps):
            return
