"""The verdicts of a whole file as one report (what `outreach contacts check` prints)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from outreach_ingest.domain.csvfile import Dialect, header, records
from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.domain.pipeline import verdicts


def check_file(
    path: Path, dialect: Dialect, mapping: Mapping, *, default_region: str = "US", skip_duplicates: bool = True
) -> dict[str, Any]:
    """Every data record's verdict; raises MappingError when the mapping does not fit the file."""
    names, width = header(path, dialect)
    resolved = mapping.resolve(names, width)
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
    for verdict in verdicts(
        records(path, dialect), resolved, default_region=default_region, skip_duplicates=skip_duplicates
    ):
        report["rows"] += 1
        if verdict.contact is not None:
            report["imported"] += 1
            contact = {"row": verdict.row, **verdict.contact.model_dump()}
            if verdict.warnings:
                contact["warnings"] = list(verdict.warnings)
            report["contacts"].append(contact)
            continue
        report["duplicates" if verdict.status == "duplicate" else "invalid"] += 1
        rejected: dict[str, Any] = {"row": verdict.row, "status": verdict.status, "reason": verdict.reason}
        if verdict.duplicate_of is not None:
            rejected["duplicate_of"] = verdict.duplicate_of
        report["rejected"].append(rejected)
    return report
