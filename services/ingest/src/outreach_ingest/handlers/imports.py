"""Run an import job: read, normalise, deduplicate, store, publish ContactImported in batches."""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from outreach_common.clock import Clock
from outreach_common.journey import new_journey, stamped
from outreach_common.kafka import EventBus
from outreach_contracts.contacts import ContactData, ContactImported
from outreach_contracts.topics import Topics

from outreach_ingest.adapters.dnc import SuppressionRepository
from outreach_ingest.adapters.repository import ContactRepository, ImportRepository
from outreach_ingest.domain.csvfile import Dialect, records
from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.domain.pipeline import verdicts
from outreach_ingest.domain.rows import Verdict, contact_id
from outreach_ingest.instruments import Instruments

logger = logging.getLogger(__name__)


@dataclass
class Deps:
    """What import handlers need."""

    contacts: ContactRepository
    imports: ImportRepository
    dnc: SuppressionRepository
    bus: EventBus
    clock: Clock
    topics: Topics
    batch: int = 500
    running: set[str] = field(default_factory=set)
    instruments: Instruments = field(default_factory=Instruments)


async def run_import(job: dict[str, Any], path: Path, dialect: Dialect, mapping: Mapping, deps: Deps) -> None:
    """Process the whole file in batches; progress is written after each batch; a rerun adds no duplicates.

    Repeated numbers within the file are found by the pipeline's map of numbers seen (about 130 bytes a
    row); numbers the campaign already has from other imports are refused by the database (the contact id
    is derived from workspace, campaign and number), so no query runs per row."""
    deps.running.add(job["_id"])
    deps.instruments.running.set(len(deps.running))
    await deps.imports.update(job["_id"], {"status": "running", "updated_at": deps.clock.now()})
    try:
        dnc = await deps.dnc.all_of(job["workspace_id"])  # read once: the list does not grow with the file
        rows = records(path, dialect)
        seen: dict[str, int] = {}
        options = {"default_region": job["default_region"], "skip_duplicates": job["skip_duplicates"]}
        done = int(job.get("rows_done") or 0)
        if done:  # a resumed job re-reads the rows it stored (to know their numbers), without storing them
            for _ in verdicts(itertools.islice(rows, done), mapping, seen=seen, **options):
                pass
        resumed = bool(done)

        def next_batch() -> tuple[list[Any], list[Verdict]]:
            batch = list(itertools.islice(rows, deps.batch))
            return batch, list(verdicts(batch, mapping, seen=seen, **options))

        # Reading and normalising the next batch (a worker thread) overlaps storing and publishing this one;
        # batches are still stored, published and counted in file order.
        flushing: asyncio.Task[None] | None = None
        while True:
            batch, verdicts_ = await asyncio.to_thread(next_batch)
            if flushing is not None:
                await flushing
                if (await deps.imports.get(job["_id"]) or {}).get("status") == "canceling":
                    await deps.imports.update(job["_id"], {"status": "canceled", "finished_at": deps.clock.now()})
                    return
            if not batch:
                break
            raw = [record for _, record in batch]
            flushing = asyncio.create_task(_flush(job, verdicts_, raw, deps, dnc, resumed=resumed))
            resumed = False
        await deps.imports.update(job["_id"], {"status": "completed", "finished_at": deps.clock.now()})
    except Exception as exc:
        logger.exception("import %s failed", job["_id"])
        await deps.imports.update(job["_id"], {"status": "failed", "error": str(exc)})
    finally:
        deps.running.discard(job["_id"])
        deps.instruments.running.set(len(deps.running))


async def resume_unfinished(deps: Deps, *, idle: timedelta = timedelta(seconds=60)) -> int:
    """Jobs a crash left queued or running (no progress for `idle`) go on from their last stored batch."""
    resumed = 0
    for job in await deps.imports.unfinished():
        last = job.get("updated_at") or job["created_at"]
        if job["_id"] in deps.running or last.replace(tzinfo=UTC) > deps.clock.now() - idle:
            continue
        dialect = Dialect(
            encoding=job["encoding"], delimiter=job["delimiter"], has_headers=job.get("has_headers", True)
        )
        mapping = Mapping.from_pairs(job.get("mapping") or {"to_number": "phone"})
        logger.warning("resuming import %s after row %s", job["_id"], job.get("rows_done", 0))
        asyncio.get_running_loop().create_task(run_import(job, Path(job["path"]), dialect, mapping, deps))
        resumed += 1
    return resumed


