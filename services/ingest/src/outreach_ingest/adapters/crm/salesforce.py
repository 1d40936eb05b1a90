"""Salesforce (REST API v62.0): Contacts or Leads by a SOQL filter, a list view's own query, or a campaign's
members, paged by `nextRecordsUrl`; `DoNotCall` as the opt-out; after each call a completed Task on the
person (who, subject, status, disposition, duration); opt-outs as `DoNotCall`. OAuth 2.0 web server flow:
the instance URL comes with the token, and an expired session is refreshed once and the request repeated.
`Sforce-Limit-Info` is read: a sync stops with a reason before it spends the org's last daily calls."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from outreach_ingest.adapters.crm.connector import Connector
from outreach_ingest.adapters.crm.http import CrmConnectionError, CrmHttp, CrmRefusedError
from outreach_ingest.adapters.crm.oauth import Save, token_request
from outreach_ingest.domain.crm import CallFacts, CrmRecord, Page

API = "/services/data/v62.0"
FIELDS = {
    "Contact": ("Id", "FirstName", "LastName", "Phone", "MobilePhone", "Email", "MailingState", "MailingPostalCode",
                "DoNotCall", "LastModifiedDate"),
    "Lead": ("Id", "FirstName", "LastName", "Phone", "MobilePhone", "Email", "State", "PostalCode", "DoNotCall",
             "LastModifiedDate"),
}  # fmt: skip
KEEP_DAILY = 0.95  # of the org's daily API calls: beyond this a sync stops instead of starving the org
SAFE = re.compile(r"^[^;]*$")  # a filter is one WHERE clause
ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")


def default_mapping(object_name: str = "Contact") -> dict[str, str]:
    """The person's fields for Outreach's fields."""
    place = ("MailingState", "MailingPostalCode") if object_name == "Contact" else ("State", "PostalCode")
    return {"to_number": "Phone", "first_name": "FirstName", "last_name": "LastName", "email": "Email",
            "state": place[0], "postal_code": place[1]}  # fmt: skip


def quoted(value: str) -> str:
    """A SOQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Salesforce(Connector):
    """One Salesforce org."""

    kind = "salesforce"

    def __init__(
        self, secrets: dict[str, Any], *, login_url: str, oauth: dict[str, str] | None = None, save: Save | None = None
    ) -> None:
        self._secrets = dict(secrets)
        self._login_url = login_url
        self._oauth = oauth or {}
        self._save = save
        self.http = self._client()
        self.daily: tuple[int, int] | None = None  # (used, allowed) from Sforce-Limit-Info

    def _client(self) -> CrmHttp:
        token = self._secrets["access_token"]

        async def auth() -> dict[str, str]:
            return {"Authorization": f"Bearer {token}"}

        return CrmHttp(crm="Salesforce", base_url=self._secrets["instance_url"], auth=auth)

    async def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        """One request; an expired session (401) is refreshed once and the request sent again."""
        try:
            answer = await self.http.request(method, url, **kwargs)
        except CrmConnectionError as exc:
            if exc.status != 401 or "refresh_token" not in self._secrets:
                raise
            await self._refresh()
            answer = await self.http.request(method, url, **kwargs)
        return answer

    async def _refresh(self) -> None:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self._secrets["refresh_token"],
            "client_id": self._oauth.get("client_id", ""),
            "client_secret": self._oauth.get("client_secret", ""),
        }
        self._secrets.update(
            await token_request(token_url(self._login_url), form, crm="Salesforce", keep=("instance_url",))
        )
        await self.http.close()
        self.http = self._client()
        if self._save is not None:
            await self._save(self._secrets)

    async def _query(self, soql: str) -> AsyncIterator[tuple[list[dict[str, Any]], str | None]]:
        """Each batch of a query's records with the URL of the next (None after the last)."""
        answer = await self._call("GET", f"{API}/query", params={"q": soql})
        while True:
            following = answer.get("nextRecordsUrl") if not answer.get("done", True) else None
            yield answer.get("records") or [], following
            if not following:
                return
            answer = await self._call("GET", following)

    async def check(self) -> str:
        await self._call("GET", f"{API}/limits")
        return "Salesforce API reachable"

    async def _soql(self, source: dict[str, str], mapping: dict[str, str], since: datetime | None) -> str:
        object_name = source.get("object", "Contact")
        if object_name not in FIELDS:
            raise CrmRefusedError(422, f"Salesforce: object must be Contact or Lead, not {object_name}")
        fields = sorted({*FIELDS[object_name], *(f for f in mapping.values() if re.fullmatch(r"\w+", f))})
        where: list[str] = []
        if source.get("where"):
            if not SAFE.match(source["where"]):
                raise CrmRefusedError(422, "Salesforce: the filter must be one WHERE clause")
            where.append(f"({source['where']})")
        if source.get("campaign_id"):
            key = "ContactId" if object_name == "Contact" else "LeadId"
            where.append(f"Id IN (SELECT {key} FROM CampaignMember WHERE CampaignId = {quoted(source['campaign_id'])})")
        if source.get("list_view_id"):
            described = await self._call(
                "GET", f"{API}/sobjects/{object_name}/listviews/{source['list_view_id']}/describe"
            )
            view_where = re.search(r"\bWHERE\b(.*?)(?:\bORDER BY\b|$)", str(described.get("query", "")), re.I | re.S)
            if view_where:
                where.append(f"({view_where.group(1).strip()})")
        if since is not None:
            where.append(f"LastModifiedDate >= {since.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}")
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        return f"SELECT {', '.join(fields)} FROM {object_name}{clause} ORDER BY Id"

    async def pages(
        self, source: dict[str, str], mapping: dict[str, str], *, cursor: str | None, since: datetime | None
    ) -> AsyncIterator[Page]:
        """The people the source names, a batch (up to 2,000) at a time; the cursor is `nextRecordsUrl`."""
        batches = self._resume(cursor) if cursor else self._query(await self._soql(source, mapping, since))
        async for records, following in batches:
            self._keep_daily_calls()
            yield Page(records=[self._record(r) for r in records], cursor=following, requests=1)

    async def _resume(self, url: str) -> AsyncIterator[tuple[list[dict[str, Any]], str | None]]:
        while url:
            answer = await self._call("GET", url)
            following = answer.get("nextRecordsUrl") if not answer.get("done", True) else None
            yield answer.get("records") or [], following
            url = following or ""

    def _keep_daily_calls(self) -> None:
        used = self.http.last_headers.get("Sforce-Limit-Info", "") if self.http.last_headers else ""
        found = re.search(r"api-usage=(\d+)/(\d+)", used)
        if found:
            self.daily = (int(found.group(1)), int(found.group(2)))
            if self.daily[0] >= KEEP_DAILY * self.daily[1]:
                raise CrmRefusedError(
                    429, f"Salesforce: {self.daily[0]} of the org's {self.daily[1]} daily API calls used"
                )

    def _record(self, row: dict[str, Any]) -> CrmRecord:
        fields = {
            k: str(v) for k, v in row.items() if k != "attributes" and v not in (None, "") and not isinstance(v, dict)
        }
        if not fields.get("Phone") and fields.get("MobilePhone"):
            fields["Phone"] = fields["MobilePhone"]
        opted = "DoNotCall in Salesforce" if row.get("DoNotCall") is True else None
        return CrmRecord(id=str(row["Id"]), fields=fields, opted_out=opted)

    async def log_call(self, record_id: str, call: CallFacts) -> str:
        """A completed Task on the person."""
        task = {
            "WhoId": record_id,
            "Subject": call.title(),
            "Status": "Completed",
            "TaskSubtype": "Call",
            "CallType": "Outbound",
            "CallDisposition": (call.disposition or call.outcome).replace("_", " ")[:255],
            "CallDurationInSeconds": call.duration_s,
            "ActivityDate": call.at.date().isoformat(),
            "Description": call.body(),
        }
        answer = await self._call("POST", f"{API}/sobjects/Task", json=task)
        return str(answer["id"])

    async def update_call(self, record_id: str, crm_id: str, call: CallFacts) -> None:
        body = {
            "Description": call.body(),
            "CallDisposition": (call.disposition or call.outcome).replace("_", " ")[:255],
        }
        await self._call("PATCH", f"{API}/sobjects/Task/{crm_id}", json=body)

    async def find_call(self, record_id: str, call: CallFacts) -> str | None:
        if not ID.match(record_id):
            return None
        soql = f"SELECT Id FROM Task WHERE WhoId = {quoted(record_id)} AND Subject = {quoted(call.title())}"
        async for records, _ in self._query(soql):
            return str(records[0]["Id"]) if records else None
        return None

    async def mark_opted_out(self, record_id: str) -> None:
        """`DoNotCall` on the Contact (ids 003...) or Lead (00Q...)."""
        object_name = "Lead" if record_id.startswith("00Q") else "Contact"
        await self._call("PATCH", f"{API}/sobjects/{object_name}/{record_id}", json={"DoNotCall": True})


def token_url(login_url: str) -> str:
    """Salesforce's token endpoint (authorization codes and refresh tokens; its answer names the instance)."""
    return login_url.rstrip("/") + "/services/oauth2/token"
