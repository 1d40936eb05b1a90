"""Run an import job: read, normalise, deduplicate, store, publish ContactImported in batches."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from bisect import bisect_left
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from outreach_common.clock import Clock
from outreach_common.journey import journey_roots
from outreach_common.kafka import EventBus
from outreach_contracts.topics import Topics

from outreach_ingest.adapters.dnc import SuppressionRepository
from outreach_ingest.adapters.events import contacts_imported
from outreach_ingest.adapters.locks import CampaignLocks
from outreach_ingest.adapters.repository import ContactRepository, ImportRepository
from outreach_ingest.domain.batches import RecordBatch, record_batches
from outreach_ingest.domain.csvfile import Dialect
from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.domain.normalise import repeated_rows
from outreach_ingest.domain.pipeline import verdict_batches
from outreach_ingest.domain.rows import Verdict, contact_id
from outreach_ingest.domain.seen import SeenNumbers
from outreach_ingest.domain.taken import TakenNumbers, number_key
from outreach_ingest.instruments import Instruments

logger = logging.getLogger(__name__)


@dataclass
class Deps:
    """What import handlers need."""

    contacts: ContactRepository
    imports: ImportRepository
    dnc: SuppressionRepository
    locks: CampaignLocks
    bus: EventBus
    clock: Clock
    topics: Topics
    batch: int = 5000
    seen_in_memory: int = 250_000
    in_flight: int = 2
    lease: timedelta = timedelta(seconds=60)
    running: set[str] = field(default_factory=set)
    stopping: set[str] = field(default_factory=set)  # asked to cancel while this process runs them
    started: dict[str, asyncio.Event] = field(default_factory=dict)  # set once reading began or the run ended
    instruments: Instruments = field(default_factory=Instruments)


class LockLostError(RuntimeError):
    """Another run took the campaign's import lock (this one stalled past its lease)."""


@dataclass
class Campaign:
    """What an import knows of its campaign when it starts: the numbers its other imports stored, and the
    rows past the job's progress that a crashed run of this import stored (published again, not stored)."""

    taken: TakenNumbers
    stored: set[int]


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
                await _cancel(job, deps)
                await asyncio.to_thread(path.unlink, missing_ok=True)
            return
        lost = asyncio.Event()
        keeper = asyncio.create_task(keep_lock(key, holder, deps, lost))
        try:
            await _run(job, path, dialect, mapping, deps, lost=lost)
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


