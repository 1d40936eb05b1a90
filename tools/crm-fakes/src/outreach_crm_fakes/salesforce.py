"""A fake Salesforce org: Contacts, Leads, Campaign members, Tasks and list views; the REST query API with
its batches and `nextRecordsUrl`, sObject create and update, the OAuth 2.0 web server flow (authorization
code, refresh, sessions that expire) and `Sforce-Limit-Info` on every answer, with a daily limit that runs
out (403 REQUEST_LIMIT_EXCEEDED). Salesforce publishes no static OpenAPI document: the fake follows its REST
API guide, and refuses a query it does not understand as MALFORMED_QUERY."""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from outreach_crm_fakes import soql
from outreach_crm_fakes.app import fake_app
from outreach_crm_fakes.consent import Codes, add_consent_page, client_form

API = "/services/data/v62.0"
PREFIX = {"Contact": "003", "Lead": "00Q", "Task": "00T"}
SHOWN = {"objects": "objects", "malformed": "malformed", "used": "used"}


@dataclass
class SalesforceState:
    """Everything the fake holds."""

    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {k: {} for k in PREFIX})
    campaign_members: list[tuple[str, str]] = field(default_factory=list)  # (campaign id, contact or lead id)
    list_views: dict[str, str] = field(default_factory=dict)  # id -> its query
    sessions: set[str] = field(default_factory=set)
    refresh: set[str] = field(default_factory=set)
    codes: Codes = field(default_factory=Codes)
    client: tuple[str, str] = ("sf-client", "sf-secret")
    batch: int = 2000
    daily_limit: int = 15000
    used: int = 0
    cursors: dict[str, list[str]] = field(default_factory=dict)  # locator -> ids left
    malformed: list[str] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    base_url: str = ""

    def new_session(self) -> str:
        """A new session id (an access token)."""
        session = "00D" + secrets.token_urlsafe(20)
        self.sessions.add(session)
        return session

    def new_id(self, object_name: str) -> str:
        return f"{PREFIX[object_name]}{next(self.ids):012d}AAA"


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse([{"message": message, "errorCode": code}], status_code=status)


