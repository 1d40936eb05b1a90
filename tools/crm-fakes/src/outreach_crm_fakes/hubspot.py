"""A fake HubSpot: contacts, lists and their memberships, calls, search, OAuth 2.0 (authorization code,
refresh, expiry, revocation), private-app tokens and a ten-secondly rolling rate limit with HubSpot's
headers. Every API request is checked against HubSpot's published OpenAPI documents; what does not match
is refused with 400 and kept in `violations` for the tests to read. `/_fake/...` is the tests' control."""

from __future__ import annotations

import itertools
import json
import math
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from outreach_crm_fakes.app import fake_app
from outreach_crm_fakes.consent import Codes, add_consent_page, client_form
from outreach_crm_fakes.ratelimit import RollingLimit
from outreach_crm_fakes.specs import violations as check

SHOWN = {"calls": "calls", "contacts": "contacts", "violations": "violations", "requests": "requests",
         "rate_limited": "limit.refused"}  # fmt: skip


@dataclass
class HubSpotState:
    """Everything the fake holds."""

    contacts: dict[str, dict[str, str]] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, float] = field(default_factory=dict)  # access token -> expires at (inf: private app)
    refresh: dict[str, str] = field(default_factory=dict)  # refresh token -> client id
    codes: Codes = field(default_factory=Codes)
    revoked: set[str] = field(default_factory=set)
    scopes: dict[str, set[str]] = field(default_factory=dict)  # token -> scopes it lacks
    client: tuple[str, str] = ("fake-client", "fake-secret")
    violations: list[str] = field(default_factory=list)
    requests: int = 0
    limit: RollingLimit = field(default_factory=lambda: RollingLimit(190, 10.0))
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    token_seconds: float = 1800.0


def _error(status: int, message: str, category: str, **headers: str) -> JSONResponse:
    body = {"status": "error", "message": message, "category": category, "correlationId": secrets.token_hex(8)}
    return JSONResponse(body, status_code=status, headers=headers)


