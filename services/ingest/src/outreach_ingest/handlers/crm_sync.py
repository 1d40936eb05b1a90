"""A sync of a CRM feed into its campaign: the CRM's pages are written, as they come, to a CSV file with the
record id in its first column (the position after each page is stored with the CRM's cursor, so a run
that stopped resumes after its last page and nothing is written twice); records the CRM marks as not to
be contacted go onto the workspace's do-not-call list instead; then the file is imported as an upload is
(the same verdicts, storage and `ContactImported` events), and the sync's report is the import's plus
what the CRM suppressed."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import logging
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from outreach_common.mongo import Document

from outreach_ingest.adapters.crm.http import CrmConnectionError
from outreach_ingest.domain.crm import ID_COLUMN, CrmRecord, Page
from outreach_ingest.domain.csvfile import Dialect
from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.domain.phones import InvalidPhone, normalise_phone
from outreach_ingest.domain.rows import contact_id
from outreach_ingest.handlers.crm_deps import CrmDeps
from outreach_ingest.handlers.dnc import add_numbers
from outreach_ingest.handlers.import_jobs import new_job
from outreach_ingest.handlers.imports import run_import

logger = logging.getLogger(__name__)
FINISHED = ("completed", "failed", "canceled")


async def start_sync(feed: Document, deps: CrmDeps, *, full: bool) -> Document | None:
    """Start a sync of the feed in the background: incremental from the last completed one unless `full`
    (or there was none); None when the feed has a sync running."""
    since = None if full else feed.get("synced_from")
    now = datetime.now(UTC)  # the CRM's clock, not the campaigns' (which may be virtual): "changed since" reads it
    sync = {
        "_id": f"sync_{uuid.uuid4().hex[:12]}",
        "feed_id": feed["_id"],
        "workspace_id": feed["workspace_id"],
        "connection_id": feed["connection_id"],
        "campaign_id": feed["campaign_id"],
        "mode": "incremental" if since else "full",
        "since": since,
        "status": "fetching",
        "cursor": None,
        "bytes": 0,
        "fetched": 0,
        "crm_suppressed": 0,
        "suppressed_records": [],
        "requests": 0,
        "started_at": now,
        "updated_at": deps.imports.clock.now(),  # progress is timed on the service's clock (see resume_syncs)
    }
    if not await deps.store.add_sync(sync):
        return None
    deps.running.add(sync["_id"])
    asyncio.get_running_loop().create_task(run_sync(sync, deps))
    return sync


async def run_sync(sync: Document, deps: CrmDeps) -> None:
    """Fetch what is left to fetch, import it, report; a refused connection is marked broken with why."""
    deps.running.add(sync["_id"])
    try:
        feed = await deps.store.feed(sync["feed_id"])
        connection = await deps.store.connection(sync["connection_id"])
        if feed is None or connection is None:
            await _fail(sync, "the feed or its connection was removed", deps)
            return
        if sync["status"] == "fetching":
            sync = await _fetch(sync, feed, connection, deps)
        await _import(sync, feed, deps)
    except CrmConnectionError as exc:
        now = deps.imports.clock.now()
        await deps.store.update_connection(
            sync["connection_id"], {"status": "broken", "problem": exc.reason, "checked_at": now}
        )
        await _fail(sync, exc.reason, deps)
    except Exception as exc:
        logger.exception("sync %s failed", sync["_id"])
        await _fail(sync, f"{type(exc).__name__}: {exc}", deps)
    finally:
        deps.running.discard(sync["_id"])


async def _fail(sync: Document, reason: str, deps: CrmDeps) -> None:
    now = deps.imports.clock.now()
    await deps.store.update_sync(sync["_id"], {"status": "failed", "error": reason, "finished_at": now})
    await deps.store.update_feed(sync["feed_id"], {"last_status": "failed", "last_error": reason})
    await deps.store.finish_sync(sync["feed_id"])


def path_of(sync: Document, deps: CrmDeps) -> Path:
    return deps.upload_dir / f"{sync['_id']}.csv"


def fields_of(feed: Document) -> list[str]:
    """The file's columns after the record id: Outreach's field names (and custom fields), in feed order."""
    return [name for name in feed["mapping"] if name != ID_COLUMN]


async def _fetch(sync: Document, feed: Document, connection: Document, deps: CrmDeps) -> Document:
    path = path_of(sync, deps)
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = fields_of(feed)
    connector = deps.open(connection)
    counters = {k: sync.get(k, 0) for k in ("fetched", "crm_suppressed", "requests")}
    try:
        with path.open("a+b") as out:
            out.truncate(int(sync.get("bytes") or 0))  # a page written after the last stored position goes
            out.seek(0, os.SEEK_END)
            if out.tell() == 0:
                out.write(_csv([ID_COLUMN, *fields]))
            pages = connector.pages(feed["source"], feed["mapping"], cursor=sync.get("cursor"), since=sync.get("since"))
            async for page in ahead(pages):  # the next page is read while this one is stored
                suppressed = await _suppress(page, feed, deps)
                kept = [r for r in page.records if r.opted_out is None]
                out.write(b"".join(_csv([r.id, *(r.fields.get(feed["mapping"][f], "") for f in fields)]) for r in kept))
                out.flush()
                await asyncio.to_thread(os.fsync, out.fileno())
                await deps.store.link(_links(kept, feed))
                counters["fetched"] += len(page.records)
                counters["crm_suppressed"] += len(suppressed)
                counters["requests"] += page.requests
                position = {"cursor": page.cursor, "bytes": out.tell(), "updated_at": deps.imports.clock.now()}
                updated = await deps.store.update_sync(
                    sync["_id"], {**position, **counters}, push={"suppressed_records": suppressed}
                )
                sync = updated or sync
    finally:
        await connector.close()
    return await deps.store.update_sync(sync["_id"], {"status": "importing"}) or sync


async def ahead(pages: AsyncIterator[Page], depth: int = 2) -> AsyncIterator[Page]:
    """The pages, with up to `depth` read ahead in a task (a CRM's rate limit leaves no time to lose while a
    page is written); the reader's error comes out where its page would have."""
    queue: asyncio.Queue[Page | BaseException | None] = asyncio.Queue(maxsize=depth)

    async def read() -> None:
        try:
            async for page in pages:
                await queue.put(page)
            await queue.put(None)
        except Exception as exc:  # handed to the consumer, which raises it
            await queue.put(exc)

    reader = asyncio.create_task(read())
    try:
        while (item := await queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader


def _csv(values: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue().encode()


async def _suppress(page: Page, feed: Document, deps: CrmDeps) -> list[dict[str, Any]]:
    """Records the CRM says not to contact: their numbers onto the do-not-call list (which stops them in
    every campaign, also those synced earlier), each reported with the CRM's reason."""
    flagged = [r for r in page.records if r.opted_out is not None]
    if not flagged:
        return []
    phone_field = feed["mapping"].get("to_number", "")
    numbers = [(n, r.fields[phone_field]) for n, r in enumerate(flagged) if r.fields.get(phone_field)]
    if numbers:
        await add_numbers(
            feed["workspace_id"], numbers, deps.dnc, source=f"crm:{feed['kind']}", reason="do not contact in the CRM"
        )
    return [{"record_id": r.id, "status": "suppressed", "reason": r.opted_out} for r in flagged]


def _links(records: list[CrmRecord], feed: Document) -> list[Document]:
    """Contact id -> record, for the write-back (a number that does not parse makes no contact)."""
    links = []
    phone_field = feed["mapping"].get("to_number", "")
    for record in records:
        try:
            phone = normalise_phone(record.fields.get(phone_field), default_region=feed.get("default_region", "US"))
        except InvalidPhone:
            continue
        links.append({
            "_id": contact_id(feed["workspace_id"], feed["campaign_id"], phone),
            "workspace_id": feed["workspace_id"],
            "connection_id": feed["connection_id"],
            "record_id": record.id,
            "phone": phone,
        })  # fmt: skip
    return links


async def _import(sync: Document, feed: Document, deps: CrmDeps) -> None:
    """Import the fetched file as an upload is imported (once: a resumed sync follows its import job)."""
    imports = deps.imports
    path = path_of(sync, deps)
    dialect = Dialect(encoding="utf-8", delimiter=",", has_headers=True)
    mapping = Mapping.from_pairs({**{f: f for f in fields_of(feed)}, ID_COLUMN: ID_COLUMN})
    job = await imports.imports.get(sync["import_id"]) if sync.get("import_id") else None
    if job is None:
        job = new_job(
            f"imp_{uuid.uuid4().hex[:12]}",
            workspace_id=feed["workspace_id"],
            campaign_id=feed["campaign_id"],
            filename=f"{feed['kind']} sync {sync['_id']}",
            path=path,
            dialect=dialect,
            mapping=mapping,
            default_region=feed.get("default_region", "US"),
            skip_duplicates=True,
            now=imports.clock.now(),
            sync_id=sync["_id"],
        )
        await imports.imports.add(job)
        await deps.store.update_sync(sync["_id"], {"import_id": job["_id"]})
        await run_import(job, path, dialect, mapping, imports)
    while (job := await imports.imports.get(job["_id"]) or job)["status"] not in FINISHED:  # noqa: ASYNC110 - another replica may run it
        await asyncio.sleep(0.5)  # waiting for the campaign's lock, or resumed by the import sweeper
    await _report(sync, job, deps)


async def _report(sync: Document, job: Document, deps: CrmDeps) -> None:
    now = deps.imports.clock.now()
    counts = {k: int(job.get(k) or 0) for k in ("imported", "duplicates", "invalid", "suppressed", "rejected")}
    status = "completed" if job["status"] == "completed" else "failed"
    fields = {**counts, "status": status, "finished_at": now, "error": job.get("error")}
    await deps.store.update_sync(sync["_id"], fields)
    feed_fields: Document = {"last_status": status, "last_sync_id": sync["_id"], "last_error": job.get("error")}
    if status == "completed":
        # the next incremental sync reads what changed since this one started (a minute of overlap)
        feed_fields["synced_from"] = sync["started_at"] - timedelta(minutes=1)
    await deps.store.update_feed(sync["feed_id"], feed_fields)
    await deps.store.finish_sync(sync["feed_id"])
