"""The columnar reading and normalisation give exactly what the record-by-record path gives, on messy
generated files: every delimiter and encoding, quoting well formed and not, ragged and blank records,
three kinds of line ends, and values of every kind the import sees."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from outreach_ingest.adapters.csvfiles import record_batches, records
from outreach_ingest.adapters.seen import SeenNumbers
from outreach_ingest.domain import batches
from outreach_ingest.domain.csvfile import Dialect
from outreach_ingest.domain.duplicates import NumbersInMemory
from outreach_ingest.domain.fastpath import INVALID, MIXED, VALID, prefix_codes
from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.domain.nanp_prefixes import _decides, undecided_leading_digits
from outreach_ingest.domain.pipeline import verdict_batches
from outreach_ingest.domain.rows import Verdict, to_contact

pytestmark = pytest.mark.unit

PHONES = ["(212) 555-0123", "212.555.0123", "+1 212 555 0123", "12125550123", "2125550123", "'212-555-0199",
          "''2125550100", "(000) 555-0100", "+1 246 521 0123", "876 606 0123", "+44 20 7946 0958", "06 12 34 56 78",
          "2.12555E+09", "555-CALL-NOW", "12345", "", "  ", "n/a", "212 555 0123 ext 5", "\u00a0212-555-0142\u2003",
          "4155550142",
          "\uff12\uff11\uff12\uff15\uff15\uff15\uff10\uff11\uff12\uff13",
          "+1 (415) 555-0142", "1-800-555-0199", "+12125550123x"]  # fmt: skip
EMAILS = ["ada@example.com", "Ada.L@Example.COM", "not-an-email", "", "a@b", "x@test", "user@mail.localhost",
          "very.long." + "l" * 60 + "@example.com", "bad@@example.com", "josé@exämple.com", " 'sp@example.org ",
          "a@x.invalid", "UPPER@DOMAIN.ORG"]  # fmt: skip
ZONES = ["America/Denver", "Europe/Paris", "Mars/Olympus", "", "utc", "UTC"]
STATES = ["tx", "CA", "ny ", "", "ß", "'fl"]
TEXT = st.text(alphabet=st.sampled_from(list("ab é,;|\t\"'\n\r=+-@\u00a0\u3000")), max_size=8)
COLUMNS = ["phone", "email", "tz", "state", "name", "plan"]


@st.composite
def messy_files(draw: st.DrawFn) -> tuple[str, Dialect, dict[str, str]]:
    """(text, how to read it, mapping) of a generated file."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    has_headers = draw(st.booleans())
    pools = [PHONES, EMAILS, ZONES, STATES]
    rows = [
        [*(draw(st.sampled_from(pool)) for pool in pools), draw(TEXT), draw(TEXT)]
        for _ in range(draw(st.integers(0, 30)))
    ]
    out = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
    if has_headers:
        writer.writerow(draw(st.sampled_from([COLUMNS, [*COLUMNS[:5], "phone"]])))  # a repeated header name
    for row in rows:
        extra = draw(st.sampled_from(["", "", "", "blank", "ragged", "malformed", "cr"]))
        if extra == "blank":
            out.write(draw(st.sampled_from(["\n", "\r\n", delimiter * 5 + "\n", " \n"])))
        elif extra == "ragged":
            row = row[: draw(st.integers(1, 7))] + ["more"] * draw(st.integers(0, 2))
        elif extra == "malformed":
            row[4] = 'x"y' if draw(st.booleans()) else None  # a quote inside an unquoted field, or an end quote
            if row[4] is None:
                out.write('"ab"cd' + delimiter)
                row = row[1:]
        elif extra == "cr":
            out.write("\r")
        writer.writerow(row)
    mapping = {"to_number": "phone", "email": "email", "timezone": "tz", "state": "state", "first_name": "name",
               "plan": "plan"}  # fmt: skip
    if not has_headers:
        mapping = {field: str(COLUMNS.index(column) + 1) for field, column in mapping.items()}
    dialect = Dialect(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"])), delimiter, has_headers)
    return out.getvalue(), dialect, mapping


def reference(path: Path, dialect: Dialect, mapping: Mapping, region: str, skip: bool) -> list[Verdict]:
    """The record-by-record path: csv records, `to_contact` each, repeats by a map of numbers seen."""
    seen: dict[str, int] = {}
    out = []
    for row, record in records(path, dialect):
        verdict = to_contact(record, mapping, row=row, default_region=region)
        if verdict.contact is not None and skip:
            first = seen.setdefault(verdict.contact.phone, row)
            if first != row:
                reason = f"duplicate phone number in file (same as row {first})"
                verdict = Verdict(row=row, status="duplicate", reason=reason, duplicate_of=first)
        out.append(verdict)
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    file=messy_files(),
    piece=st.sampled_from([16, 64, 300, 1 << 22]),
    region=st.sampled_from(["US", "GB", "JM"]),
    skip=st.booleans(),
)
def test_columns_agree_with_the_record_by_record_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file: tuple[str, Dialect, dict[str, str]], piece: int,
    region: str, skip: bool,
) -> None:  # fmt: skip
    text, dialect, pairs = file
    path = tmp_path / "list.csv"
    path.write_bytes(text.encode(dialect.encoding, errors="replace"))
    monkeypatch.setattr(batches, "PIECE_CHARS", piece)
    mapping = Mapping.from_pairs(pairs)
    got_records = [pair for batch in record_batches(path, dialect) for pair in batch.records(range(len(batch)))]
    assert got_records == list(records(path, dialect))
    got = [
        verdict
        for _, verdicts in verdict_batches(
            record_batches(path, dialect), mapping, default_region=region, skip_duplicates=skip
        )
        for verdict in verdicts.verdicts()
    ]
    assert got == reference(path, dialect, mapping, region, skip)


