"""GoHighLevel (API v2, `Version: 2021-07-28`): a location's contacts with a tag (contact search, paged by
`searchAfter`) or the contacts of a pipeline stage's opportunities (paged by `startAfter`/`startAfterId`);
`dnd` as the opt-out; after each call a note and a tag on the contact; opt-outs as `dnd`. A private
integration token or an OAuth location token (refreshed before it expires)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx

from outreach_ingest.adapters.crm.oauth import TokenConnector
from outreach_ingest.domain.crm import CallFacts, CrmRecord, Page

VERSION = "2021-07-28"
PAGE = 100
FIELDS = ("firstName", "lastName", "email", "phone", "timezone", "state", "postalCode", "country", "companyName")


def limits(headers: httpx.Headers) -> tuple[int | None, float | None, int | None]:
    """`X-RateLimit-Max` per `X-RateLimit-Interval-Milliseconds` (the burst limit), `-Remaining` left."""

    def number(name: str) -> int | None:
        value = headers.get(name)
        return int(value) if value and value.isdigit() else None

    interval = number("X-RateLimit-Interval-Milliseconds")
    return number("X-RateLimit-Max"), interval / 1000 if interval else None, number("X-RateLimit-Remaining")


def token_url(base_url: str) -> str:
    """GoHighLevel's token endpoint (authorization codes and refresh tokens, each refresh token used once)."""
    return base_url.rstrip("/") + "/oauth/token"


def default_mapping() -> dict[str, str]:
    """GoHighLevel's contact fields for Outreach's fields."""
    return {"to_number": "phone", "first_name": "firstName", "last_name": "lastName", "email": "email",
            "timezone": "timezone", "state": "state", "postal_code": "postalCode"}  # fmt: skip


class GoHighLevel(TokenConnector):
    """One GoHighLevel location (sub-account), its setting `location_id`."""

    kind = "gohighlevel"
    crm = "GoHighLevel"
    keep = ("locationId",)
    headers = {"Version": VERSION}  # noqa: RUF012 (read only)
    limits = staticmethod(limits)
    token_url = staticmethod(token_url)

    @property
    def location_id(self) -> str:
        return str(self.settings.get("location_id", ""))

    async def check(self) -> str:
        """Lists one contact of the location: the token works for it."""
        await self.http.request("GET", "/contacts/", params={"locationId": self.location_id, "limit": 1})
        return "GoHighLevel contacts readable"

    async def pages(
        self, source: dict[str, str], mapping: dict[str, str], *, cursor: str | None, since: datetime | None
    ) -> AsyncIterator[Page]:
        """A tag's contacts, or a pipeline stage's; with `since`, a tag's contacts updated since then."""
        if source.get("pipeline_id"):
            async for page in self._stage(source, cursor):
                yield page
            return
        tag = source.get("tag")
        after = json.loads(cursor) if cursor else None
        while True:
            filters: list[dict[str, Any]] = [{"field": "tags", "operator": "contains", "value": tag}]
            if since is not None:
                filters.append(
                    {"field": "dateUpdated", "operator": "range", "value": {"gte": since.astimezone(UTC).isoformat()}}
                )
            body: dict[str, Any] = {"locationId": self.location_id, "pageLimit": PAGE, "filters": filters}
            if after:
                body["searchAfter"] = after
            answer = await self.http.request("POST", "/contacts/search", json=body)
            contacts = answer.get("contacts") or []
            after = contacts[-1].get("searchAfter") if len(contacts) == PAGE else None
            yield Page(
                records=[self._record(c) for c in contacts], cursor=json.dumps(after) if after else None, requests=1
            )
            if not after:
                return

    async def _stage(self, source: dict[str, str], cursor: str | None) -> AsyncIterator[Page]:
        position = json.loads(cursor) if cursor else {}
        while True:
            params = {"location_id": self.location_id, "pipeline_id": source["pipeline_id"], "limit": PAGE, **position}
            if source.get("stage_id"):
                params["pipeline_stage_id"] = source["stage_id"]
            answer = await self.http.request("GET", "/opportunities/search", params=params)
            found = answer.get("opportunities") or []
            meta = answer.get("meta") or {}
            contacts = [{**(o.get("contact") or {}), "id": o.get("contactId") or (o.get("contact") or {}).get("id")}
                        for o in found]  # fmt: skip
            records = [self._record(c) for c in contacts if c.get("id")]
            more = bool(meta.get("nextPage")) and len(found) == PAGE
            position = {"startAfter": meta.get("startAfter"), "startAfterId": meta.get("startAfterId")} if more else {}
            yield Page(records=records, cursor=json.dumps(position) if more else None, requests=1)
            if not more:
                return

    def _record(self, contact: dict[str, Any]) -> CrmRecord:
        fields = {k: str(v) for k, v in contact.items() if k in FIELDS and v not in (None, "")}
        if contact.get("name") and "firstName" not in fields:
            first, _, last = str(contact["name"]).partition(" ")
            fields.update(firstName=first, **({"lastName": last} if last else {}))
        for custom in contact.get("customFields") or []:
            if custom.get("id") and custom.get("value") not in (None, ""):
                fields[str(custom["id"])] = str(custom["value"])
        call_dnd = ((contact.get("dndSettings") or {}).get("Call") or {}).get("status") == "active"
        opted = (
            "dnd in GoHighLevel"
            if contact.get("dnd")
            else "calls set to do not disturb in GoHighLevel"
            if call_dnd
            else None
        )
        return CrmRecord(id=str(contact["id"]), fields=fields, opted_out=opted)

    async def log_call(self, record_id: str, call: CallFacts) -> str:
        """A note with what happened, and a tag with the outcome."""
        note = await self.http.request(
            "POST",
            f"/contacts/{record_id}/notes",
            json={"title": call.title(), "body": f"{call.title()}\n{call.body()}"},
        )
        await self.http.request(
            "POST", f"/contacts/{record_id}/tags", json={"tags": [f"outreach-{call.outcome.replace('_', '-')}"]}
        )
        return str((note.get("note") or note)["id"])

    async def update_call(self, record_id: str, crm_id: str, call: CallFacts) -> None:
        body = {"title": call.title(), "body": f"{call.title()}\n{call.body()}"}
        await self.http.request("PUT", f"/contacts/{record_id}/notes/{crm_id}", json=body)

    async def find_call(self, record_id: str, call: CallFacts) -> str | None:
        answer = await self.http.request("GET", f"/contacts/{record_id}/notes")
        for note in answer.get("notes") or []:
            if str(note.get("body", "")).startswith(call.title()):
                return str(note["id"])
        return None

    async def mark_opted_out(self, record_id: str) -> None:
        await self.http.request("PUT", f"/contacts/{record_id}", json={"dnd": True})
