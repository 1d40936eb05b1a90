"""The verdicts of a whole file as one report (what `outreach contacts check` prints)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from outreach_ingest.domain.batches import RecordBatch
from outreach_ingest.domain.csvfile import Dialect
from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.domain.pipeline import verdict_batches


def report_of(
    dialect: Dialect,
    batches: Iterable[RecordBatch],
    resolved: Mapping,
    *,
    default_region: str = "US",
    skip_duplicates: bool = True,
) -> dict[str, Any]:
    """Every data record's verdict, for a file's record batches and a mapping resolved against its header."""
    report: dict[str, Any] = {
        "encoding": dialect.encoding,
        "delimiter": dialect.delimiter,
        "has_headers": dialect.has_headers,
        "rows": 0,
        "imported": 0,
        "duplicates": 0,
        "invalid": 0,
        "contacts": [],
        "rejected": [],
    }
    contacts, rejections = report["contacts"], report["rejected"]
    for _, verdicts in verdict_batches(
        batches, resolved, default_region=default_region, skip_duplicates=skip_duplicates
    ):
        report["rows"] += len(verdicts)
        for position, row, contact in verdicts.contacts():
            entry = {"row": row, **contact}
            if warnings := verdicts.warnings.get(position):
                entry["warnings"] = list(warnings)
            contacts.append(entry)
        for row, status, reason, duplicate_of in verdicts.rejected():
            rejected: dict[str, Any] = {"row": row, "status": status, "reason": reason}
            if duplicate_of is not None:
                rejected["duplicate_of"] = duplicate_of
            rejections.append(rejected)
    report["imported"] = len(contacts)
    report["duplicates"] = sum(1 for r in rejections if r["status"] == "duplicate")
    report["invalid"] = len(rejections) - report["duplicates"]
    return report
