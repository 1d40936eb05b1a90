"""monday.com (GraphQL API, `API-Version` header): a board group's items paged by `items_page` cursors, the
phone and other fields read from the item's columns, the complexity budget kept (a query waits when the
budget left is below what it costs); after each call an update on the item; opt-outs written to the
connection's opt-out column. A personal API token (or an OAuth token)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from outreach_ingest.adapters.crm.connector import Connector
from outreach_ingest.adapters.crm.http import CrmConnectionError, CrmHttp, CrmRefusedError
from outreach_ingest.domain.crm import CallFacts, CrmRecord, Page

API_VERSION = "2025-04"
PAGE = 500  # the most items_page returns
ITEM = "id name updated_at column_values { id text }"
BUDGET = "complexity { before after query reset_in_x_seconds }"
FIRST = f"""query FirstPage($board: [ID!], $group: [String], $limit: Int!) {{
  {BUDGET}
  boards(ids: $board) {{ groups(ids: $group) {{ items_page(limit: $limit) {{ cursor items {{ {ITEM} }} }} }} }}
}}"""
NEXT = f"""query NextPage($cursor: String!, $limit: Int!) {{
  {BUDGET}
  next_items_page(cursor: $cursor, limit: $limit) {{ cursor items {{ {ITEM} }} }}
}}"""
ME = "query Me { me { id name } }"
CREATE_UPDATE = "mutation Note($item: ID!, $body: String!) { create_update(item_id: $item, body: $body) { id } }"
EDIT_UPDATE = "mutation Edit($id: ID!, $body: String!) { edit_update(id: $id, body: $body) { id } }"
UPDATES = "query Updates($item: [ID!]) { items(ids: $item) { id updates(limit: 50) { id body } } }"
BOARD_OF = "query BoardOf($item: [ID!]) { items(ids: $item) { id board { id } } }"
SET_COLUMN = """mutation OptOut($board: ID!, $item: ID!, $column: String!, $value: String) {
  change_simple_column_value(board_id: $board, item_id: $item, column_id: $column, value: $value) { id }
}"""
WATCH = """mutation Watch($board: ID!, $url: String!, $event: WebhookEventType!) {
  create_webhook(board_id: $board, url: $url, event: $event) { id }
}"""
WATCHED_EVENTS = ("create_item", "change_column_value", "change_name")
OPTED = ("true", "yes", "do not call", "dnc", "opted out", "v")


def token_url(auth_url: str) -> str:
    """monday.com's token endpoint (an authorization code for a token that does not expire)."""
    return auth_url.rstrip("/") + "/oauth2/token"


def default_mapping() -> dict[str, str]:
    """An item's name as the first name and a column named `phone`; boards name their columns freely, so a
    feed usually maps its own (`to_number` to the phone column's id)."""
    return {"to_number": "phone", "first_name": "name"}


