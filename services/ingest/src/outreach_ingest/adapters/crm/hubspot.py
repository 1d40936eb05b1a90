"""HubSpot (CRM API v3): a list's members read by `after` cursors and batch reads, contacts changed since an
instant by search, a call engagement per call associated with its contact, opt-outs as a contact property.
Private-app tokens, or OAuth 2.0 access tokens refreshed before they expire."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx

from outreach_ingest.adapters.crm.http import CrmConnectionError
from outreach_ingest.adapters.crm.oauth import TokenConnector
from outreach_ingest.domain.crm import CallFacts, CrmRecord, Page, hubspot_zone

MEMBERS_PAGE = 250  # the most the memberships endpoint returns
BATCH_READ = 100  # the most a batch read takes
CALL_TO_CONTACT = 194  # HubSpot-defined association type: call -> contact
# HubSpot's default call dispositions (their ids are the same in every account)
DISPOSITIONS = {
    "answered_human": "f240bbac-87c9-4f6e-bf70-924b57d47db7",  # Connected
    "voicemail": "b2cf5968-551e-4856-9783-52b3da59a7d0",  # Left voicemail
    "no_answer": "73a0d17f-1163-4015-bdd5-ec830791da20",  # No answer
    "busy": "9d9162e7-6cf3-4944-bf63-4dff82258764",  # Busy
    "unreachable": "17b47fee-58de-441e-a44c-c6300d46f273",  # Wrong number
}
OPT_OUT_PROPERTIES = ("hs_email_optout", "do_not_call")  # any of them "true": do not contact


def limits(headers: httpx.Headers) -> tuple[int | None, float | None, int | None]:
    """`X-HubSpot-RateLimit-Max` per `X-HubSpot-RateLimit-Interval-Milliseconds`, `-Remaining` left."""

    def number(name: str) -> int | None:
        value = headers.get(name)
        return int(value) if value and value.isdigit() else None

    interval = number("X-HubSpot-RateLimit-Interval-Milliseconds")
    return (
        number("X-HubSpot-RateLimit-Max"),
        interval / 1000 if interval else None,
        number("X-HubSpot-RateLimit-Remaining"),
    )


def token_url(base_url: str) -> str:
    """HubSpot's token endpoint (authorization codes and refresh tokens)."""
    return base_url.rstrip("/") + "/oauth/v1/token"


