"""Ingest's HTTP API: CSV upload and import jobs."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import StreamingResponse
from outreach_common.errors import CONFLICT, unprocessable, unprocessable_all
from outreach_common.identity import REQUIRED, Caller

from outreach_ingest.adapters.csvfiles import detect, header, preview
from outreach_ingest.domain.cells import safe_cell
from outreach_ingest.domain.csvfile import DELIMITERS, Dialect
from outreach_ingest.domain.mapping import Mapping, MappingError, suggest
from outreach_ingest.entrypoints.schemas import ImportJob, ImportPreview
from outreach_ingest.entrypoints.uploads import store_upload
from outreach_ingest.handlers.import_deps import Deps
from outreach_ingest.handlers.import_jobs import new_job
from outreach_ingest.handlers.imports import run_import, stop_local

router = APIRouter(prefix="/imports", tags=["imports"], dependencies=REQUIRED)


def _mapping(raw: str | None, path: Path, dialect: Dialect) -> Mapping:
    """The mapping form field, checked against the stored file's header (422 with each bad field)."""
    try:
        data: Any = json.loads(raw) if raw else {"to_number": "phone"}
    except json.JSONDecodeError as exc:
        raise unprocessable((["body", "mapping"], f"mapping is not JSON: {exc}")) from exc
    if not isinstance(data, dict) or not all(isinstance(v, str | int | dict) for v in data.values()):
        raise unprocessable((["body", "mapping"], "mapping must be an object of field: column"))
    custom = data.pop("custom", None) or {}
    pairs = {**{k: str(v) for k, v in data.items()}, **{k: str(v) for k, v in custom.items()}}
    try:
        names, width = header(path, dialect)
        return Mapping.from_pairs(pairs).resolve(names, width)
    except MappingError as exc:
        raise unprocessable_all((["body", "mapping", f], m) for f, m in exc.problems) from exc


def _public(job: dict[str, Any]) -> dict[str, Any]:
    return {"id": job["_id"], **{k: v for k, v in job.items() if k not in ("_id", "path")}}


@router.post("", status_code=202, response_model=ImportJob, summary="Upload a CSV and start an import job")
async def create_import(
    request: Request,
    background: BackgroundTasks,
    who: Caller,
    file: Annotated[UploadFile, File(description="The CSV file")],
    campaign_id: Annotated[str, Form(description="Campaign the contacts are for")],
    mapping: Annotated[str | None, Form(description='JSON: {"to_number": "Phone", ...}')] = None,
    has_headers: Annotated[bool, Form()] = True,
    encoding: Annotated[str | None, Form()] = None,
    delimiter: Annotated[str | None, Form()] = None,
    default_region: Annotated[str, Form()] = "US",
    skip_duplicates: Annotated[bool, Form()] = True,
) -> dict[str, Any]:
    """Stream the upload to storage, then import it in the background; poll the job for progress."""
    settings = request.app.state.settings
    deps: Deps = request.app.state.deps
    if delimiter is not None and delimiter not in DELIMITERS:
        raise unprocessable((["body", "delimiter"], "expected one of , ; tab |"))
    if not await request.app.state.campaigns.belongs(campaign_id, who.workspace_id, wait_s=5.0):
        raise HTTPException(404, f"campaign {campaign_id} not found")  # the file is not kept
    import_id = f"imp_{uuid.uuid4().hex[:12]}"
    path = Path(settings.upload_dir) / f"{import_id}.csv"
    await store_upload(file, path)
    try:
        dialect = await asyncio.to_thread(detect, path, encoding=encoding, delimiter=delimiter, has_headers=has_headers)
        parsed_mapping = await asyncio.to_thread(_mapping, mapping, path, dialect)
    except LookupError as exc:
        path.unlink(missing_ok=True)
        raise unprocessable((["body", "encoding"], str(exc))) from exc
    except HTTPException:
        path.unlink(missing_ok=True)
        raise
    job = new_job(
        import_id,
        workspace_id=who.workspace_id,
        campaign_id=campaign_id,
        filename=file.filename,
        path=path,
        dialect=dialect,
        mapping=parsed_mapping,
        default_region=default_region,
        skip_duplicates=skip_duplicates,
        now=deps.clock.now(),
    )
    await deps.imports.add(job)
    background.add_task(run_import, job, path, dialect, parsed_mapping, deps)
    return _public(job)


