"""One run over an import's file: chunks read in a worker thread while earlier ones are stored and
published, progress after each chunk, a cancel honoured between chunks."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from pathlib import Path
from typing import Any

from outreach_ingest.adapters.seen import SeenNumbers
from outreach_ingest.domain.csvfile import Dialect
from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.domain.taken import TakenNumbers
from outreach_ingest.handlers.import_chunks import chunks_of
from outreach_ingest.handlers.import_deps import Deps, LockLostError
from outreach_ingest.handlers.import_flush import Campaign, flush

logger = logging.getLogger(__name__)


async def run_file(
    job: dict[str, Any], path: Path, dialect: Dialect, mapping: Mapping, deps: Deps, *, lost: asyncio.Event
) -> None:
    """Process the whole file in chunks; progress is written after each chunk; a rerun adds no duplicates.

    Repeated numbers within the file are found by the pipeline's map of numbers seen (in memory up to
    `Deps.seen_in_memory` numbers, then on disk: memory stays flat); numbers the campaign already has from
    other imports are read from its ledger when the job starts (8 bytes a number), so no query runs per
    row."""
    deps.instruments.running.set(len(deps.running))
    starting = {"status": "running", "waiting_for": None, "updated_at": deps.clock.now()}
    if job["_id"] in deps.stopping or not await deps.imports.move(job["_id"], ("queued", "running"), starting):
        await cancel(job, deps)  # asked to stop while it waited
        return
    deps.started.setdefault(job["_id"], asyncio.Event()).set()
    seen: SeenNumbers | None = None
    try:
        dnc = await deps.dnc.all_of(job["workspace_id"])  # read once: the list does not grow with the file
        done = int(job.get("rows_done") or 0)  # a resumed job re-reads the rows it stored, without storing them
        campaign = await _campaign(job, done, deps)
        seen = SeenNumbers(limit=deps.seen_in_memory, folder=path.parent)
        chunks = chunks_of(path, dialect, mapping, job, after=done, size=deps.batch, seen=seen)
        # Reading and normalising the next chunk (a worker thread) overlaps storing and publishing; two chunks
        # are stored and published at once (one waits on the database while the other encodes its events),
        # and each moves the job's progress on only after the chunk before it has.
        flushing: deque[asyncio.Task[None]] = deque()
        try:
            while True:
                chunk = await asyncio.to_thread(next, chunks, None)
                while flushing and (chunk is None or len(flushing) >= deps.in_flight):
                    await flushing.popleft()
                    if lost.is_set():
                        raise LockLostError(job["_id"])
                    if await _asked_to_stop(job["_id"], deps):
                        await _settle(flushing)
                        await cancel(job, deps)
                        return
                if chunk is None:
                    break
                before = flushing[-1] if flushing else None
                flushing.append(asyncio.create_task(flush(job, chunk, deps, dnc, campaign, after=before)))
        finally:
            await _settle(flushing)
        await deps.imports.move(
            job["_id"], ("running", "canceling"), {"status": "completed", "finished_at": deps.clock.now()}
        )
    except LockLostError:
        raise
    except Exception as exc:
        if await _asked_to_stop(job["_id"], deps):  # (a cancel may have removed the file under it)
            await cancel(job, deps)
            return
        logger.exception("import %s failed", job["_id"])
        failed = {"status": "failed", "error": str(exc), "finished_at": deps.clock.now()}
        await deps.imports.move(job["_id"], ("queued", "running", "canceling"), failed)
    finally:
        if seen is not None:
            seen.close()


async def _asked_to_stop(job_id: str, deps: Deps) -> bool:
    """Whether the job was asked to cancel (here, or through another replica's API)."""
    if job_id in deps.stopping:
        return True
    return (await deps.imports.get(job_id) or {}).get("status") in ("canceling", "canceled")


async def cancel(job: dict[str, Any], deps: Deps) -> None:
    """Mark a job that stopped on request canceled (a job already finished otherwise stays as it is)."""
    ended = {"status": "canceled", "finished_at": deps.clock.now()}
    await deps.imports.move(job["_id"], ("queued", "running", "canceling", "canceled"), ended)


async def _campaign(job: dict[str, Any], done: int, deps: Deps) -> Campaign:
    """The campaign's numbers from its ledger; for a resumed job, the rows past `done` a crashed run stored
    (an entry whose page the crash kept from being written is dropped: its rows are done again)."""
    parts, stored = [], set[int]()
    async for entry in deps.contacts.ledger_of(job["workspace_id"], job["campaign_id"]):
        if entry.import_id != job["_id"]:
            parts.append(entry.numbers)
        elif done and len(entry.rows) and int(entry.rows.max()) > done:
            if await deps.contacts.has_page(entry.page):
                stored.update(int(row) for row in entry.rows if row > done)
            else:
                await deps.contacts.drop_entry(entry.page)
    return Campaign(taken=TakenNumbers(parts), stored=stored)


async def _settle(tasks: deque[asyncio.Task[None]]) -> None:
    """Let the chunks still being stored finish (their errors were or will be reported by the run)."""
    await asyncio.gather(*tasks, return_exceptions=True)
    tasks.clear()