def create_app(state: HubSpotState | None = None) -> FastAPI:
    """The fake's app; `app.state.hubspot` is its state."""
    app, hs = fake_app("HubSpot", "hubspot", state or HubSpotState(), shown=SHOWN)

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        path = request.url.path
        if path.startswith(("/_fake", "/oauth")):
            return await call_next(request)  # type: ignore[no-any-return]
        hs.requests += 1
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if token not in hs.tokens or token in hs.revoked:
            return _error(401, "Authentication credentials not found or revoked.", "INVALID_AUTHENTICATION")
        if hs.tokens[token] < time.time():
            return _error(401, "The OAuth token used to make this call expired.", "EXPIRED_AUTHENTICATION")
        missing = hs.scopes.get(token, set())
        if path.startswith("/crm/v3/lists") and "crm.lists.read" in missing:
            return _error(403, "This app hasn't been granted all required scopes: crm.lists.read", "MISSING_SCOPES")
        allowed, left, wait = hs.limit.take(token)
        headers = {
            "X-HubSpot-RateLimit-Max": str(hs.limit.most),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(hs.limit.interval_s * 1000)),
            "X-HubSpot-RateLimit-Remaining": str(left),
        }
        if not allowed:
            headers["Retry-After"] = str(max(1, math.ceil(wait)))
            return _error(429, "You have reached your ten_secondly_rolling limit.", "RATE_LIMITS", **headers)
        body = await request.body()
        problems = check("hubspot", request, body)
        if problems:
            hs.violations += problems
            return _error(400, "; ".join(problems), "VALIDATION_ERROR")
        response: Response = await call_next(request)
        response.headers.update(headers)
        return response

    def _contact(cid: str, properties: list[str]) -> dict[str, Any]:
        props = hs.contacts[cid]
        shown = {k: v for k, v in props.items() if not k.startswith("_")}
        chosen = {p: shown.get(p) for p in properties} if properties else shown
        chosen["hs_object_id"] = cid
        at = props.get("lastmodifieddate", "2026-01-01T00:00:00Z")
        return {"id": cid, "properties": chosen, "createdAt": at, "updatedAt": at, "archived": False}

    @app.get("/crm/v3/objects/contacts")
    async def list_contacts(limit: int = 10, after: str | None = None) -> dict[str, Any]:
        ids = sorted(hs.contacts, key=int)
        start = int(after) if after else 0
        page = ids[start : start + limit]
        paging = {"next": {"after": str(start + limit)}} if start + limit < len(ids) else None
        return {"results": [_contact(c, []) for c in page], **({"paging": paging} if paging else {})}

    @app.post("/crm/v3/objects/contacts/batch/read")
    async def batch_read(request: Request) -> dict[str, Any]:
        body = await request.json()
        if len(body["inputs"]) > 100:
            return _error(400, "at most 100 inputs", "VALIDATION_ERROR")  # type: ignore[return-value]
        found = [_contact(i["id"], body.get("properties") or []) for i in body["inputs"] if i["id"] in hs.contacts]
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return {"status": "COMPLETE", "results": found, "startedAt": now, "completedAt": now}

    @app.post("/crm/v3/objects/contacts/search")
    async def search_contacts(request: Request) -> dict[str, Any]:
        body = await request.json()
        since = None
        for group in body.get("filterGroups") or []:
            for f in group.get("filters") or []:
                if f["propertyName"] == "lastmodifieddate" and f["operator"] == "GTE":
                    since = int(f["value"])
        ids = sorted(
            (c for c, p in hs.contacts.items() if since is None or int(p.get("_modified_ms", "0")) >= since), key=int
        )
        start = int(body.get("after") or 0)
        limit = int(body.get("limit") or 10)
        page = ids[start : start + limit]
        paging = {"next": {"after": str(start + limit)}} if start + limit < len(ids) else None
        return {
            "total": len(ids),
            "results": [_contact(c, body.get("properties") or []) for c in page],
            **({"paging": paging} if paging else {}),
        }

    @app.patch("/crm/v3/objects/contacts/{contact_id}")
    async def update_contact(contact_id: str, request: Request) -> Response:
        if contact_id not in hs.contacts:
            return _error(404, f"contact {contact_id} not found", "OBJECT_NOT_FOUND")
        hs.contacts[contact_id].update((await request.json())["properties"])
        return JSONResponse(_contact(contact_id, []))

    @app.get("/crm/v3/lists/{list_id}/memberships")
    async def memberships(list_id: str, limit: int = 100, after: str | None = None) -> Response:
        if list_id not in hs.lists:
            return _error(404, f"list {list_id} not found", "OBJECT_NOT_FOUND")
        if limit > 250:
            return _error(400, "limit is at most 250", "VALIDATION_ERROR")
        members = hs.lists[list_id]
        start = int(after) if after else 0
        page = members[start : start + limit]
        body: dict[str, Any] = {
            "results": [{"recordId": m, "membershipTimestamp": "2026-01-01T00:00:00Z"} for m in page]
        }
        if start + limit < len(members):
            body["paging"] = {"next": {"after": str(start + limit)}}
        return JSONResponse(body)

    @app.post("/crm/v3/objects/calls", status_code=201)
    async def create_call(request: Request) -> Response:
        body = await request.json()
        for association in body.get("associations") or []:
            if association["to"]["id"] not in hs.contacts:
                return _error(400, f"contact {association['to']['id']} does not exist", "VALIDATION_ERROR")
        cid = str(next(hs.ids))
        hs.calls[cid] = {"properties": dict(body["properties"]), "associations": body.get("associations") or []}
        return JSONResponse({"id": cid, "properties": body["properties"], "createdAt": "2026-01-01T00:00:00Z",
                             "updatedAt": "2026-01-01T00:00:00Z", "archived": False}, status_code=201)  # fmt: skip

    @app.patch("/crm/v3/objects/calls/{call_id}")
    async def update_call(call_id: str, request: Request) -> Response:
        if call_id not in hs.calls:
            return _error(404, f"call {call_id} not found", "OBJECT_NOT_FOUND")
        hs.calls[call_id]["properties"].update((await request.json())["properties"])
        props = hs.calls[call_id]["properties"]
        return JSONResponse({"id": call_id, "properties": props, "createdAt": "2026-01-01T00:00:00Z",
                             "updatedAt": "2026-01-01T00:00:00Z", "archived": False})  # fmt: skip

    @app.post("/crm/v3/objects/calls/search")
    async def search_calls(request: Request) -> dict[str, Any]:
        body = await request.json()
        wanted = {f["propertyName"]: f["value"] for g in body.get("filterGroups") or [] for f in g.get("filters") or []}
        found = [c for c, call in hs.calls.items() if all(call["properties"].get(k) == v for k, v in wanted.items())]
        results = [{"id": c, "properties": hs.calls[c]["properties"], "createdAt": "2026-01-01T00:00:00Z",
                    "updatedAt": "2026-01-01T00:00:00Z", "archived": False} for c in found]  # fmt: skip
        return {"total": len(results), "results": results}

    # --- OAuth 2.0

    add_consent_page(
        app, "/oauth/authorize", hs.client[0], hs.codes, lambda: _error(400, "unknown client_id", "BAD_CLIENT")
    )

    @app.post("/oauth/v1/token")
    async def token(request: Request) -> Response:
        if (form := await client_form(request, hs.client)) is None:
            return _error(400, "client credentials are wrong", "BAD_CLIENT_ID")
        if form.get("grant_type") == "authorization_code":
            if not hs.codes.redeem(form):
                return _error(400, "code is invalid, used or for another redirect_uri", "BAD_AUTH_CODE")
        elif form.get("grant_type") == "refresh_token":
            if str(form.get("refresh_token")) not in hs.refresh or str(form.get("refresh_token")) in hs.revoked:
                return _error(400, "refresh token is invalid or revoked", "BAD_REFRESH_TOKEN")
        else:
            return _error(400, "unsupported grant_type", "BAD_GRANT_TYPE")
        access = "oauth-" + secrets.token_urlsafe(16)
        hs.tokens[access] = time.time() + hs.token_seconds
        refresh = str(form.get("refresh_token") or secrets.token_urlsafe(16))
        hs.refresh[refresh] = hs.client[0]
        return JSONResponse(
            {
                "token_type": "bearer",
                "access_token": access,
                "refresh_token": refresh,
                "expires_in": int(hs.token_seconds),
            }
        )

    # --- the tests' control

    @app.post("/_fake/private-app-token")
    async def private_token(request: Request) -> dict[str, str]:
        body = await request.json() if (await request.body()) else {}
        token = "pat-" + secrets.token_urlsafe(16)
        hs.tokens[token] = math.inf
        hs.scopes[token] = set(body.get("missing_scopes") or [])
        return {"token": token}

    @app.post("/_fake/revoke")
    async def revoke(request: Request) -> dict[str, int]:
        body = await request.json()
        hs.revoked.update(body.get("tokens") or [])
        if body.get("all"):
            hs.revoked.update(hs.tokens)
            hs.revoked.update(hs.refresh)
        return {"revoked": len(hs.revoked)}

    @app.post("/_fake/expire")
    async def expire() -> dict[str, int]:
        for t, at in list(hs.tokens.items()):
            if at != math.inf:
                hs.tokens[t] = 0.0
        return {"expired": len(hs.tokens)}

    @app.post("/_fake/contacts")
    async def seed(request: Request) -> dict[str, Any]:
        """{"list_id": "7", "contacts": [{...properties}], "limit": [most, interval_s]}: contacts added (and to
        the list); ids returned in order."""
        body = json.loads(await request.body())
        ids = []
        now_ms = str(int(time.time() * 1000))
        for props in body.get("contacts") or []:
            cid = str(props.pop("id", None) or next(hs.ids))
            hs.contacts[cid] = {**{k: str(v) for k, v in props.items()}, "_modified_ms": now_ms}
            ids.append(cid)
        if body.get("list_id"):
            hs.lists.setdefault(str(body["list_id"]), []).extend(ids)
        if body.get("limit"):
            hs.limit = RollingLimit(int(body["limit"][0]), float(body["limit"][1]))
        return {"ids": ids}

    @app.post("/_fake/touch")
    async def touch(request: Request) -> dict[str, int]:
        """{"ids": [...], "properties": {...}}: contacts changed now (for incremental syncs)."""
        body = await request.json()
        now_ms = str(int(time.time() * 1000))
        for cid in body["ids"]:
            hs.contacts[cid].update(
                {**{k: str(v) for k, v in (body.get("properties") or {}).items()}, "_modified_ms": now_ms}
            )
        return {"touched": len(body["ids"])}

    return app
