"""A fake Lead Docket firm: leads with statuses, case types, `DoNotContact` and update times, paged by
`page`; notes; status changes; an API key per firm (`api_key` header). Lead Docket serves its API
description per firm only, so the fake follows the same shape the connector does, and refuses requests
outside it (unknown paths, statuses, or bodies without their fields) with 400, listed in `violations`."""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from outreach_crm_fakes.app import fake_app

SHOWN = {"leads": "leads", "notes": "notes", "violations": "violations"}


@dataclass
class LeadDocketState:
    """Everything the fake holds."""

    statuses: list[str] = field(default_factory=lambda: ["New", "Contacted", "Signed Up", "Rejected"])
    leads: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)
    page_size: int = 50
    violations: list[str] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(5000))

    def add_lead(self, fields: dict[str, Any]) -> str:
        """A lead added now (status New unless `fields` say otherwise); its id."""
        lead_id = str(next(self.ids))
        now = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
        self.leads[lead_id] = {"Id": lead_id, "Status": "New", "DoNotContact": False, "UpdatedDate": now, **fields}
        return lead_id


def create_app(state: LeadDocketState | None = None) -> FastAPI:
    """The fake's app; `app.state.leaddocket` is its state."""
    app, ld = fake_app("Lead Docket", "leaddocket", state or LeadDocketState(), shown=SHOWN)

    def refuse(message: str) -> JSONResponse:
        ld.violations.append(message)
        return JSONResponse({"Message": message}, status_code=400)

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        if request.url.path.startswith("/_fake"):
            return await call_next(request)  # type: ignore[no-any-return]
        if request.headers.get("api_key") not in ld.keys:
            return JSONResponse({"Message": "Authorization has been denied for this request."}, status_code=401)
        return await call_next(request)  # type: ignore[no-any-return]

    @app.get("/api/statuses")
    async def statuses() -> list[dict[str, Any]]:
        return [{"Id": n, "Name": s} for n, s in enumerate(ld.statuses, start=1)]

    @app.get("/api/leads")
    async def leads(
        status: str,
        page: int = 1,
        caseType: str | None = None,  # noqa: N803
        updatedSince: str | None = None,  # noqa: N803
    ) -> Response:
        if status not in ld.statuses:
            return refuse(f"unknown status {status!r}")
        found = [lead for lead in ld.leads.values() if lead["Status"] == status
                 and (caseType is None or lead.get("CaseType") == caseType)
                 and (updatedSince is None or lead["UpdatedDate"] >= updatedSince[:19])]  # fmt: skip
        count = max(1, -(-len(found) // ld.page_size))
        chosen = found[(page - 1) * ld.page_size : page * ld.page_size]
        return JSONResponse({"leads": chosen, "page": page, "pageCount": count, "total": len(found)})

    @app.post("/api/leads/{lead_id}/notes")
    async def add_note(lead_id: str, request: Request) -> Response:
        body = await request.json()
        if lead_id not in ld.leads or not body.get("Note"):
            return refuse(f"POST notes of {lead_id}: unknown lead or no Note")
        note = {"Id": str(next(ld.ids)), "Note": body["Note"]}
        ld.notes.setdefault(lead_id, {})[note["Id"]] = note
        return JSONResponse(note)

    @app.get("/api/leads/{lead_id}/notes")
    async def notes(lead_id: str) -> Response:
        return JSONResponse(list(ld.notes.get(lead_id, {}).values()))

    @app.put("/api/leads/{lead_id}/notes/{note_id}")
    async def edit_note(lead_id: str, note_id: str, request: Request) -> Response:
        note = ld.notes.get(lead_id, {}).get(note_id)
        body = await request.json()
        if note is None or not body.get("Note"):
            return refuse(f"PUT note {note_id}: unknown note or no Note")
        note["Note"] = body["Note"]
        return JSONResponse(note)

    @app.put("/api/leads/{lead_id}/status")
    async def move(lead_id: str, request: Request) -> Response:
        status = (await request.json()).get("Status")
        if lead_id not in ld.leads or status not in ld.statuses:
            return refuse(f"PUT status of {lead_id}: unknown lead or status {status!r}")
        ld.leads[lead_id]["Status"] = status
        return JSONResponse(ld.leads[lead_id])

    @app.put("/api/leads/{lead_id}")
    async def update(lead_id: str, request: Request) -> Response:
        if lead_id not in ld.leads:
            return refuse(f"PUT {lead_id}: unknown lead")
        ld.leads[lead_id].update(await request.json())
        return JSONResponse(ld.leads[lead_id])

    @app.post("/_fake/key")
    async def new_key() -> dict[str, str]:
        key = secrets.token_hex(16)
        ld.keys.add(key)
        return {"key": key}

    @app.post("/_fake/revoke")
    async def revoke(request: Request) -> dict[str, int]:
        """{"key"}: the firm deleted that API key."""
        ld.keys.discard((await request.json())["key"])
        return {"keys": len(ld.keys)}

    @app.post("/_fake/leads")
    async def seed(request: Request) -> dict[str, Any]:
        body = await request.json()
        ids = [ld.add_lead(fields) for fields in body.get("leads") or []]
        if body.get("page_size"):
            ld.page_size = int(body["page_size"])
        return {"ids": ids}

    return app