def create_app(state: SalesforceState | None = None) -> FastAPI:
    """The fake's app; `app.state.salesforce` is its state."""
    app, sf = fake_app("Salesforce", "salesforce", state or SalesforceState(), shown=SHOWN)

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        path = request.url.path
        if not path.startswith("/services/data"):
            return await call_next(request)  # type: ignore[no-any-return]
        if request.headers.get("Authorization", "").removeprefix("Bearer ") not in sf.sessions:
            return _error(401, "INVALID_SESSION_ID", "Session expired or invalid")
        if sf.used >= sf.daily_limit:
            return _error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        sf.used += 1
        response: Response = await call_next(request)
        response.headers["Sforce-Limit-Info"] = f"api-usage={sf.used}/{sf.daily_limit}"
        return response

    def members(key: str, campaign: str) -> set[str]:
        prefix = PREFIX["Contact" if key.lower() == "contactid" else "Lead"]
        return {who for c, who in sf.campaign_members if c == campaign and who.startswith(prefix)}

    def batch(object_name: str, fields: list[str], ids: list[str]) -> dict[str, Any]:
        chosen, rest = ids[: sf.batch], ids[sf.batch :]
        rows = [{"attributes": {"type": object_name, "url": f"{API}/sobjects/{object_name}/{i}"},
                 **{f: {"Id": i, **sf.objects[object_name][i]}.get(f) for f in fields}} for i in chosen]  # fmt: skip
        body: dict[str, Any] = {"totalSize": len(ids), "done": not rest, "records": rows}
        if rest:
            locator = f"01g{secrets.token_hex(6)}-{len(chosen)}"
            sf.cursors[locator] = rest
            body["nextRecordsUrl"] = f"{API}/query/{locator}"
            body["_fields"] = fields
        return body

    @app.get(f"{API}/limits")
    async def limits() -> dict[str, Any]:
        return {"DailyApiRequests": {"Max": sf.daily_limit, "Remaining": sf.daily_limit - sf.used}}

    @app.get(f"{API}/query")
    async def query(q: str) -> Response:
        try:
            parsed = soql.parse(q, members)
        except soql.MalformedQueryError as exc:
            sf.malformed.append(q)
            return _error(400, "MALFORMED_QUERY", str(exc))
        if parsed.object not in sf.objects:
            return _error(400, "INVALID_TYPE", f"sObject type '{parsed.object}' is not supported.")
        rows = sf.objects[parsed.object]
        ids = sorted(i for i, row in rows.items() if parsed.where({"Id": i, **row}))
        body = batch(parsed.object, parsed.fields, ids)
        if "nextRecordsUrl" in body:
            sf.cursors[body["nextRecordsUrl"].rsplit("/", 1)[1] + ":meta"] = [parsed.object, *body.pop("_fields")]
        return JSONResponse(body)

    @app.get(f"{API}/query/{{locator}}")
    async def more(locator: str) -> Response:
        if locator not in sf.cursors:
            return _error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        object_name, *fields = sf.cursors.pop(locator + ":meta")
        body = batch(object_name, fields, sf.cursors.pop(locator))
        if "nextRecordsUrl" in body:
            sf.cursors[body["nextRecordsUrl"].rsplit("/", 1)[1] + ":meta"] = [object_name, *body.pop("_fields")]
        return JSONResponse(body)

    @app.get(f"{API}/sobjects/{{object_name}}/listviews/{{view_id}}/describe")
    async def describe(object_name: str, view_id: str) -> Response:
        if view_id not in sf.list_views:
            return _error(404, "NOT_FOUND", "The requested resource does not exist")
        return JSONResponse({"id": view_id, "query": sf.list_views[view_id], "sobjectType": object_name})

    @app.post(f"{API}/sobjects/Task", status_code=201)
    async def create_task(request: Request) -> Response:
        body = await request.json()
        who = body.get("WhoId", "")
        if not any(who in sf.objects[o] for o in ("Contact", "Lead")):
            return _error(400, "INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {who}")
        task_id = sf.new_id("Task")
        sf.objects["Task"][task_id] = dict(body)
        return JSONResponse({"id": task_id, "success": True, "errors": []}, status_code=201)

    @app.patch(f"{API}/sobjects/{{object_name}}/{{record_id}}", status_code=204)
    async def update(object_name: str, record_id: str, request: Request) -> Response:
        if record_id not in sf.objects.get(object_name, {}):
            return _error(404, "NOT_FOUND", "The requested resource does not exist")
        sf.objects[object_name][record_id].update(await request.json())
        return Response(status_code=204)

    # --- OAuth 2.0 web server flow

    def refused() -> Response:
        return _error(400, "invalid_client_id", "client identifier invalid")

    add_consent_page(app, "/services/oauth2/authorize", sf.client[0], sf.codes, refused)

    @app.post("/services/oauth2/token")
    async def token(request: Request) -> Response:
        if (form := await client_form(request, sf.client)) is None:
            return JSONResponse({"error": "invalid_client", "error_description": "invalid client credentials"}, 400)
        grant = form.get("grant_type")
        if grant == "authorization_code" and not sf.codes.redeem(form):
            return JSONResponse({"error": "invalid_grant", "error_description": "authentication failure"}, 400)
        if grant == "refresh_token" and str(form.get("refresh_token")) not in sf.refresh:
            return JSONResponse({"error": "invalid_grant", "error_description": "expired access/refresh token"}, 400)
        if grant not in ("authorization_code", "refresh_token"):
            return JSONResponse({"error": "unsupported_grant_type"}, 400)
        body = {"access_token": sf.new_session(), "instance_url": sf.base_url or str(request.base_url).rstrip("/"),
                "token_type": "Bearer", "issued_at": str(int(time.time() * 1000))}  # fmt: skip
        if grant == "authorization_code":
            refresh = secrets.token_urlsafe(20)
            sf.refresh.add(refresh)
            body["refresh_token"] = refresh
        return JSONResponse(body)

    # --- the tests' control

    @app.post("/_fake/session")
    async def session() -> dict[str, str]:
        return {"token": sf.new_session()}

    @app.post("/_fake/expire")
    async def expire() -> dict[str, int]:
        count = len(sf.sessions)
        sf.sessions.clear()
        return {"expired": count}

    @app.post("/_fake/records")
    async def seed(request: Request) -> dict[str, Any]:
        """{"object": "Contact", "records": [...], "campaign_id": optional, "list_view": [id, query],
        "daily_limit": n, "batch": n}."""
        body = await request.json()
        ids = []
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime())
        for fields in body.get("records") or []:
            record_id = sf.new_id(body["object"])
            sf.objects[body["object"]][record_id] = {"DoNotCall": False, "LastModifiedDate": now, **fields}
            ids.append(record_id)
            if body.get("campaign_id"):
                sf.campaign_members.append((body["campaign_id"], record_id))
        if body.get("list_view"):
            sf.list_views[body["list_view"][0]] = body["list_view"][1]
        for key in ("daily_limit", "batch"):
            if body.get(key):
                setattr(sf, key, int(body[key]))
        return {"ids": ids}

    return app
