"""Uploaded CSV files on disk: their dialect, header, preview, records and record batches, each read by
opening the file and handing its text to the domain's readers (`domain.csvfile`, `domain.batches`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from outreach_ingest.domain.batches import RecordBatch, batches_in
from outreach_ingest.domain.csvfile import Dialect, data_records, dialect_of, header_of, keyed_records
from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.domain.report import report_of

SAMPLE_BYTES = 65536  # what the dialect is detected from


def _text(path: Path, dialect: Dialect) -> TextIO:
    return path.open("r", encoding=dialect.encoding, newline="", errors="replace")


def detect(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None, has_headers: bool = True
) -> Dialect:
    """The file's dialect: what was not given is detected from its first bytes."""
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    return dialect_of(sample, encoding=encoding, delimiter=delimiter, has_headers=has_headers)


def header(path: Path, dialect: Dialect, sample: int = 200) -> tuple[list[str] | None, int]:
    """The header (None without headers) and the widest record among the first `sample` records."""
    with _text(path, dialect) as handle:
        return header_of(handle, dialect, sample)


def preview(path: Path, dialect: Dialect, limit: int = 10) -> tuple[list[str], list[list[str]]]:
    """The first raw lines and the first records as parsed (header included when there is one)."""
    with _text(path, dialect) as handle:
        raw = [line.rstrip("\r\n") for line, _ in zip(handle, range(limit), strict=False)]
    with _text(path, dialect) as handle:
        table = [values for values, _ in zip(data_records(handle, dialect), range(limit + 1), strict=False)]
    return raw, table


def records(path: Path, dialect: Dialect) -> Iterator[tuple[int, dict[str, str]]]:
    """(1-based data record, record) pairs of the file (see `csvfile.keyed_records`)."""
    with _text(path, dialect) as handle:
        yield from keyed_records(handle, dialect)


def record_batches(path: Path, dialect: Dialect) -> Iterator[RecordBatch]:
    """The file's data records in batches (see `batches.batches_in`)."""
    with _text(path, dialect) as handle:
        yield from batches_in(handle, dialect)


def check_file(
    path: Path, dialect: Dialect, mapping: Mapping, *, default_region: str = "US", skip_duplicates: bool = True
) -> dict[str, Any]:
    """Every data record's verdict as one report; raises MappingError when the mapping does not fit the file."""
    resolved = mapping.resolve(*header(path, dialect))
    batches = record_batches(path, dialect)
    return report_of(dialect, batches, resolved, default_region=default_region, skip_duplicates=skip_duplicates)