def _rejection(job_id: str, verdict: Verdict, record: dict[str, str]) -> dict[str, Any]:
    return {
        "_id": f"{job_id}:{verdict.row}",
        "import_id": job_id,
        "row": verdict.row,
        "status": verdict.status,
        "reason": verdict.reason,
        "duplicate_of": verdict.duplicate_of,
        "values": list(record.values()),
    }


async def _flush(
    job: dict[str, Any],
    batch: list[Verdict],
    raw: list[dict[str, str]],
    deps: Deps,
    dnc: dict[str, str],
    *,
    resumed: bool = False,
) -> None:
    """Store a batch (an insert; repeats of the campaign's numbers are refused by the unique id), record
    the rejected rows, publish the new contacts, then move the job's progress on."""
    now = deps.clock.now()
    ws, campaign, job_id = job["workspace_id"], job["campaign_id"], job["_id"]
    docs, rejected = [], []
    for v, record in zip(batch, raw, strict=True):
        if v.contact is None:
            rejected.append(_rejection(job_id, v, record))
            continue
        source = dnc.get(v.contact.phone)
        if source is not None:
            reason = "opted out earlier" if source.startswith("opt_out") else "on the workspace's do-not-call list"
            rejected.append(_rejection(job_id, Verdict(row=v.row, status="suppressed", reason=reason), record))
            continue
        docs.append(
            {
                "_id": contact_id(ws, campaign, v.contact.phone),
                "workspace_id": ws,
                "campaign_id": campaign,
                "import_id": job_id,
                "row": v.row,
                "created_at": now,
                **v.contact.model_dump(),
            }
        )
    existing = await deps.contacts.insert_new(docs, look_up=resumed)
    fresh, merged = [], 0
    raw_by_row = {v.row: record for v, record in zip(batch, raw, strict=True)}
    for doc in docs:
        prior = existing.get(doc["_id"])
        if doc["_id"] not in existing or (
            prior and prior.get("import_id") == job_id and prior.get("row") == doc["row"]
        ):
            fresh.append(doc)  # new, or stored by the crashed run of this batch (it may not have been published)
        elif job["skip_duplicates"]:
            verdict = Verdict(row=doc["row"], status="duplicate", reason="contact already in campaign")
            rejected.append(_rejection(job_id, verdict, raw_by_row[doc["row"]]))
        else:  # duplicates kept: the campaign still holds one contact per number, the first row's
            merged += 1
    await deps.imports.add_rejections(rejected)
    await publish_contacts(fresh, deps)
    statuses = [r["status"] for r in rejected]
    for kind in ("duplicate", "invalid", "suppressed"):
        deps.instruments.rows.labels(kind).inc(statuses.count(kind))
    deps.instruments.rows.labels("imported").inc(len(fresh))
    await deps.imports.update(
        job_id,
        {"updated_at": now},
        inc={
            "rows": len(batch),
            "rows_done": len(batch),  # after publishing: a crash before this line redoes the batch
            "imported": len(fresh),
            "rejected": len(rejected),
            "duplicates": statuses.count("duplicate"),
            "invalid": statuses.count("invalid"),
            "suppressed": statuses.count("suppressed"),
            "opted_out": sum(1 for r in rejected if r["reason"] == "opted out earlier"),
            "merged": merged,
        },
    )


async def publish_contacts(docs: list[dict[str, Any]], deps: Deps) -> None:
    """Publish ContactImported for stored contacts (a redone batch publishes again: consumers deduplicate)."""
    fields = set(ContactData.model_fields)
    events = []
    for d in docs:  # each contact's journey is its own trace, rooted here
        with new_journey("contact imported", import_id=d["import_id"], row=d["row"]):
            event = ContactImported(
                occurred_at=deps.clock.now(),
                workspace_id=d["workspace_id"],
                campaign_id=d["campaign_id"],
                contact_id=d["_id"],
                import_id=d["import_id"],
                row=d["row"],
                contact=ContactData(**{k: d[k] for k in fields if k in d}),
            )
            events.append(stamped(event))
    await deps.bus.publish_many([(e, deps.topics.contacts, e.contact_id) for e in events])
