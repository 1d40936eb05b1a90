"""Rows of a file to verdicts: normalise each row, then mark repeated phone numbers as duplicates.

The import job and `outreach contacts check` both run this, so they give the same verdicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.domain.rows import Verdict, to_contact


def verdicts(
    rows: Iterable[tuple[int, dict[str, str]]],
    mapping: Mapping,
    *,
    default_region: str = "US",
    skip_duplicates: bool = True,
    seen: dict[str, int] | None = None,
) -> Iterator[Verdict]:
    """One verdict per (row number, record); `seen` (phone -> first row) carries across calls."""
    first_rows: dict[str, int] = {} if seen is None else seen
    for row, record in rows:
        verdict = to_contact(record, mapping, row=row, default_region=default_region)
        if verdict.contact is not None and skip_duplicates:
            phone = verdict.contact.phone
            first = first_rows.get(phone)
            if first is not None:
                verdict = Verdict(
                    row=row,
                    status="duplicate",
                    reason=f"duplicate phone number in file (same as row {first})",
                    duplicate_of=first,
                )
            else:
                first_rows[phone] = row
        yield verdict
