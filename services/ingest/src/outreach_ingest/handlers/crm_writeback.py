"""Hearing back: after each call, its CRM record gets what happened (once per call, however often the event
comes); an opt-out sets the record's do-not-call flag. A CRM that refuses a write-back for good sends the
event to the dead-letter topic with its reason; 429 and 5xx are retried by the connector."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from outreach_common.consumer import PoisonMessage
from outreach_common.mongo import Document
from outreach_contracts.calls import CallAnalyzed, CallCompleted
from outreach_contracts.messages import ContactOptedOut

from outreach_ingest.adapters.crm.http import CrmConnectionError, CrmRefusedError
from outreach_ingest.domain.crm import CallFacts
from outreach_ingest.handlers.crm_deps import Connector, CrmDeps

logger = logging.getLogger(__name__)


@asynccontextmanager
async def _connector(connection: Document, deps: CrmDeps, what: str) -> AsyncIterator[Connector]:
    """The connection's connector for one write-back, closed after it; a refusal for good becomes a poison
    message with its reason (and a refused connection is marked broken)."""
    connector = deps.open(connection)
    try:
        yield connector
    except CrmConnectionError as exc:
        await deps.store.update_connection(connection["_id"], {"status": "broken", "problem": exc.reason})
        raise PoisonMessage(f"{what}: {exc.reason}") from exc
    except CrmRefusedError as exc:
        raise PoisonMessage(f"{what} refused by the CRM: {exc}") from exc
    finally:
        await connector.close()


async def call_completed(event: CallCompleted, deps: CrmDeps) -> None:
    """The call's outcome and duration onto the contact's record."""
    facts: Document = {"outcome": event.outcome, "duration_s": event.duration_s, "at": event.occurred_at}
    await _write(event.idempotency_key, event.contact_id, facts, str(event.event_id), deps)


async def call_analyzed(event: CallAnalyzed, deps: CrmDeps) -> None:
    """The agent's disposition and summary onto the same engagement."""
    facts: Document = {"disposition": event.disposition, "summary": event.summary, "data": event.data}
    facts["at"] = event.occurred_at
    await _write(event.idempotency_key, event.contact_id, facts, str(event.event_id), deps, analysis=True)


async def _write(
    key: str, contact_id: str, facts: Document, event_id: str, deps: CrmDeps, *, analysis: bool = False
) -> None:
    link = await deps.store.link_of(contact_id)
    if link is None:
        return  # not a contact from a CRM
    before = await deps.store.writeback(key)
    if before is not None and event_id in before.get("events", []):
        return  # this event was written back already
    if analysis and before is not None and "at" in before:  # the call's own time stays
        facts.pop("at", None)
    entry = await deps.store.note_writeback(key, {**facts, "contact_id": contact_id, "pending": True})
    connection = await deps.store.connection(link["connection_id"])
    if connection is None:
        return  # the connection was removed
    call = CallFacts(
        key=key,
        outcome=str(entry.get("outcome") or "answered_human"),
        duration_s=int(entry.get("duration_s") or 0),
        at=entry.get("at") or datetime.now(),
        disposition=entry.get("disposition"),
        summary=str(entry.get("summary") or ""),
        data=dict(entry.get("data") or {}),
    )
    async with _connector(connection, deps, f"write-back of {key}") as connector:
        crm_id = entry.get("crm_id")
        if crm_id is None and before is not None and before.get("pending"):
            # an earlier try may have written it before it stopped
            crm_id = await connector.find_call(link["record_id"], call)
        if crm_id is None:
            crm_id = await connector.log_call(link["record_id"], call)
        else:
            await connector.update_call(link["record_id"], crm_id, call)
    await deps.store.note_writeback(key, {"crm_id": crm_id, "pending": False}, event_id=event_id)


async def opted_out(event: ContactOptedOut, deps: CrmDeps) -> None:
    """Every CRM record with the number gets its do-not-call flag (once per record)."""
    if not event.phone:
        return
    for pair in await deps.store.records_of_phone(event.workspace_id, event.phone):
        key = f"optout:{pair['connection_id']}:{pair['record_id']}"
        done = await deps.store.writeback(key)
        if done is not None and not done.get("pending"):
            continue
        connection = await deps.store.connection(pair["connection_id"])
        if connection is None:
            continue
        await deps.store.note_writeback(key, {"pending": True})
        async with _connector(connection, deps, "opt-out write-back") as connector:
            await connector.mark_opted_out(pair["record_id"])
        await deps.store.note_writeback(key, {"pending": False}, event_id=str(event.event_id))
