"""Do-not-call list: add numbers (API or CSV), publish new entries, record opt-outs from every channel."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from outreach_common.clock import Clock
from outreach_common.kafka import EventBus
from outreach_common.keys import phone_key
from outreach_common.outbox import PendingOutbox, outbox_entry
from outreach_contracts.messages import ContactOptedOut
from outreach_contracts.topics import Topics

from outreach_ingest.adapters.csvfiles import records
from outreach_ingest.adapters.dnc import SuppressionRepository, entry_id
from outreach_ingest.domain.csvfile import Dialect
from outreach_ingest.domain.phones import InvalidPhone, normalise_phone


@dataclass
class DncDeps:
    """What the do-not-call handlers need."""

    dnc: SuppressionRepository
    bus: EventBus
    clock: Clock
    topics: Topics
    pending: PendingOutbox


@dataclass
class DncResult:
    """What happened to the numbers given."""

    added: int = 0
    already: int = 0
    invalid: list[dict[str, object]] = field(default_factory=list)


async def add_numbers(
    workspace_id: str,
    numbers: Iterable[tuple[int, str]],
    deps: DncDeps,
    *,
    source: str,
    reason: str | None = None,
    default_region: str = "US",
    batch: int = 1000,
) -> DncResult:
    """Add (row, raw number) pairs; every new entry is published as ContactOptedOut(channel="dnc")."""
    result = DncResult()
    pairs = iter(numbers)
    while chunk := list(itertools.islice(pairs, batch)):
        phones: list[str] = []
        for row, raw in chunk:
            try:
                phones.append(normalise_phone(raw, default_region=default_region))
            except InvalidPhone as exc:
                result.invalid.append({"row": row, "value": raw, "reason": str(exc)})
        now = deps.clock.now()
        docs = [
            {
                "_id": entry_id(workspace_id, p),
                "workspace_id": workspace_id,
                "phone": p,
                "source": source,
                "reason": reason,
                "added_at": now,
            }
            for p in dict.fromkeys(phones)
        ]
        held = {
            p: outbox_entry(
                ContactOptedOut(occurred_at=now, workspace_id=workspace_id, phone=p, channel="dnc"),
                topic=deps.topics.messages,
                key=phone_key(p),
            )
            for p in dict.fromkeys(phones)
        }
        await deps.pending.hold(list(held.values()))  # first: a crash after this still publishes them
        new = await deps.dnc.add_many(docs)
        result.added += len(new)
        result.already += len(docs) - len(new)
        await deps.pending.release([held[p] for p in sorted(new)], deps.bus)
        await deps.pending.forget([e for p, e in held.items() if p not in new])
    return result


def numbers_in_file(path: Path, dialect: Dialect, column: str | None) -> Iterable[tuple[int, str]]:
    """(row, number) pairs from a CSV of numbers: the named column, else the first column."""
    for row, record in records(path, dialect):
        key = column if column is not None else next(iter(record), None)
        yield row, record.get(key, "") if key is not None else ""


async def record_opt_out(event: ContactOptedOut, deps: DncDeps) -> None:
    """An opt-out on any channel lands on the list (not republished: the scheduler already saw it); a `dnc`
    one is already there, unless a crash came between holding its event and writing the entry."""
    if not event.phone:
        return
    doc = {
        "_id": entry_id(event.workspace_id, event.phone),
        "workspace_id": event.workspace_id,
        "phone": event.phone,
        "source": f"opt_out:{event.channel}",
        "reason": f"opted out by {event.channel}",
        "added_at": event.occurred_at,
        "campaign_id": event.campaign_id,
    }
    await deps.dnc.add_many([doc])
