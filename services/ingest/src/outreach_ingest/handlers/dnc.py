"""Do-not-call list: add numbers (API or CSV), publish new entries, record opt-outs from every channel."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from outreach_common.clock import Clock
from outreach_common.kafka import EventBus
from outreach_common.keys import phone_key
from outreach_contracts.messages import ContactOptedOut
from outreach_contracts.topics import Topics

from outreach_ingest.adapters.dnc import SuppressionRepository, entry_id
from outreach_ingest.domain.csvfile import Dialect, records
from outreach_ingest.domain.phones import InvalidPhone, normalise_phone


@dataclass
class DncDeps:
    """What the do-not-call handlers need."""

    dnc: SuppressionRepository
    bus: EventBus
    clock: Clock
    topics: Topics


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
        new = await deps.dnc.add_many(docs)
        result.added += len(new)
        result.already += len(docs) - len(new)
        for phone in sorted(new):
            event = ContactOptedOut(occurred_at=now, workspace_id=workspace_id, phone=phone, channel="dnc")
            await deps.bus.publish(event, topic=deps.topics.messages, key=phone_key(phone))
    return result


def numbers_in_file(path: Path, dialect: Dialect, column: str | None) -> Iterable[tuple[int, str]]:
    """(row, number) pairs from a CSV of numbers: the named column, else the first column."""
    for row, record in records(path, dialect):
        key = column if column is not None else next(iter(record), None)
        yield row, record.get(key, "") if key is not None else ""


async def record_opt_out(event: ContactOptedOut, deps: DncDeps) -> None:
    """An opt-out on any channel lands on the list (not republished: the scheduler already saw it)."""
    if event.channel == "dnc" or not event.phone:
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
