"""A new import job's document: what the CSV upload and a CRM sync both create and run."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from outreach_ingest.domain.csvfile import Dialect
from outreach_ingest.domain.mapping import Mapping


def new_job(
    import_id: str,
    *,
    workspace_id: str,
    campaign_id: str,
    filename: str | None,
    path: Path,
    dialect: Dialect,
    mapping: Mapping,
    default_region: str,
    skip_duplicates: bool,
    now: datetime,
    **extra: Any,
) -> dict[str, Any]:
    """A queued job with its counters at zero."""
    return {
        "_id": import_id,
        "campaign_id": campaign_id,
        "workspace_id": workspace_id,
        "filename": filename,
        "path": str(path),
        "status": "queued",
        "encoding": dialect.encoding,
        "delimiter": dialect.delimiter,
        "has_headers": dialect.has_headers,
        "mapping": {**mapping.columns, **mapping.custom},
        "default_region": default_region,
        "skip_duplicates": skip_duplicates,
        "rows": 0,
        "imported": 0,
        "rejected": 0,
        "duplicates": 0,
        "invalid": 0,
        "created_at": now,
        **extra,
    }
