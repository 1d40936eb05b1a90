"""A fake GoHighLevel (API v2): a location's contacts with tags, `dnd` and update times, contact search paged
by `searchAfter`, pipelines' opportunities paged by `startAfter`/`startAfterId`, notes and tags, private
integration tokens (one location each) and OAuth location tokens with webhooks (`gohighlevel_auth`), the
`Version` header required, and a burst limit with GoHighLevel's
`X-RateLimit-*` headers. Every API request is checked against GoHighLevel's published OpenAPI documents
(its contact search body is an empty schema there: known gap, so only its path, headers and JSON are)."""

from __future__ import annotations

import itertools
import math
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from outreach_crm_fakes.app import fake_app
from outreach_crm_fakes.gohighlevel_auth import GhlApp, add_oauth, announce
from outreach_crm_fakes.ratelimit import RollingLimit
from outreach_crm_fakes.specs import violations as check

SHOWN = {"contacts": "contacts", "notes": "notes", "violations": "violations", "rate_limited": "limit.refused"}


@dataclass
class GoHighLevelState:
    """Everything the fake holds."""

    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    notes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # contact -> note id -> note
    tokens: dict[str, str] = field(default_factory=dict)  # token -> location id
    violations: list[str] = field(default_factory=list)
    limit: RollingLimit = field(default_factory=lambda: RollingLimit(100, 10.0))
    app: GhlApp = field(default_factory=GhlApp)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add_contact(self, location_id: str, fields: dict[str, Any], pipeline: list[str] | None) -> str:
        """A contact of the location added now, with an open opportunity at `pipeline` ([id, stage]) if given."""
        n = next(self.ids)
        cid = f"c{n:06d}"
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        self.contacts[cid] = {"id": cid, "locationId": location_id, "tags": [], "dnd": False, "_order": n,
                              "dateUpdated": now, **fields}  # fmt: skip
        if pipeline:
            self.opportunities.append({"id": f"o{n:06d}", "contactId": cid, "pipelineId": pipeline[0],
                                       "pipelineStageId": pipeline[1], "name": f"deal {n}",
                                       "status": "open"})  # fmt: skip
        return cid


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"statusCode": status, "message": message}, status_code=status, headers=headers)


def _public(contact: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in contact.items() if not k.startswith("_")}