async def _run(
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
        await _cancel(job, deps)  # asked to stop while it waited
        return
    deps.started.setdefault(job["_id"], asyncio.Event()).set()
    seen: SeenNumbers | None = None
    try:
        dnc = await deps.dnc.all_of(job["workspace_id"])  # read once: the list does not grow with the file
        done = int(job.get("rows_done") or 0)  # a resumed job re-reads the rows it stored, without storing them
        campaign = await _campaign(job, done, deps)
        seen = SeenNumbers(limit=deps.seen_in_memory, folder=path.parent)
        chunks = _chunks(path, dialect, mapping, job, after=done, size=deps.batch, seen=seen)
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
                        await _cancel(job, deps)
                        return
                if chunk is None:
                    break
                before = flushing[-1] if flushing else None
                flushing.append(asyncio.create_task(_flush(job, chunk, deps, dnc, campaign, after=before)))
        finally:
            await _settle(flushing)
        await deps.imports.update(job["_id"], {"status": "completed", "finished_at": deps.clock.now()})
    except LockLostError:
        raise
    except Exception as exc:
        if await _asked_to_stop(job["_id"], deps):  # (a cancel may have removed the file under it)
            await _cancel(job, deps)
            return
        logger.exception("import %s failed", job["_id"])
        await deps.imports.update(job["_id"], {"status": "failed", "error": str(exc), "finished_at": deps.clock.now()})
    finally:
        if seen is not None:
            seen.close()


async def stop_local(job_id: str, deps: Deps, *, within: float = 5.0) -> None:
    """Ask this process's run of a job to cancel; return once it has either canceled the job (it had not
    started reading) or started reading (it stops after the chunks it is storing)."""
    deps.stopping.add(job_id)
    if (started := deps.started.get(job_id)) is not None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(started.wait(), within)


async def _asked_to_stop(job_id: str, deps: Deps) -> bool:
    """Whether the job was asked to cancel (here, or through another replica's API)."""
    if job_id in deps.stopping:
        return True
    return (await deps.imports.get(job_id) or {}).get("status") in ("canceling", "canceled")


async def _cancel(job: dict[str, Any], deps: Deps) -> None:
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


@dataclass
class Chunk:
    """Consecutive rows of a file with their verdicts, as one store-and-publish step."""

    records: RecordBatch
    rows: int = 0
    contacts: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (row, ContactData fields)
    rejected: list[tuple[Verdict, list[str]]] = field(default_factory=list)  # with the record's values
    merged: int = 0  # repeats of an earlier row's number, duplicates kept: the campaign holds the first row's

    def values(self, rows: list[int]) -> list[list[str]]:
        """The values of the records at `rows` as the file has them (one read of the columns)."""
        first = int(self.records.rows[0].as_py())
        return [list(record.values()) for _, record in self.records.records(row - first for row in rows)]


def _chunks(
    path: Path, dialect: Dialect, mapping: Mapping, job: dict[str, Any], *, after: int, size: int, seen: SeenNumbers
) -> Iterator[Chunk]:
    """The file's rows after row `after` in chunks of at most `size` rows (the rows up to `after` only fill
    the map of numbers seen)."""
    options = {"default_region": job["default_region"], "skip_duplicates": job["skip_duplicates"]}
    for records, verdicts in verdict_batches(record_batches(path, dialect), mapping, seen=seen, **options):
        repeats = set() if job["skip_duplicates"] else repeated_rows(verdicts, seen)
        first = int(verdicts.rows[0].as_py())  # rows of a batch are consecutive
        low, high = max(first, after + 1), first + len(verdicts)
        if low >= high:
            continue
        contacts = [(row, contact) for _, row, contact in verdicts.contacts() if row >= low]
        merged = [row for row, _ in contacts if row in repeats]
        contacts = [(row, contact) for row, contact in contacts if row not in repeats] if merged else contacts
        rejected = [r for r in verdicts.rejected() if r[0] >= low]
        values = {row: list(record.values()) for row, record in records.records(r[0] - first for r in rejected)}
        contact_rows, rejected_rows = [row for row, _ in contacts], [r[0] for r in rejected]
        for start in range(low, high, size):
            stop = min(start + size, high)
            a, b = bisect_left(contact_rows, start), bisect_left(contact_rows, stop)
            c, d = bisect_left(rejected_rows, start), bisect_left(rejected_rows, stop)
            verdicts_ = [Verdict(row=row, status=status, reason=reason, duplicate_of=of)
                         for row, status, reason, of in rejected[c:d]]  # fmt: skip
            refused = [(verdict, values[verdict.row]) for verdict in verdicts_]
            repeated = bisect_left(merged, stop) - bisect_left(merged, start)
            yield Chunk(records=records, rows=stop - start, contacts=contacts[a:b], rejected=refused, merged=repeated)


async def _settle(tasks: deque[asyncio.Task[None]]) -> None:
    """Let the chunks still being stored finish (their errors were or will be reported by the run)."""
    await asyncio.gather(*tasks, return_exceptions=True)
    tasks.clear()


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
        await _cancel(job, deps)
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


def _rejection(verdict: Verdict, values: list[str]) -> dict[str, Any]:
    return {
        "row": verdict.row,
        "status": verdict.status,
        "reason": verdict.reason,
        "duplicate_of": verdict.duplicate_of,
        "values": values,
    }


async def _flush(
    job: dict[str, Any], chunk: Chunk, deps: Deps, dnc: dict[str, str], campaign: Campaign, *,
    after: asyncio.Task[None] | None = None,
) -> None:  # fmt: skip
    """Store a chunk's new contacts (ledger entries, then pages), record the rejected rows, publish the
    contacts, then, once the chunk `after` has, move the job's progress on."""
    now = deps.clock.now()
    ws, campaign_id, job_id = job["workspace_id"], job["campaign_id"], job["_id"]
    rejected = [_rejection(verdict, values) for verdict, values in chunk.rejected]
    refused: list[Verdict] = []  # rows turned away here: their values are read once, at the end
    stored_before, candidates = [], []  # (row, contact)
    for row, contact in chunk.contacts:
        if row in campaign.stored:  # by the crashed run of this chunk (maybe unpublished)
            stored_before.append((row, contact))
            continue
        source = dnc.get(contact["phone"]) if dnc else None
        if source is not None:
            reason = "opted out earlier" if source.startswith("opt_out") else "on the workspace's do-not-call list"
            refused.append(Verdict(row=row, status="suppressed", reason=reason))
            continue
        candidates.append((row, contact))
    taken = campaign.taken.contains([number_key(contact["phone"]) for _, contact in candidates])
    fresh, merged = [], chunk.merged
    for (row, contact), known in zip(candidates, taken, strict=True):
        if not known:
            fresh.append((contact_id(ws, campaign_id, contact["phone"]), row, contact))
        elif job["skip_duplicates"]:
            refused.append(Verdict(row=row, status="duplicate", reason="contact already in campaign"))
        else:  # duplicates kept: the campaign still holds one contact per number, the one it had
            merged += 1
    header = {"workspace_id": ws, "campaign_id": campaign_id, "import_id": job_id}
    await deps.contacts.add_pages({**header, "created_at": now}, [{"id": c, "row": r, **x} for c, r, x in fresh])
    if refused:
        values = chunk.values([v.row for v in refused])
        rejected += [_rejection(verdict, row) for verdict, row in zip(refused, values, strict=True)]
        rejected.sort(key=lambda r: int(r["row"]))
    await deps.imports.add_rejections(job_id, rejected)
    again = [(contact_id(ws, campaign_id, contact["phone"]), row, contact) for row, contact in stored_before]
    await publish_contacts(header, sorted(fresh + again, key=lambda c: c[1]) if again else fresh, deps)
    statuses = [r["status"] for r in rejected]
    for kind in ("duplicate", "invalid", "suppressed"):
        deps.instruments.rows.labels(kind).inc(statuses.count(kind))
    # a merged row is imported (the user kept duplicates): into the contact the campaign has for its number
    deps.instruments.rows.labels("imported").inc(len(fresh) + len(again) + merged)
    if after is not None:
        await after  # (its failure is this chunk's: progress never skips a chunk)
    await deps.imports.update(
        job_id,
        {"updated_at": now},
        inc={
            "rows": chunk.rows,
            "rows_done": chunk.rows,  # after publishing: a crash before this line redoes the chunk
            "imported": len(fresh) + len(again) + merged,
            "rejected": len(rejected),
            "duplicates": statuses.count("duplicate"),
            "invalid": statuses.count("invalid"),
            "suppressed": statuses.count("suppressed"),
            "opted_out": sum(1 for r in rejected if r["reason"] == "opted out earlier"),
            "merged": merged,
        },
    )


async def publish_contacts(header: dict[str, str], contacts: list[tuple[str, int, dict[str, Any]]], deps: Deps) -> None:
    """Publish ContactImported for stored (contact id, row, contact) of one import (`header`: workspace,
    campaign and import), each the root of its contact's journey (a redone chunk publishes again:
    consumers deduplicate)."""
    if not contacts:
        return
    roots: list[dict[str, str | int]] = [{"import_id": header["import_id"], "row": row} for _, row, _ in contacts]
    events = contacts_imported(header, contacts, deps.clock.now(), journey_roots("contact imported", roots))
    topic = deps.topics.contacts
    await deps.bus.publish_encoded([(e, topic, c[0]) for e, c in zip(events, contacts, strict=True)])
