"""CRM records as ingest sees them, whichever CRM they come from: an id, fields in the CRM's own names, and
the CRM's own opt-out; what a write-back says. (Each CRM's default mapping is beside its connector.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

CrmKind = Literal["hubspot", "salesforce", "gohighlevel", "leaddocket", "monday"]
ID_COLUMN = "crm_record_id"  # the custom field every synced contact carries: its record in the CRM


@dataclass(frozen=True)
class CrmRecord:
    """One contact (or lead, or item) of the CRM."""

    id: str
    fields: dict[str, str]
    opted_out: str | None = None  # why the CRM says not to contact it (None: it may be contacted)


@dataclass(frozen=True)
class Page:
    """Records of one page of the CRM's listing and the cursor of the page after it (None: the last)."""

    records: list[CrmRecord]
    cursor: str | None
    requests: int = 0  # HTTP requests this page took


@dataclass(frozen=True)
class CallFacts:
    """What happened on one call, for the CRM record of its contact."""

    key: str  # the call's idempotency key: one write-back per key
    outcome: str
    duration_s: int
    at: datetime
    disposition: str | None = None
    summary: str = ""
    data: dict[str, str] = field(default_factory=dict)

    def title(self) -> str:
        return f"Outreach call {self.key}"

    def body(self) -> str:
        lines = [f"Outcome: {self.outcome.replace('_', ' ')}", f"Duration: {self.duration_s} s"]
        if self.disposition:
            lines.append(f"Disposition: {self.disposition.replace('_', ' ')}")
        if self.summary:
            lines.append(f"Summary: {self.summary}")
        lines += [f"{k}: {v}" for k, v in sorted(self.data.items())]
        return "\n".join(lines)


def hubspot_zone(value: str | None) -> str | None:
    """HubSpot's time zone values ("america_slash_new_york") as IANA names ("America/New_York")."""
    if not value:
        return None
    parts = value.split("_slash_")
    return "/".join("_".join(w[:1].upper() + w[1:] for w in p.split("_")) for p in parts)
