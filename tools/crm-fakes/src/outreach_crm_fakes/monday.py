"""A fake monday.com GraphQL API: boards, groups and items with column values, `items_page` and
`next_items_page` cursors, updates, simple column changes, personal and OAuth tokens, webhooks
(`monday_push`), the `API-Version` header and a
complexity budget that runs out (monday's `COMPLEXITY_BUDGET_EXHAUSTED` error with `retry_in_seconds`).
Every query is validated with graphql-core against monday's published schema; one that does not validate is
refused and listed in `violations`."""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from graphql import FieldNode, GraphQLSchema, OperationDefinitionNode, build_schema, parse, validate

from outreach_crm_fakes.app import fake_app
from outreach_crm_fakes.monday_push import MondayApp, add_oauth
from outreach_crm_fakes.specs import specs_folder

SHOWN = {"items": "items", "violations": "violations", "exhausted": "exhausted"}


@cache
def schema() -> GraphQLSchema:
    """monday.com's published schema (SDL)."""
    return build_schema((specs_folder() / "monday" / "schema.graphql").read_text())


@dataclass
class MondayState:
    """Everything the fake holds."""

    boards: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # board -> group -> item ids
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    violations: list[str] = field(default_factory=list)
    budget: int = 5_000_000  # complexity per `reset_s`
    reset_s: float = 60.0
    spent: list[tuple[float, int]] = field(default_factory=list)
    exhausted: int = 0
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(100))
    push: MondayApp = field(default_factory=MondayApp)

    def new_token(self) -> str:
        """A new personal API token."""
        token = "mon-" + secrets.token_urlsafe(16)
        self.tokens.add(token)
        return token

    def add_item(self, board: str, group: str, item: dict[str, Any]) -> str:
        """An item ({"name", "columns"}) added now to the board's group; its id."""
        item_id = str(next(self.ids))
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.items[item_id] = {"name": item.get("name", ""), "columns": dict(item.get("columns") or {}),
                               "board": board, "updated_at": now, "updates": []}  # fmt: skip
        self.boards.setdefault(board, {}).setdefault(group, []).append(item_id)
        return item_id

    def left(self) -> tuple[int, float]:
        now = time.monotonic()
        self.spent = [(t, c) for t, c in self.spent if t > now - self.reset_s]
        reset = self.spent[0][0] + self.reset_s - now if self.spent else self.reset_s
        return self.budget - sum(c for _, c in self.spent), max(reset, 0.0)


def _fields(selection: Any) -> dict[str, FieldNode]:
    return {f.name.value: f for f in selection.selections if isinstance(f, FieldNode)}


def create_app(state: MondayState | None = None) -> FastAPI:
    """The fake's app; `app.state.monday` is its state."""
    app, mo = fake_app("monday.com", "monday", state or MondayState(), shown=SHOWN)

    def page(board: str, group: str | None, offset: int, limit: int) -> dict[str, Any]:
        ids = mo.boards[board][group] if group else [i for g in mo.boards[board].values() for i in g]
        chosen = ids[offset : offset + limit]
        more = offset + limit < len(ids)
        cursor = f"{board}:{group or ''}:{offset + limit}" if more else None
        return {"cursor": cursor, "items": [_item(i) for i in chosen]}

    def _item(item_id: str) -> dict[str, Any]:
        item = mo.items[item_id]
        columns = [{"id": k, "text": v} for k, v in item["columns"].items()]
        return {"id": item_id, "name": item["name"], "updated_at": item["updated_at"], "column_values": columns,
                "board": {"id": item["board"]}, "updates": item["updates"]}  # fmt: skip

    @app.post("/v2")
    async def graphql(request: Request) -> Response:
        token = request.headers.get("Authorization", "")
        if token not in mo.tokens:
            refused = {"message": "Not Authenticated", "extensions": {"code": "UNAUTHENTICATED"}}
            return JSONResponse({"errors": [refused]}, status_code=401)
        if not request.headers.get("API-Version"):
            return JSONResponse({"errors": [{"message": "API-Version header required"}]}, status_code=400)
        body = await request.json()
        document = parse(body["query"])
        problems = [e.message for e in validate(schema(), document)]
        if problems:
            mo.violations += problems
            return JSONResponse({"errors": [{"message": p} for p in problems]}, status_code=200)
        operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        top = _fields(operation.selection_set)
        v = body.get("variables") or {}
        cost = int(v.get("limit", 1)) * 10 if ("boards" in top or "next_items_page" in top) else 10
        left, reset = mo.left()
        if cost > left:
            mo.exhausted += 1
            code = {"code": "COMPLEXITY_BUDGET_EXHAUSTED", "retry_in_seconds": max(1, round(reset))}
            error = {"message": "Complexity budget exhausted", "extensions": code}
            return JSONResponse({"errors": [error]})
        mo.spent.append((time.monotonic(), cost))
        data: dict[str, Any] = {}
        if "complexity" in top:
            data["complexity"] = {
                "before": left,
                "after": left - cost,
                "query": cost,
                "reset_in_x_seconds": round(reset),
            }
        if "me" in top:
            data["me"] = {"id": "1", "name": "Fake User"}
        if "boards" in top:
            board = str(v["board"][0])
            groups = v.get("group") or [None]
            data["boards"] = (
                [{"groups": [{"items_page": page(board, groups[0], 0, int(v["limit"]))}]}] if board in mo.boards else []
            )
        if "next_items_page" in top:
            board, group, offset = str(v["cursor"]).split(":")
            data["next_items_page"] = page(board, group or None, int(offset), int(v["limit"]))
        if "items" in top:
            data["items"] = [_item(str(i)) for i in v.get("item") or [] if str(i) in mo.items]
        if "create_update" in top:
            uid = str(next(mo.ids))
            mo.items[str(v["item"])]["updates"].insert(0, {"id": uid, "body": v["body"]})
            data["create_update"] = {"id": uid}
        if "edit_update" in top:
            for item in mo.items.values():
                for update in item["updates"]:
                    if update["id"] == str(v["id"]):
                        update["body"] = v["body"]
            data["edit_update"] = {"id": str(v["id"])}
        if "create_webhook" in top:
            made = await mo.push.make(token, str(v["board"]), str(v["url"]), str(v["event"]), str(next(mo.ids)))
            if made is None:
                error = {"message": "Failed to communicate with URL provided.", "extensions": {"code": "InvalidUrl"}}
                return JSONResponse({"errors": [error]})
            data["create_webhook"] = {"id": made}
        if "change_simple_column_value" in top:
            mo.items[str(v["item"])]["columns"][v["column"]] = v["value"]
            data["change_simple_column_value"] = {"id": str(v["item"])}
        return JSONResponse({"data": data, "account_id": 1})

    def _error(status: int, message: str) -> Response:
        return JSONResponse({"error": message, "error_description": message}, status_code=status)

    add_oauth(app, mo.push, mo.tokens, _error)

    @app.post("/_fake/token")
    async def new_token() -> dict[str, str]:
        return {"token": mo.new_token()}

    @app.post("/_fake/items")
    async def seed(request: Request) -> dict[str, Any]:
        """{"board", "group", "items": [{"name", "columns": {...}}], "budget": [complexity, reset_s]}."""
        body = await request.json()
        ids = [mo.add_item(body["board"], body["group"], item) for item in body.get("items") or []]
        if body.get("budget"):
            mo.budget, mo.reset_s = int(body["budget"][0]), float(body["budget"][1])
        mo.push.announce(body["board"], ids)
        return {"ids": ids}

    return app