def create_app(state: GoHighLevelState | None = None) -> FastAPI:
    """The fake's app; `app.state.gohighlevel` is its state."""
    app, ghl = fake_app("GoHighLevel", "gohighlevel", state or GoHighLevelState(), shown=SHOWN)

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        if request.url.path.startswith(("/_fake", "/oauth/chooselocation")):
            return await call_next(request)  # type: ignore[no-any-return]
        if request.url.path.startswith("/oauth/"):  # the token endpoint: no token, but checked as documented
            problems = check("gohighlevel", request, await request.body())
            ghl.violations += problems
            return _error(422, "; ".join(problems)) if problems else await call_next(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if token not in ghl.tokens:
            return _error(401, "Invalid JWT")
        if ghl.app.expired(token):
            return _error(401, "Invalid JWT: the token expired")
        if request.headers.get("Version") != "2021-07-28":
            return _error(400, "Version header is missing or unsupported")
        allowed, left, wait = ghl.limit.take(token)
        headers = {"X-RateLimit-Max": str(ghl.limit.most), "X-RateLimit-Remaining": str(left),
                   "X-RateLimit-Interval-Milliseconds": str(int(ghl.limit.interval_s * 1000))}  # fmt: skip
        if not allowed:
            return _error(429, "Too many requests", **headers, **{"Retry-After": str(max(1, math.ceil(wait)))})
        problems = check("gohighlevel", request, await request.body())
        if problems:
            ghl.violations += problems
            return _error(422, "; ".join(problems))
        request.state.location = ghl.tokens[token]
        response: Response = await call_next(request)
        response.headers.update(headers)
        return response

    def _mine(request: Request, contact_id: str) -> dict[str, Any] | None:
        contact = ghl.contacts.get(contact_id)
        return contact if contact and contact["locationId"] == request.state.location else None

    @app.get("/contacts/")
    async def list_contacts(request: Request, locationId: str, limit: int = 20) -> Response:  # noqa: N803
        if locationId != request.state.location:
            return _error(403, "The token does not have access to this location")
        found = [c for c in ghl.contacts.values() if c["locationId"] == locationId][:limit]
        return JSONResponse({"contacts": found, "count": len(found)})

    @app.post("/contacts/search")
    async def search(request: Request) -> Response:
        body = await request.json()
        if body.get("locationId") != request.state.location:
            return _error(403, "The token does not have access to this location")
        mine = sorted(
            (c for c in ghl.contacts.values() if c["locationId"] == body["locationId"]), key=lambda c: c["_order"]
        )
        for f in body.get("filters") or []:
            if f["field"] == "tags":
                mine = [c for c in mine if f["value"] in c.get("tags", [])]
            elif f["field"] == "dateUpdated":
                mine = [c for c in mine if c["dateUpdated"] >= f["value"]["gte"]]
        after = body.get("searchAfter")
        if after:
            mine = [c for c in mine if c["_order"] > after[1]]
        page = mine[: int(body.get("pageLimit") or 20)]
        shown = [{**_public(c), "searchAfter": [c["dateUpdated"], c["_order"]]} for c in page]
        return JSONResponse({"contacts": shown, "total": len(mine)})

    @app.get("/opportunities/search")
    async def opportunities(
        request: Request,
        location_id: str,
        pipeline_id: str,
        limit: int = 20,
        pipeline_stage_id: str | None = None,
        startAfterId: str | None = None,  # noqa: N803
    ) -> Response:
        stage = pipeline_stage_id
        found = [
            o
            for o in ghl.opportunities
            if o["pipelineId"] == pipeline_id and (stage is None or o["pipelineStageId"] == stage)
        ]
        if location_id != request.state.location:
            return _error(403, "The token does not have access to this location")
        if startAfterId:
            found = found[[o["id"] for o in found].index(startAfterId) + 1 :]
        page = found[:limit]
        with_contacts = [{**o, "contact": _public(ghl.contacts[o["contactId"]])} for o in page]
        more = len(found) > limit
        meta = {"total": len(found), "startAfterId": page[-1]["id"] if more else None,
                "startAfter": int(time.time() * 1000) if more else None, "nextPage": 2 if more else None}  # fmt: skip
        return JSONResponse({"opportunities": with_contacts, "meta": meta})

    @app.post("/contacts/{contact_id}/notes", status_code=201)
    async def add_note(contact_id: str, request: Request) -> Response:
        if _mine(request, contact_id) is None:
            return _error(400, "Contact not found")
        body = await request.json()
        note = {
            "id": f"note{next(ghl.ids)}",
            "body": body["body"],
            "contactId": contact_id,
            "dateAdded": "2026-01-01T00:00:00Z",
        }
        ghl.notes.setdefault(contact_id, {})[note["id"]] = note
        return JSONResponse({"note": note}, status_code=201)

    @app.get("/contacts/{contact_id}/notes")
    async def notes(contact_id: str, request: Request) -> Response:
        if _mine(request, contact_id) is None:
            return _error(400, "Contact not found")
        return JSONResponse({"notes": list(ghl.notes.get(contact_id, {}).values())})

    @app.put("/contacts/{contact_id}/notes/{note_id}")
    async def update_note(contact_id: str, note_id: str, request: Request) -> Response:
        note = ghl.notes.get(contact_id, {}).get(note_id)
        if note is None or _mine(request, contact_id) is None:
            return _error(400, "Note not found")
        note["body"] = (await request.json())["body"]
        return JSONResponse({"note": note})

    @app.post("/contacts/{contact_id}/tags", status_code=201)
    async def add_tags(contact_id: str, request: Request) -> Response:
        contact = _mine(request, contact_id)
        if contact is None:
            return _error(400, "Contact not found")
        contact["tags"] = sorted({*contact.get("tags", []), *(await request.json())["tags"]})
        return JSONResponse({"tags": contact["tags"]}, status_code=201)

    @app.put("/contacts/{contact_id}")
    async def update_contact(contact_id: str, request: Request) -> Response:
        contact = _mine(request, contact_id)
        if contact is None:
            return _error(400, "Contact not found")
        contact.update(await request.json())
        return JSONResponse({"succeded": True, "contact": _public(contact)})

    add_oauth(app, ghl.app, ghl.tokens, _error)

    # --- the tests' control

    @app.post("/_fake/token")
    async def new_token(request: Request) -> dict[str, str]:
        token = "pit-" + secrets.token_urlsafe(16)
        ghl.tokens[token] = (await request.json())["location_id"]
        return {"token": token}

    @app.post("/_fake/contacts")
    async def seed(request: Request) -> dict[str, Any]:
        """{"location_id", "contacts": [...], "pipeline": [pipeline_id, stage_id], "limit": [most, s]}."""
        body = await request.json()
        ids = [ghl.add_contact(body["location_id"], c, body.get("pipeline")) for c in body.get("contacts") or []]
        if body.get("limit"):
            ghl.limit = RollingLimit(int(body["limit"][0]), float(body["limit"][1]))
        announce(ghl.app, body["location_id"], [ghl.contacts[i] for i in ids])
        return {"ids": ids}

    return app
