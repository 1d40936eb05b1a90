"""Lead Docket (a firm's own API, at its own base URL, `api_key` header): the leads in a status (and a case
type), paged by `page`; `DoNotContact` as the opt-out; after each call a note on the lead, and the lead
moved to a status of the firm's choosing after an answered call; opt-outs as `DoNotContact`.

Lead Docket publishes its API description per firm only, so this connector (and the fake beside the tests)
follows the shape its firm documentation gives: `/api/leads`, `/api/leads/{id}/notes`, `/api/statuses`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from outreach_ingest.adapters.crm.connector import Connector
from outreach_ingest.adapters.crm.http import CrmConnectionError, CrmHttp, CrmRefusedError
from outreach_ingest.domain.crm import CallFacts, CrmRecord, Page

FIELDS = ("FirstName", "LastName", "Phone", "MobilePhone", "Email", "State", "Zip", "CaseType", "Status")


def default_mapping() -> dict[str, str]:
    return {"to_number": "Phone", "first_name": "FirstName", "last_name": "LastName", "email": "Email",
            "state": "State", "postal_code": "Zip"}  # fmt: skip


class LeadDocket(Connector):
    """One firm's Lead Docket."""

    kind = "leaddocket"

    def __init__(self, secrets: dict[str, Any], *, base_url: str, status_after_call: str | None = None) -> None:
        key = secrets["access_token"]

        async def auth() -> dict[str, str]:
            return {"api_key": key}

        self.status_after_call = status_after_call
        self.http = CrmHttp(crm="Lead Docket", base_url=base_url, auth=auth)

    async def check(self) -> str:
        """Lists the firm's lead statuses: the firm URL and the key are right."""
        try:
            await self.http.request("GET", "/api/statuses")
        except CrmRefusedError as exc:
            if exc.status == 404:
                raise CrmConnectionError(
                    "Lead Docket: nothing answers at this firm URL (wrong firm?)", status=404
                ) from exc
            raise
        return "Lead Docket statuses readable"

    async def pages(
        self, source: dict[str, str], mapping: dict[str, str], *, cursor: str | None, since: datetime | None
    ) -> AsyncIterator[Page]:
        """The leads in the status (and case type), a page at a time; with `since`, those updated since."""
        if not source.get("status"):
            raise CrmConnectionError("Lead Docket: a feed reads a lead status (status, and optionally case_type)")
        page = int(cursor or 1)
        while True:
            params: dict[str, Any] = {"status": source["status"], "page": page}
            if source.get("case_type"):
                params["caseType"] = source["case_type"]
            if since is not None:
                params["updatedSince"] = since.isoformat()
            answer = await self.http.request("GET", "/api/leads", params=params)
            leads = answer.get("leads") or []
            more = page < int(answer.get("pageCount") or 1)
            page += 1
            yield Page(records=[self._record(lead) for lead in leads], cursor=str(page) if more else None, requests=1)
            if not more:
                return

    def _record(self, lead: dict[str, Any]) -> CrmRecord:
        fields = {k: str(v) for k, v in lead.items() if k in FIELDS and v not in (None, "")}
        if not fields.get("Phone") and fields.get("MobilePhone"):
            fields["Phone"] = fields["MobilePhone"]
        opted = "DoNotContact in Lead Docket" if lead.get("DoNotContact") else None
        return CrmRecord(id=str(lead["Id"]), fields=fields, opted_out=opted)

    async def log_call(self, record_id: str, call: CallFacts) -> str:
        """A note; after an answered call, the lead moved to the configured status."""
        note = await self.http.request(
            "POST", f"/api/leads/{record_id}/notes", json={"Note": f"{call.title()}\n{call.body()}"}
        )
        if self.status_after_call and call.outcome == "answered_human":
            await self.http.request("PUT", f"/api/leads/{record_id}/status", json={"Status": self.status_after_call})
        return str(note["Id"])

    async def update_call(self, record_id: str, crm_id: str, call: CallFacts) -> None:
        await self.http.request(
            "PUT", f"/api/leads/{record_id}/notes/{crm_id}", json={"Note": f"{call.title()}\n{call.body()}"}
        )

    async def find_call(self, record_id: str, call: CallFacts) -> str | None:
        notes = await self.http.request("GET", f"/api/leads/{record_id}/notes")
        return next((str(n["Id"]) for n in notes or [] if str(n.get("Note", "")).startswith(call.title())), None)

    async def mark_opted_out(self, record_id: str) -> None:
        await self.http.request("PUT", f"/api/leads/{record_id}", json={"DoNotContact": True})