@router.post(
    "/preview",
    response_model=ImportPreview,
    summary="Preview a CSV: detected settings, first rows and a suggested mapping",
)
async def preview_file(
    request: Request,
    file: Annotated[UploadFile, File(description="The CSV file (only its start is read)")],
    has_headers: Annotated[bool, Form()] = True,
    encoding: Annotated[str | None, Form()] = None,
    delimiter: Annotated[str | None, Form()] = None,
    rows: Annotated[int, Form(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    """Nothing is imported; upload again to `POST /imports` with the mapping you chose."""
    if delimiter is not None and delimiter not in DELIMITERS:
        raise unprocessable((["body", "delimiter"], "expected one of , ; tab |"))
    path = Path(request.app.state.settings.upload_dir) / f"preview_{uuid.uuid4().hex[:12]}.csv"
    await store_upload(file, path)
    try:
        dialect = await asyncio.to_thread(detect, path, encoding=encoding, delimiter=delimiter, has_headers=has_headers)
        raw, table = await asyncio.to_thread(preview, path, dialect, rows)
    except LookupError as exc:
        raise unprocessable((["body", "encoding"], str(exc))) from exc
    finally:
        path.unlink(missing_ok=True)
    names = [h.strip() for h in table[0]] if has_headers and table else None
    return {
        "encoding": dialect.encoding,
        "delimiter": dialect.delimiter,
        "has_headers": has_headers,
        "raw": raw,
        "header": names,
        "rows": table[1:] if names is not None else table,
        "suggested_mapping": suggest(names) if names else {"to_number": "1"},
    }


@router.get("/{import_id}", response_model=ImportJob, summary="Progress and final report of an import job")
async def get_import(import_id: str, request: Request, who: Caller) -> dict[str, Any]:
    """The job with its counters."""
    job = await request.app.state.deps.imports.get(import_id)
    if job is None or job["workspace_id"] != who.workspace_id:
        raise HTTPException(404, f"import {import_id} not found")
    return _public(job)


@router.post("/{import_id}/cancel", response_model=ImportJob, summary="Cancel a running import", responses=CONFLICT)
async def cancel_import(import_id: str, request: Request, who: Caller) -> dict[str, Any]:
    """A job still queued (waiting for its campaign's lock) is canceled at once; a running one is asked to
    stop after the chunks it is storing (409 when it has already finished)."""
    deps: Deps = request.app.state.deps
    job = await get_import(import_id, request, who)
    if job["status"] not in ("queued", "running", "canceling"):
        raise HTTPException(409, f"import {import_id} is {job['status']}: nothing to cancel")
    now = deps.clock.now()
    # The store's conditional updates are not atomic between connections: a job this process is starting
    # is stopped through memory (its runner marks it canceled), never by removing its file under it.
    local = import_id in deps.running
    if not local and await deps.imports.move(import_id, ("queued",), {"status": "canceled", "finished_at": now}):
        stored = await deps.imports.get(import_id)
        if stored and stored.get("path"):
            await asyncio.to_thread(Path(stored["path"]).unlink, missing_ok=True)
        return await get_import(import_id, request, who)
    if local:
        await stop_local(import_id, deps)
    await deps.imports.move(import_id, ("running", "canceling"), {"status": "canceling", "updated_at": now})
    stored = await get_import(import_id, request, who)
    return stored if stored["status"] in ("canceling", "canceled") else {**stored, "status": "canceling"}


@router.get("/{import_id}/rejected.csv", summary="Rejected rows with a reason column")
async def rejected_csv(import_id: str, request: Request, who: Caller) -> StreamingResponse:
    """Row number, verdict, reason, the row it duplicates, then the row's own values. Values a spreadsheet
    would run as formulas are written with a leading apostrophe."""
    deps: Deps = request.app.state.deps
    if (await get_import(import_id, request, who)).get("rejected_expired"):
        raise HTTPException(410, f"the rejected rows of {import_id} were deleted after the retention period")

    async def lines() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["row", "status", "reason", "duplicate_of", "values"])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        async for r in deps.imports.iter_rejected(import_id):
            values = [safe_cell(v) for v in r.get("values") or []]
            reason = safe_cell(r.get("reason") or "")
            writer.writerow([r["row"], r["status"], reason, r.get("duplicate_of") or "", *values])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    headers = {"Content-Disposition": f'attachment; filename="{import_id}-rejected.csv"'}
    return StreamingResponse(lines(), media_type="text/csv", headers=headers)
