"""A CSV text stream as batches of records in columns, with exactly the records `csvfile.keyed_records`
gives (the file is opened by `adapters.csvfiles`).

The text is decoded as for `keyed_records`, then cut into pieces of about 262,000 characters at
record ends. A piece is parsed by Arrow's CSV reader when both parsers must agree on it: it has no quote
characters, or its quoting is well formed (RFC 4180, checked by a linear-time pattern), and every row has
the header's width (the two agree on line ends: \\n, \\r\\n and a lone \\r each end a record outside
quotes). Anything else goes to Python's `csv` module: a piece with ragged rows on its own, and from a
malformed quote on, the rest of the file as one stream (where a record ends is only certain to both
parsers up to there). `tests/unit/services/test_ingest_columnar.py` checks the agreement on generated files.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TextIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from outreach_ingest.domain.csvfile import Dialect, data_records

# A piece is one batch of Arrow's kernels, whose calls each have a fixed cost, and what a batch holds at
# once grows with it. Measured 2026-12-04 on the 1,000,000-row benchmark file and a CRM sync of 100,000
# contacts (ingest's peak RSS, target 300 MB): 256 KiB 258,000-261,000 rows/s, 2 MiB 340,000-400,000 rows/s
# but a 327 MB sync, 1 MiB a 306 MB sync, 512 KiB 323,000-328,000 rows/s and a 276 MB sync.
PIECE_CHARS = 1 << 19
# Everything Python's str.strip() removes, so Arrow's trim gives exactly what str.strip() gives.
WHITESPACE = "".join(c for c in map(chr, range(0x3100)) if c.isspace())


@dataclass(frozen=True)
class RecordBatch:
    """Consecutive data records: their 1-based numbers and one string column per key (a header name, or a
    1-based column number without headers); null where a record has no value for the key."""

    rows: pa.Int64Array
    columns: dict[str, pa.StringArray]

    def __len__(self) -> int:
        return len(self.rows)

    def records(self, indices: Iterable[int]) -> list[tuple[int, dict[str, str]]]:
        """The (row, record) pairs at `indices`, as `csvfile.keyed_records` gives them."""
        take = pa.array(list(indices), pa.int64())
        rows = self.rows.take(take).to_pylist()
        values = {key: column.take(take).to_pylist() for key, column in self.columns.items()}
        return [(row, {key: v[i] for key, v in values.items() if v[i] is not None}) for i, row in enumerate(rows)]


def batches_in(handle: TextIO, dialect: Dialect) -> Iterator[RecordBatch]:
    """The data records of a text stream opened with newline="" in batches (blank records skipped and not
    counted)."""
    names: list[str] | None = None
    if dialect.has_headers:  # csv.reader pulls whole lines, so the handle stops right after the header
        names = next(([h.strip() for h in v] for v in data_records(handle, dialect)), None)
        if names is None:
            return
    shape = _Shape(names)
    row = 1
    for batch in _parsed(handle, dialect.delimiter, shape):
        batch = _without_blank_records(batch)
        if batch.num_rows:
            rows = _numbers(row, batch.num_rows)
            row += batch.num_rows
            yield RecordBatch(rows, shape.columns(batch))


def _numbers(start: int, count: int) -> pa.Int64Array:
    """start, start + 1, ... (`count` of them), made in Arrow (a Python range costs 70 ms a million)."""
    every = pc.indices_nonzero(pc.is_null(pa.nulls(count)))  # 0 .. count - 1
    return pc.add(every.cast(pa.int64()), start)


class _Shape:
    """Column positions to record keys: with headers, the names in the order they first appear (a record is
    a dict, so a repeated name holds the value at its last position the record reaches); without, "1", "2",
    ..."""

    def __init__(self, names: list[str] | None) -> None:
        self.width = len(names) if names is not None else None
        self.keys: dict[str, list[int]] | None = None
        if names is not None:
            self.keys = {}
            for i, name in enumerate(names):
                self.keys.setdefault(name, []).insert(0, i)

    def columns(self, table: pa.Table) -> dict[str, pa.StringArray]:
        if self.keys is None:
            return {str(i + 1): table.column(i).combine_chunks() for i in range(table.num_columns)}
        null = pa.nulls(table.num_rows, pa.string())
        present = {i: table.column(i).combine_chunks() for i in range(table.num_columns)}
        columns = {}
        for key, positions in self.keys.items():
            values = [present[i] for i in positions if i in present]
            columns[key] = null if not values else values[0] if len(values) == 1 else pc.coalesce(*values)
        return columns


def _parsed(handle: TextIO, delimiter: str, shape: _Shape) -> Iterator[pa.Table]:
    """Tables of string columns "0", "1", ... (null: no value) for the rest of the file."""
    carry = ""
    while True:
        data = handle.read(PIECE_CHARS)
        text = carry + data
        if not text:
            return
        cut = len(text) if not data else _record_end(text)
        if cut < 0 or len(text) > 4 * PIECE_CHARS:  # no record end found where one must be
            yield from _python_tables(text, handle, delimiter, shape)
            return
        piece, carry = text[:cut], text[cut:]
        if not piece:
            continue
        quoted = '"' in piece
        if quoted and not _well_formed(piece, delimiter):
            yield from _python_tables(text, handle, delimiter, shape)
            return
        table = _arrow_table(piece, delimiter, shape, quoted=quoted)
        yield from [table] if table is not None else _python_tables(piece, None, delimiter, shape)


def _record_end(text: str) -> int:
    """Just after the last newline outside quotes (by the parity of quotes before it), 0 when none yet."""
    end = text.rfind("\n")
    if '"' not in text:
        return end + 1
    quotes = text.count('"', 0, end)
    for _ in range(1000):
        if end < 0:
            return 0
        if quotes % 2 == 0:
            return end + 1
        previous = text.rfind("\n", 0, end)
        quotes -= text.count('"', previous + 1, end)
        end = previous
    return -1


@cache
def _pattern(delimiter: str) -> re.Pattern[str]:
    """Records of well-formed fields, each ended by a line end or the end of the text. Every part is
    atomic (no way to match a text twice), so a text that does not match fails in linear time."""
    d = re.escape(delimiter)
    field = rf'(?>"[^"]*+(?:""[^"]*+)*+"|[^"{d}\r\n]*+)'
    return re.compile(rf"(?>{field}(?:{d}{field})*+(?:\r\n|\r|\n|\Z))*+")


def _well_formed(piece: str, delimiter: str) -> bool:
    """Every quote opens a field or closes it (doubled inside it)."""
    return _pattern(delimiter).fullmatch(piece) is not None


def _arrow_table(piece: str, delimiter: str, shape: _Shape, *, quoted: bool) -> pa.Table | None:
    """The piece parsed by Arrow, None when its rows are not all one width (Python reads it then)."""
    width = shape.width
    if width is None:  # without headers: the first record's width, every row must have it
        first = next((v for v in csv.reader(io.StringIO(piece, newline=""), delimiter=delimiter) if v), None)
        width = len(first) if first else 0
    names = [str(i) for i in range(width)]
    try:
        return pacsv.read_csv(
            pa.BufferReader(piece.encode()),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
        )
    except (pa.ArrowInvalid, UnicodeEncodeError):
        return None


def _python_tables(
    text: str, rest: TextIO | None, delimiter: str, shape: _Shape, size: int = 50_000
) -> Iterator[pa.Table]:
    """Python's csv reading of `text` and then the `rest` of the file, in tables of `size` records."""
    reader = csv.reader(_lines(text, rest), delimiter=delimiter)
    while batch := list(itertools.islice(reader, size)):
        width = max(len(values) for values in batch)
        if shape.width is not None:
            width = max(width, shape.width)
        columns = [[values[i] if i < len(values) else None for values in batch] for i in range(width)]
        yield pa.table({str(i): pa.array(c, pa.string()) for i, c in enumerate(columns)})


def _lines(text: str, rest: TextIO | None) -> Iterator[str]:
    """Lines of `text` then `rest` as a file opened with newline="" gives them (\\n, \\r\\n or \\r ends
    one; a line cut where a piece ends is joined up again)."""
    tail = ""
    more = iter(lambda: rest.read(PIECE_CHARS), "") if rest is not None else iter(())
    for piece in itertools.chain([text], more):
        lines = io.StringIO(tail + piece, newline="").readlines()
        tail = lines.pop() if lines and not lines[-1].endswith("\n") else ""
        yield from lines
    if tail:
        yield tail


def _without_blank_records(table: pa.Table) -> pa.Table:
    """Without the records whose values are all blank (missing, empty or whitespace); columns are looked
    at one by one among the records still blank in all before, so a table whose first column is filled
    costs one pass."""
    blank = None
    for column in table.columns:
        empty = pc.equal(pc.utf8_length(pc.utf8_trim(column, WHITESPACE)), 0)
        empty = pc.or_kleene(empty, pc.is_null(column)) if column.null_count else empty
        blank = empty if blank is None else pc.and_(blank, empty)
        if not pc.any(blank).as_py():
            return table
    return table if blank is None else table.filter(pc.invert(blank))
