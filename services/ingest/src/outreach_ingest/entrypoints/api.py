"""Ingest's HTTP API: CSV upload and import jobs."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import shutil
import uuid
from pathlib import Path
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, BackgroundTasks, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import StreamingResponse

from outreach_ingest.domain.csvfile import detect
from outreach_ingest.domain.rows import STANDARD_FIELDS, Mapping
from outreach_ingest.handlers.imports import Deps, run_import

router = APIRouter(prefix="/imports", tags=["imports"])
CHUNK = 1 << 20


def _mapping(raw: str | None) -> Mapping:
    try:
        data: dict[str, Any] = json.loads(raw) if raw else {"to_number": "phone"}
    except json.JSONDecodeError as exc:
        raise HTTPException(422, [{"loc": ["body", "mapping"], "msg": f"mapping is not JSON: {exc}"}]) from exc
    if not isinstance(data, dict) or "to_number" not in data:
        raise HTTPException(422, [{"loc": ["body", "mapping", "to_number"], "msg": "to_number is required"}])
    custom = data.pop("custom", {}) or {}
    unknown = [k for k in data if k not in STANDARD_FIELDS]
    if unknown:
        raise HTTPException(422, [{"loc": ["body", "mapping", k], "msg": "unknown field"} for k in unknown])
    return Mapping(columns={k: str(v) for k, v in data.items()}, custom={k: str(v) for k, v in custom.items()})


def _store(source: BinaryIO, path: Path) -> None:
    """Copy the (already spooled) upload to storage in chunks, never whole in memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    source.seek(0)
    with path.open("wb") as out:
        shutil.copyfileobj(source, out, CHUNK)


def _public(job: dict[str, Any]) -> dict[str, Any]:
    return {"id": job["_id"], **{k: v for k, v in job.items() if k not in ("_id", "path")}}


@router.post("", status_code=202, summary="Upload a CSV and start an import job")
async def create_import(
    request: Request,
    background: BackgroundTasks,
    file: Annotated[UploadFile, File(description="The CSV file")],
    campaign_id: Annotated[str, Form(description="Campaign the contacts are for")],
    mapping: Annotated[str | None, Form(description='JSON: {"to_number": "Phone", ...}')] = None,
    has_headers: Annotated[bool, Form()] = True,
    encoding: Annotated[str | None, Form()] = None,
    delimiter: Annotated[str | None, Form()] = None,
    default_region: Annotated[str, Form()] = "US",
    skip_duplicates: Annotated[bool, Form()] = True,
    workspace_id: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    """Stream the upload to storage, then import it in the background; poll the job for progress."""
    settings = request.app.state.settings
    deps: Deps = request.app.state.deps
    parsed_mapping = _mapping(mapping)
    import_id = f"imp_{uuid.uuid4().hex[:12]}"
    path = Path(settings.upload_dir) / f"{import_id}.csv"
    await asyncio.to_thread(_store, file.file, path)
    dialect = await asyncio.to_thread(detect, path, encoding=encoding, delimiter=delimiter, has_headers=has_headers)
    job = {
        "_id": import_id,
        "campaign_id": campaign_id,
        "workspace_id": workspace_id or settings.workspace_id,
        "filename": file.filename,
        "path": str(path),
        "status": "queued",
        "encoding": dialect.encoding,
        "delimiter": dialect.delimiter,
        "default_region": default_region,
        "skip_duplicates": skip_duplicates,
        "rows": 0,
        "imported": 0,
        "rejected": 0,
        "duplicates": 0,
        "invalid": 0,
        "created_at": deps.clock.now(),
    }
    await deps.imports.add(job)
    background.add_task(run_import, job, path, dialect, parsed_mapping, deps)
    return _public(job)


@router.get("/{import_id}", summary="Progress and final report of an import job")
async def get_import(import_id: str, request: Request) -> dict[str, Any]:
    """The job with its counters."""
    job = await request.app.state.deps.imports.get(import_id)
    if job is None:
        raise HTTPException(404, f"import {import_id} not found")
    return _public(job)


@router.post("/{import_id}/cancel", summary="Cancel a running import")
async def cancel_import(import_id: str, request: Request) -> dict[str, Any]:
    """Ask the job to stop after its current batch."""
    deps: Deps = request.app.state.deps
    await deps.imports.update(import_id, {"status": "canceling"})
    return await get_import(import_id, request)


@router.get("/{import_id}/rejected.csv", summary="Rejected rows with a reason column")
async def rejected_csv(import_id: str, request: Request) -> StreamingResponse:
    """Row number, verdict, reason and the row it duplicates."""
    rows = await request.app.state.deps.imports.rejected(import_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "status", "reason", "duplicate_of"])
    for r in rows:
        writer.writerow([r["row"], r["status"], r.get("reason") or "", r.get("duplicate_of") or ""])
    return StreamingResponse(iter([buffer.getvalue()]), media_type="text/csv")