class Monday(Connector):
    """One monday.com account."""

    kind = "monday"

    def __init__(self, secrets: dict[str, Any], *, base_url: str, opt_out_column: str | None = None) -> None:
        token = secrets["access_token"]
        self.opt_out_column = opt_out_column

        async def auth() -> dict[str, str]:
            return {"Authorization": token, "API-Version": API_VERSION}

        self.http = CrmHttp(crm="monday.com", base_url=base_url, auth=auth)
        self._cost = 0  # what the last page query cost, to keep that much budget in hand

    async def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """The query's data; a spent complexity budget waits as monday says and asks again; other errors
        refuse (authentication ones as a broken connection)."""
        for _ in range(10):
            answer = await self.http.request("POST", "/v2", json={"query": query, "variables": variables})
            errors = answer.get("errors") or []
            if not errors:
                data: dict[str, Any] = answer.get("data") or {}
                return data
            codes = {str((e.get("extensions") or {}).get("code", "")) for e in errors}
            if "ComplexityException" in codes or "COMPLEXITY_BUDGET_EXHAUSTED" in codes:
                wait = max(float((e.get("extensions") or {}).get("retry_in_seconds", 1)) for e in errors)
                await asyncio.sleep(min(wait, 60.0))
                continue
            message = "; ".join(str(e.get("message")) for e in errors)
            if codes & {"UNAUTHENTICATED", "USER_UNAUTHORIZED", "Unauthorized"}:
                raise CrmConnectionError(f"monday.com refused the token: {message}", status=401)
            raise CrmRefusedError(400, message)
        raise CrmRefusedError(429, "monday.com's complexity budget stayed spent")

    async def _within_budget(self, data: dict[str, Any]) -> None:
        budget = data.get("complexity") or {}
        self._cost = int(budget.get("query") or self._cost)
        if budget and int(budget.get("after", 0)) < 2 * self._cost:
            await asyncio.sleep(float(budget.get("reset_in_x_seconds", 1)))

    async def check(self) -> str:
        me = (await self.graphql(ME, {})).get("me") or {}
        return f"monday.com account of {me.get('name', '?')}"

    async def pages(
        self, source: dict[str, str], mapping: dict[str, str], *, cursor: str | None, since: datetime | None
    ) -> AsyncIterator[Page]:
        """The group's items (the board's, without a group), 500 a query; with `since`, only items updated
        since then are kept (monday's cursors cover the whole group). A cursor lives 60 minutes at monday."""
        if not source.get("board_id"):
            raise CrmConnectionError("monday.com: a feed reads a board (board_id) and optionally a group (group_id)")
        while True:
            if cursor:
                data = await self.graphql(NEXT, {"cursor": cursor, "limit": PAGE})
                found = data.get("next_items_page") or {}
            else:
                group = [source["group_id"]] if source.get("group_id") else None
                data = await self.graphql(FIRST, {"board": [source["board_id"]], "group": group, "limit": PAGE})
                boards = data.get("boards") or []
                groups = boards[0].get("groups") or [] if boards else []
                found = groups[0].get("items_page") or {} if groups else {}
            await self._within_budget(data)
            items = found.get("items") or []
            if since is not None:
                items = [i for i in items if str(i.get("updated_at") or "") >= since.isoformat()]
            cursor = found.get("cursor")
            yield Page(records=[self._record(i) for i in items], cursor=cursor, requests=1)
            if not cursor:
                return

    def _record(self, item: dict[str, Any]) -> CrmRecord:
        fields = {"name": str(item.get("name") or "")}
        fields.update({str(c["id"]): str(c["text"]) for c in item.get("column_values") or [] if c.get("text")})
        flag = fields.get(self.opt_out_column or "", "").strip().lower()
        opted = (
            f"{self.opt_out_column} is {fields[self.opt_out_column or '']!r} in monday.com" if flag in OPTED else None
        )
        return CrmRecord(id=str(item["id"]), fields=fields, opted_out=opted)

    async def log_call(self, record_id: str, call: CallFacts) -> str:
        """An update on the item."""
        data = await self.graphql(CREATE_UPDATE, {"item": record_id, "body": f"{call.title()}\n{call.body()}"})
        return str(data["create_update"]["id"])

    async def update_call(self, record_id: str, crm_id: str, call: CallFacts) -> None:
        await self.graphql(EDIT_UPDATE, {"id": crm_id, "body": f"{call.title()}\n{call.body()}"})

    async def find_call(self, record_id: str, call: CallFacts) -> str | None:
        items = (await self.graphql(UPDATES, {"item": [record_id]})).get("items") or []
        for update in (items[0].get("updates") or []) if items else []:
            if str(update.get("body", "")).startswith(call.title()):
                return str(update["id"])
        return None

    async def watch(self, board_id: str, url: str) -> list[str]:
        """Webhooks on the board for items created or changed (monday.com sends its challenge to `url` first)."""
        made = []
        for event in WATCHED_EVENTS:
            data = await self.graphql(WATCH, {"board": board_id, "url": url, "event": event})
            made.append(str(data["create_webhook"]["id"]))
        return made

    async def mark_opted_out(self, record_id: str) -> None:
        """The connection's opt-out column set on the item (nothing when the connection names none)."""
        if not self.opt_out_column:
            return
        items = (await self.graphql(BOARD_OF, {"item": [record_id]})).get("items") or []
        if not items:
            raise CrmRefusedError(404, f"monday.com item {record_id} not found")
        variables = {
            "board": items[0]["board"]["id"],
            "item": record_id,
            "column": self.opt_out_column,
            "value": "Do not call",
        }
        await self.graphql(SET_COLUMN, variables)
