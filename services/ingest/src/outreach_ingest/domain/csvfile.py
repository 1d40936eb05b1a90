"""CSV dialects and records: encoding and delimiter detection from a file's first bytes, records as dicts
from its lines (the files themselves are opened by `adapters.csvfiles`)."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class Dialect:
    """How a file is read."""

    encoding: str
    delimiter: str
    has_headers: bool = True


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the sample's end
            return "cp1252"
    return "utf-8"


def detect_delimiter(text: str) -> str:
    """The delimiter among `, ; tab |` that splits the first lines most consistently."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    best, best_score = ",", -1.0
    for delimiter in DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=delimiter))) for line in lines] or [1]
        if max(counts) <= 1:
            continue
        score = sum(1 for c in counts if c == counts[0]) + counts[0] / 100
        if score > best_score:
            best, best_score = delimiter, score
    return best


def dialect_of(
    sample: bytes, *, encoding: str | None = None, delimiter: str | None = None, has_headers: bool = True
) -> Dialect:
    """The dialect of a file whose first bytes are `sample`: what was not given is detected."""
    enc = encoding or detect_encoding(sample)
    text = sample.decode(enc, errors="replace")
    return Dialect(encoding=enc, delimiter=delimiter or detect_delimiter(text), has_headers=has_headers)


def data_records(lines: Iterable[str], dialect: Dialect) -> Iterator[list[str]]:
    """Records that hold at least one non-blank value (blank lines are not data records)."""
    for values in csv.reader(lines, delimiter=dialect.delimiter):
        if any(v.strip() for v in values):
            yield values


def header_of(lines: Iterable[str], dialect: Dialect, sample: int = 200) -> tuple[list[str] | None, int]:
    """The header (None without headers) and the widest record among the first `sample` records."""
    reader = data_records(lines, dialect)
    names = [h.strip() for h in next(reader, [])] if dialect.has_headers else None
    widths = [len(values) for values, _ in zip(reader, range(sample), strict=False)]
    return names, max([len(names or []), *widths])


def keyed_records(lines: Iterable[str], dialect: Dialect) -> Iterator[tuple[int, dict[str, str]]]:
    """(1-based data record, record) pairs, header excluded and blank records skipped and not counted;
    without headers, keys are 1-based column numbers as strings."""
    reader = data_records(lines, dialect)
    names: list[str] | None = None
    if dialect.has_headers:
        names = [h.strip() for h in next(reader, [])]
    for index, values in enumerate(reader, start=1):
        keys = names or [str(i) for i in range(1, len(values) + 1)]
        yield index, dict(zip(keys, values, strict=False))
