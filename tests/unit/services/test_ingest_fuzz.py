"""Fuzzing the CSV reader as `outreach contacts check` and the import job use it: any bytes end as a
verdict per record or a clear error (MappingError for a column the file lacks, UnicodeError for bytes the
encoding cannot read), never another exception, and quickly."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from outreach_ingest.adapters.csvfiles import check_file, detect
from outreach_ingest.domain.mapping import Mapping, MappingError

pytestmark = pytest.mark.unit

CELLS = ["phone", "name", "+1 212 555 0100", "(312) 555-0145", "555", "", " ", '"', '""', '"a,b"', "a\nb", "é",
         "=1+1", "x" * 50, "+44 20 7946 0958", "\ufeff", "\x00", "\r"]  # fmt: skip
SEPARATORS = [",", ";", "\t", "|", "\n", "\r\n", "\r", '"']
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252"]


def _check(data: bytes, has_headers: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.csv"
        path.write_bytes(data)
        started = time.monotonic()
        try:
            dialect = detect(path, has_headers=has_headers)
            mapping = Mapping.from_pairs({"to_number": "phone" if has_headers else "1", "first_name": "name"})
            report = check_file(path, dialect, mapping, default_region="US")
        except (MappingError, UnicodeError):
            return
        finally:
            assert time.monotonic() - started < 5.0
        assert report["rows"] == report["imported"] + report["duplicates"] + report["invalid"]
        rows = sorted(r["row"] for r in report["contacts"] + report["rejected"])
        assert rows == list(range(1, report["rows"] + 1))  # every record has exactly one verdict


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(st.sampled_from(CELLS), st.sampled_from(SEPARATORS)), max_size=60).map("".join),
    st.sampled_from(ENCODINGS),
    st.booleans(),
)
def test_any_csv_text_ends_as_verdicts_or_a_clear_error(text: str, encoding: str, has_headers: bool) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeError:
        return
    _check(data, has_headers)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.booleans())
def test_any_bytes_end_as_verdicts_or_a_clear_error(data: bytes, has_headers: bool) -> None:
    _check(data, has_headers)