def test_invalid_utf8_is_read_as_python_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"phone,name\n2125550123,Ann\xff\xfe\n2125550124,Bob\n")
    dialect = Dialect("utf-8", ",")
    assert [p for b in record_batches(path, dialect) for p in b.records(range(len(b)))] == list(records(path, dialect))


def test_six_digit_prefixes_decide_where_the_metadata_says_so() -> None:
    import re._parser as sre_parse  # type: ignore[import-not-found]

    def decides(pattern: str) -> bool:
        return bool(_decides(list(sre_parse.parse(pattern))))

    assert decides(r"[2-9]\d{9}|3\d{6}") and decides(r"52[34][2-9]1[02-9]\d{4}")
    assert not decides(r"246521[0369]\d{3}")  # the seventh digit counts
    undecided = undecided_leading_digits()
    assert undecided is not None and any(re.match(leading, "246521") for leading in undecided)
    assert prefix_codes(np.array([246521])).tolist() == [MIXED]  # never settled by prefix: the slow path asks
    assert prefix_codes(np.array([212555, 555, 212555])).tolist() == [VALID, INVALID, VALID]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 40), max_size=300), st.integers(1, 30), st.integers(1, 50))
def test_numbers_seen_answer_as_a_dict_would_in_arrays_and_once_moved_to_disk(
    numbers: list[int], limit: int, batch: int
) -> None:
    reference: dict[int, int] = {}
    in_memory, spilling = NumbersInMemory(), SeenNumbers(limit=limit)
    try:
        for start in range(0, len(numbers), batch):
            part = numbers[start : start + batch]
            rows = list(range(start + 1, start + 1 + len(part)))
            expected = [reference.setdefault(n, r) for n, r in zip(part, rows, strict=True)]
            assert in_memory.first_rows(np.array(part, np.int64), np.array(rows, np.int64)).tolist() == expected
            assert spilling.first_rows(np.array(part, np.int64), np.array(rows, np.int64)).tolist() == expected
        assert len(spilling) == len(in_memory) == len(set(numbers))
        assert spilling.disk is not None or len(set(numbers)) <= limit
    finally:
        spilling.close()


def test_the_whitespace_arrow_trims_is_what_str_strip_removes() -> None:
    import sys

    assert set(batches.WHITESPACE) == {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}


@pytest.mark.parametrize("name", ["seen_in_memory", "publish_batch"])
def test_import_sizes_below_one_are_refused_at_start(name: str) -> None:
    from outreach_ingest.config import Settings
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=name):
        Settings(**{name: 0})


def test_numbers_seen_stay_in_few_runs_and_sorted() -> None:
    seen = NumbersInMemory()
    for batch in range(200):
        numbers = np.array([(batch * 7919 + i * 104729) % 10_000_019 for i in range(1000)], np.int64)
        seen.first_rows(numbers, np.arange(batch * 1000, batch * 1000 + 1000))
    assert len(seen.runs) <= 9  # about log2(200 batches)
    for numbers, _ in seen.runs:
        assert bool((numbers[1:] > numbers[:-1]).all())
