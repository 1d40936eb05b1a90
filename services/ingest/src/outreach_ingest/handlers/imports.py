"""Run an import job: read, normalise, deduplicate, store, publish ContactImported in batches."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from outreach_common.clock import Clock
from outreach_common.kafka import EventBus
from outreach_contracts.contacts import ContactData, ContactImported
from outreach_contracts.topics import Topics

from outreach_ingest.adapters.repository import ContactRepository, ImportRepository
from outreach_ingest.domain.csvfile import Dialect, records
from outreach_ingest.domain.rows import Mapping, Verdict, contact_id, to_contact

logger = logging.getLogger(__name__)


@dataclass
class Deps:
    """What import handlers need."""

    contacts: ContactRepository
    imports: ImportRepository
    bus: EventBus
    clock: Clock
    topics: Topics
    batch: int = 500


async def run_import(job: dict[str, Any], path: Path, dialect: Dialect, mapping: Mapping, deps: Deps) -> None:
    """Process the whole file; progress is written after each batch; a rerun adds no duplicates."""
    seen: dict[str, int] = {}
    batch: list[Verdict] = []
    await deps.imports.update(job["_id"], {"status": "running"})
    try:
        for row, record in records(path, dialect):
            verdict = to_contact(record, mapping, row=row, default_region=job["default_region"])
            if verdict.contact is not None and job["skip_duplicates"]:
                phone = verdict.contact.phone
                first = seen.get(phone)
                if first is not None:
                    verdict = Verdict(
                        row=row, status="duplicate", reason="duplicate phone number in file", duplicate_of=first
                    )
                else:
                    seen[phone] = row
            batch.append(verdict)
            if len(batch) >= deps.batch:
                await _flush(job, batch, deps)
                batch = []
                if (await deps.imports.get(job["_id"]) or {}).get("status") == "canceling":
                    await deps.imports.update(job["_id"], {"status": "canceled"})
                    return
        await _flush(job, batch, deps)
        await deps.imports.update(job["_id"], {"status": "completed", "finished_at": deps.clock.now()})
    except Exception as exc:
        logger.exception("import %s failed", job["_id"])
        await deps.imports.update(job["_id"], {"status": "failed", "error": str(exc)})


async def _flush(job: dict[str, Any], batch: list[Verdict], deps: Deps) -> None:
    now = deps.clock.now()
    ws, campaign = job["workspace_id"], job["campaign_id"]
    good = [v for v in batch if v.contact is not None and v.status == "imported"]
    existing = await deps.contacts.existing_phones(
        workspace_id=ws, campaign_id=campaign, phones=[v.contact.phone for v in good if v.contact]
    )
    docs, rejected = [], []
    for v in batch:
        if v.status == "imported" and v.contact is not None:
            prior = existing.get(v.contact.phone)
            if prior is not None and prior.get("import_id") != job["_id"]:
                rejected.append(Verdict(row=v.row, status="duplicate", reason="contact already in campaign"))
                continue
            docs.append(
                {
                    "_id": contact_id(ws, campaign, v.contact.phone),
                    "workspace_id": ws,
                    "campaign_id": campaign,
                    "import_id": job["_id"],
                    "row": v.row,
                    "published": False,
                    "created_at": now,
                    **v.contact.model_dump(),
                }
            )
        else:
            rejected.append(v)
    new_ids = await deps.contacts.insert_new(docs)
    await deps.imports.add_rejections(
        [
            {
                "_id": f"{job['_id']}:{v.row}",
                "import_id": job["_id"],
                "row": v.row,
                "status": v.status,
                "reason": v.reason,
                "duplicate_of": v.duplicate_of,
            }
            for v in rejected
        ]
    )
    fresh = [d for d in docs if d["_id"] in new_ids]
    await publish_contacts(fresh, deps)
    await deps.imports.update(
        job["_id"],
        {"updated_at": now},
        inc={
            "rows": len(batch),
            "imported": len(fresh),
            "rejected": len(rejected),
            "duplicates": sum(1 for v in rejected if v.status == "duplicate") + len(docs) - len(fresh),
            "invalid": sum(1 for v in rejected if v.status == "invalid"),
        },
    )


async def publish_contacts(docs: list[dict[str, Any]], deps: Deps) -> None:
    """Publish ContactImported for stored contacts, then mark them published."""
    fields = set(ContactData.model_fields)
    events = [
        ContactImported(
            occurred_at=deps.clock.now(),
            workspace_id=d["workspace_id"],
            campaign_id=d["campaign_id"],
            contact_id=d["_id"],
            import_id=d["import_id"],
            row=d["row"],
            contact=ContactData(**{k: d[k] for k in fields if k in d}),
        )
        for d in docs
    ]
    await asyncio.gather(*(deps.bus.publish(e, topic=deps.topics.contacts, key=e.contact_id) for e in events))
    if docs:
        await deps.contacts.mark_published([d["_id"] for d in docs])


async def republish_unpublished(deps: Deps) -> int:
    """Sweeper: publish contacts a crash stored but did not publish."""
    docs = await deps.contacts.unpublished(before=deps.clock.now() - timedelta(seconds=30), limit=1000)
    await publish_contacts(docs, deps)
    return len(docs)
