"""What every CRM connector's tests share: reading a source to its end, posting to the fake, and the
write-back (log a call, find it again, update it with the agent's report, mark another record as opted
out, close)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime
from typing import Any

import httpx
from outreach_ingest.domain.crm import CallFacts
from outreach_ingest.handlers.crm_deps import Connector


async def records_of(
    crm: Connector, source: dict[str, str], mapping: dict[str, str], *, cursor: str | None = None,
    since: datetime | None = None,
) -> list[Any]:  # fmt: skip
    """Every record the connector reads from `source`, page by page from `cursor`."""
    found: list[Any] = []
    async for page in crm.pages(source, mapping, cursor=cursor, since=since):
        found += page.records
    return found


async def post(url: str, body: dict[str, Any] | None = None) -> Any:
    """POST `body` to a fake CRM's test endpoint; its JSON answer."""
    return (await asyncio.to_thread(httpx.post, url, json=body or {})).json()


async def seed(url: str, what: str, body: dict[str, Any]) -> list[str]:
    """Records made on a fake CRM (`/_fake/<what>`); their ids, in order."""
    ids: list[str] = (await post(f"{url}/_fake/{what}", body))["ids"]
    return ids


async def fake_token(url: str, body: dict[str, Any] | None = None) -> str:
    """An access token the fake CRM accepts (`body` names whom it is for)."""
    token: str = (await post(f"{url}/_fake/token", body))["token"]
    return token


async def write_backs(crm: Connector, record: str, opted_out: str, call: CallFacts, **report: Any) -> str:
    """Log `call` on `record` (found again by its key), update it with `report` (summary, disposition,
    outcome, duration), mark `opted_out`, close the connector; the CRM's id of the call record."""
    try:
        logged = await crm.log_call(record, call)
        assert await crm.find_call(record, call) == logged
        await crm.update_call(record, logged, dataclasses.replace(call, **report))
        await crm.mark_opted_out(opted_out)
    finally:
        await crm.close()
    return logged