class HubSpot(TokenConnector):
    """One HubSpot connection; its setting `opt_out_property` names the do-not-call property we also set."""

    kind = "hubspot"
    crm = "HubSpot"
    limits = staticmethod(limits)
    token_url = staticmethod(token_url)

    @property
    def opt_out_property(self) -> str:
        return str(self.settings.get("opt_out_property") or "do_not_call")

    async def check(self) -> str:
        """Reads one contact: the token works and has the contacts scope."""
        await self.http.request("GET", "/crm/v3/objects/contacts", params={"limit": 1})
        return "HubSpot contacts readable"

    def properties(self, mapping: dict[str, str]) -> list[str]:
        """The contact properties a sync reads: the mapped ones and the opt-out flags."""
        return sorted({*mapping.values(), *OPT_OUT_PROPERTIES, self.opt_out_property})

    async def pages(
        self, source: dict[str, str], mapping: dict[str, str], *, cursor: str | None, since: datetime | None
    ) -> AsyncIterator[Page]:
        """The list's members, a page of memberships at a time, each read in batches; with `since`, only
        those changed since then (found by search, then kept if the list has them)."""
        list_id = source.get("list_id")
        if not list_id:
            raise CrmConnectionError("HubSpot: a sync needs a list (list_id)")
        changed = await self._changed_since(since) if since is not None else None
        after = cursor
        while True:
            # Two pages of 250 memberships are five full batch reads of 100: a page is yielded only when its
            # members are all read, so that its cursor is where a resumed sync starts.
            ids: list[str] = []
            requests = 0
            while True:
                params: dict[str, Any] = {"limit": MEMBERS_PAGE, **({"after": after} if after else {})}
                answer = await self.http.request("GET", f"/crm/v3/lists/{list_id}/memberships", params=params)
                requests += 1
                ids += [str(m["recordId"]) for m in answer.get("results", [])]
                after = (answer.get("paging") or {}).get("next", {}).get("after")
                if not after or len(ids) % BATCH_READ == 0:
                    break
            if changed is not None:
                ids = [i for i in ids if i in changed]
            records, reads = await self._read(ids, mapping)
            yield Page(records=records, cursor=after, requests=requests + reads)
            if not after:
                return

    async def _read(self, ids: list[str], mapping: dict[str, str]) -> tuple[list[CrmRecord], int]:
        records: list[CrmRecord] = []
        properties = self.properties(mapping)
        requests = 0
        for start in range(0, len(ids), BATCH_READ):
            inputs = [{"id": i} for i in ids[start : start + BATCH_READ]]
            body = {"properties": properties, "propertiesWithHistory": [], "inputs": inputs}
            answer = await self.http.request("POST", "/crm/v3/objects/contacts/batch/read", json=body)
            requests += 1
            records += [self._record(r) for r in answer.get("results", [])]
        order = {i: n for n, i in enumerate(ids)}
        return sorted(records, key=lambda r: order.get(r.id, 0)), requests

    def _record(self, result: dict[str, Any]) -> CrmRecord:
        props = {k: str(v) for k, v in (result.get("properties") or {}).items() if v not in (None, "")}
        if "hs_timezone" in props:
            props["hs_timezone"] = hubspot_zone(props["hs_timezone"]) or ""
        flagged = [p for p in (*OPT_OUT_PROPERTIES, self.opt_out_property) if props.get(p, "").lower() == "true"]
        return CrmRecord(id=str(result["id"]), fields=props, opted_out=f"{flagged[0]} in HubSpot" if flagged else None)

    async def _changed_since(self, since: datetime) -> set[str]:
        """Ids of contacts modified since `since` (search, 100 at a time, by `after`)."""
        found: set[str] = set()
        after: str | None = None
        millis = str(int(since.timestamp() * 1000))
        while True:
            body: dict[str, Any] = {
                "filterGroups": [
                    {"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": millis}]}
                ],
                "properties": ["hs_object_id"],
                "sorts": [],
                "limit": 100,
                "after": after or "0",  # the published document requires it; "0" is the first page
            }
            answer = await self.http.request("POST", "/crm/v3/objects/contacts/search", json=body)
            found.update(str(r["id"]) for r in answer.get("results", []))
            after = (answer.get("paging") or {}).get("next", {}).get("after")
            if not after:
                return found

    async def log_call(self, record_id: str, call: CallFacts) -> str:
        """A call engagement on the contact: title (with the call's key), body, disposition, duration."""
        properties = {
            "hs_timestamp": call.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "hs_call_title": call.title(),
            "hs_call_body": call.body(),
            "hs_call_direction": "OUTBOUND",
            "hs_call_duration": str(call.duration_s * 1000),
            "hs_call_status": "COMPLETED",
        }
        if call.outcome in DISPOSITIONS:
            properties["hs_call_disposition"] = DISPOSITIONS[call.outcome]
        association = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": CALL_TO_CONTACT}
        body = {"properties": properties, "associations": [{"to": {"id": record_id}, "types": [association]}]}
        answer = await self.http.request("POST", "/crm/v3/objects/calls", json=body)
        return str(answer["id"])

    async def update_call(self, record_id: str, crm_id: str, call: CallFacts) -> None:
        """The engagement's body and disposition as they stand now (the agent's analysis came)."""
        properties = {"hs_call_body": call.body()}
        if call.outcome in DISPOSITIONS:
            properties["hs_call_disposition"] = DISPOSITIONS[call.outcome]
        await self.http.request("PATCH", f"/crm/v3/objects/calls/{crm_id}", json={"properties": properties})

    async def find_call(self, record_id: str, call: CallFacts) -> str | None:
        """The engagement an interrupted write-back may have made (found by its title)."""
        body = {
            "filterGroups": [{"filters": [{"propertyName": "hs_call_title", "operator": "EQ", "value": call.title()}]}],
            "properties": ["hs_call_title"],
            "sorts": [],
            "limit": 1,
            "after": "0",
        }
        answer = await self.http.request("POST", "/crm/v3/objects/calls/search", json=body)
        results = answer.get("results") or []
        return str(results[0]["id"]) if results else None

    async def mark_opted_out(self, record_id: str) -> None:
        """Sets the connection's do-not-call property on the contact."""
        body = {"properties": {self.opt_out_property: "true"}}
        await self.http.request("PATCH", f"/crm/v3/objects/contacts/{record_id}", json=body)


def default_mapping() -> dict[str, str]:
    """HubSpot's contact properties for Outreach's fields."""
    return {"to_number": "phone", "first_name": "firstname", "last_name": "lastname", "email": "email",
            "state": "state", "postal_code": "zip", "timezone": "hs_timezone"}  # fmt: skip
