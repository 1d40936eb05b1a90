"""Response models of the import API, so the public OpenAPI document (and the console's generated client)
names every field."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ImportPreview(BaseModel):
    """What `POST /imports/preview` found in the start of a file."""

    encoding: str = Field(description="Detected (or given) encoding")
    delimiter: str = Field(description="Detected (or given) delimiter")
    has_headers: bool
    raw: list[str] = Field(description="The first lines of the file, as text")
    header: list[str] | None = Field(description="Column names (None without a header row)")
    rows: list[list[str]] = Field(description="The first rows, parsed")
    suggested_mapping: dict[str, str] = Field(description="Field -> column name (or 1-based number)")


class ImportJob(BaseModel):
    """An import job: its settings, live counters and final status."""

    model_config = ConfigDict(extra="allow")

    id: str
    campaign_id: str
    workspace_id: str
    filename: str | None = None
    status: str = Field(description="queued, running, canceling, canceled, completed or failed")
    mapping: dict[str, str] = Field(default_factory=dict)
    skip_duplicates: bool = True
    rows: int = Field(0, description="Rows read so far")
    imported: int = Field(0, description="Contacts imported so far")
    rejected: int = Field(0, description="Rows rejected so far (duplicates, invalid, suppressed)")
    duplicates: int = 0
    invalid: int = 0
    error: str | None = None
    waiting_for: str | None = None
    created_at: datetime
    updated_at: datetime | None = None
    finished_at: datetime | None = None


class LaunchPreview(BaseModel):
    """ "X of Y contacts will be skipped", by reason, over every import of a campaign."""

    campaign_id: str
    total: int = Field(description="Data rows uploaded for the campaign")
    skipped: int
    will_reach: int
    split: dict[str, int] = Field(description="do_not_call, opted_out, invalid, duplicate")
    imports: list[str]
    message: str


class DncEntry(BaseModel):
    """A number on the workspace's do-not-call list: where it came from, why, when."""

    model_config = ConfigDict(extra="allow")

    phone: str
    source: str = Field(description="api, import, opt_out:sms, opt_out:email, opt_out:call, ...")
    reason: str | None = None
    added_at: datetime | None = None


class DncPage(BaseModel):
    """Entries in order; `next` goes back as `after`."""

    items: list[DncEntry]
    next: str | None


class DncInvalid(BaseModel):
    """A value that is not a phone number."""

    row: int
    value: str
    reason: str


class DncAdded(BaseModel):
    """What adding numbers did."""

    added: int
    already_listed: int
    invalid: list[DncInvalid]
