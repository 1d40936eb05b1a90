"""Do-not-call list API: add numbers one by one or from a CSV, look up, list and remove."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from outreach_common.errors import unprocessable
from outreach_common.identity import REQUIRED, Caller
from pydantic import BaseModel, ConfigDict, Field

from outreach_ingest.adapters.csvfiles import detect, header
from outreach_ingest.domain.phones import InvalidPhone, normalise_phone
from outreach_ingest.entrypoints.schemas import DncAdded, DncEntry, DncPage
from outreach_ingest.entrypoints.uploads import store_upload
from outreach_ingest.handlers.dnc import DncDeps, add_numbers, numbers_in_file

router = APIRouter(prefix="/dnc", tags=["do-not-call"], dependencies=REQUIRED)


class NumbersIn(BaseModel):
    """Numbers to put on the workspace's do-not-call list."""

    model_config = ConfigDict(extra="forbid")

    phones: list[str] = Field(min_length=1, max_length=10_000, description="Numbers in any common format")
    reason: str | None = Field(default=None, description="Why (kept with each entry)")
    default_region: str = Field(default="US", description="Region of numbers without a country code")


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "_id"}


@router.post("", response_model=DncAdded, summary="Add numbers to the do-not-call list")
async def add(body: NumbersIn, request: Request, who: Caller) -> dict[str, Any]:
    """New entries are published (ContactOptedOut, channel `dnc`): the scheduler exits those contacts."""
    deps: DncDeps = request.app.state.dnc_deps
    result = await add_numbers(
        who.workspace_id,
        enumerate(body.phones, start=1),
        deps,
        source="api",
        reason=body.reason,
        default_region=body.default_region,
    )
    return {"added": result.added, "already_listed": result.already, "invalid": result.invalid}


@router.post("/imports", response_model=DncAdded, summary="Add the numbers of a CSV file to the do-not-call list")
async def import_file(
    request: Request,
    who: Caller,
    file: Annotated[UploadFile, File(description="CSV of numbers")],
    column: Annotated[str | None, Form(description="Column of numbers (default: the first)")] = None,
    has_headers: Annotated[bool, Form()] = True,
    reason: Annotated[str | None, Form()] = None,
    default_region: Annotated[str, Form()] = "US",
) -> dict[str, Any]:
    """Every number of the file; invalid ones come back with their row and reason."""
    deps: DncDeps = request.app.state.dnc_deps
    path = Path(request.app.state.settings.upload_dir) / f"dnc_{uuid.uuid4().hex[:12]}.csv"
    await store_upload(file, path)
    try:
        dialect = await asyncio.to_thread(detect, path, has_headers=has_headers)
        names, _ = await asyncio.to_thread(header, path, dialect)
        if column is not None and names is not None and column not in names:
            raise unprocessable((["body", "column"], f"no column named {column!r}"))
        result = await add_numbers(
            who.workspace_id,
            numbers_in_file(path, dialect, column),
            deps,
            source="import",
            reason=reason,
            default_region=default_region,
        )
    finally:
        path.unlink(missing_ok=True)
    return {"added": result.added, "already_listed": result.already, "invalid": result.invalid}


@router.get("", response_model=DncPage, summary="List the do-not-call list")
async def list_entries(
    request: Request, who: Caller, after: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> dict[str, Any]:
    """Entries in order; pass `next` back as `after` for the next page."""
    deps: DncDeps = request.app.state.dnc_deps
    docs = await deps.dnc.page(who.workspace_id, after=after, limit=limit)
    return {"items": [_public(d) for d in docs], "next": docs[-1]["_id"] if len(docs) == limit else None}


def _phone(raw: str) -> str:
    try:
        return normalise_phone(raw)
    except InvalidPhone as exc:
        raise unprocessable((["path", "phone"], str(exc))) from exc


@router.get("/{phone}", response_model=DncEntry, summary="Is a number on the do-not-call list")
async def get_entry(phone: str, request: Request, who: Caller) -> dict[str, Any]:
    """The entry, or 404."""
    deps: DncDeps = request.app.state.dnc_deps
    doc = await deps.dnc.get(who.workspace_id, _phone(phone))
    if doc is None:
        raise HTTPException(404, "not on the do-not-call list")
    return _public(doc)


@router.delete("/{phone}", status_code=204, summary="Take a number off the do-not-call list")
async def remove(phone: str, request: Request, who: Caller) -> None:
    """Future imports accept the number again; contacts already exited stay exited."""
    deps: DncDeps = request.app.state.dnc_deps
    if not await deps.dnc.remove(who.workspace_id, _phone(phone)):
        raise HTTPException(404, "not on the do-not-call list")
