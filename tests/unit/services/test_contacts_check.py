"""`outreach contacts check` on real messy files committed under tests/data/csv."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from outreach_cli.main import app
from typer.testing import CliRunner

pytestmark = pytest.mark.unit
DATA = Path(__file__).parents[2] / "data" / "csv"


def check(*args: str) -> tuple[int, dict[str, Any] | str]:
    result = CliRunner().invoke(app, ["contacts", "check", *args, "--json"])
    if result.exit_code != 0:
        return result.exit_code, result.output
    return 0, json.loads(result.stdout)


def maps(**columns: str) -> list[str]:
    """`--map FIELD=COLUMN` for each field."""
    return [arg for field, column in columns.items() for arg in ("--map", f"{field}={column}")]


def test_utf8_bom_file_with_every_kind_of_bad_number() -> None:
    mapping = maps(to_number="Phone", first_name="First Name", email="Email", plan="Plan")
    code, report = check(str(DATA / "utf8_bom_comma.csv"), *mapping)
    assert code == 0 and isinstance(report, dict)
    assert (report["encoding"], report["delimiter"]) == ("utf-8-sig", ",")
    assert (report["rows"], report["imported"], report["duplicates"], report["invalid"]) == (11, 5, 1, 5)
    phones = {c["row"]: c["phone"] for c in report["contacts"]}
    assert phones == {1: "+12125550123", 7: "+16465550199", 8: "+442079460958", 9: "+12125550124", 10: "+12125550125"}
    reasons = {r["row"]: r["reason"] for r in report["rejected"]}
    assert "scientific notation" in reasons[3]
    assert "letters" in reasons[4]
    assert "too short" in reasons[5]
    assert "missing" in reasons[6]
    assert "not a valid number" in reasons[11]
    assert report["rejected"][0] == {
        "row": 2,
        "status": "duplicate",
        "reason": "duplicate phone number in file (same as row 1)",
        "duplicate_of": 1,
    }
    by_row = {c["row"]: c for c in report["contacts"]}
    assert by_row[7]["email"] is None and by_row[7]["warnings"] == ["invalid email dropped: not-an-email"]
    assert by_row[9]["first_name"] == "=cmd|' /C calc'!A0" and by_row[9]["fields"] == {"plan": "=1+1"}  # kept as text


def test_keep_duplicates_imports_both_rows() -> None:
    code, report = check(str(DATA / "utf8_bom_comma.csv"), "--map", "to_number=phone", "--keep-duplicates")
    assert code == 0 and isinstance(report, dict)
    assert report["duplicates"] == 0 and report["imported"] == 6  # header names match case-insensitively


def test_semicolons_in_windows_1252_with_a_foreign_default_region() -> None:
    mapping = maps(to_number="Téléphone", first_name="Prénom")
    code, report = check(str(DATA / "semicolon_cp1252.csv"), *mapping, "--default-region", "FR")
    assert code == 0 and isinstance(report, dict)
    assert (report["encoding"], report["delimiter"]) == ("cp1252", ";")
    assert [(c["row"], c["phone"], c["first_name"]) for c in report["contacts"]] == [
        (1, "+33612345678", "José"),
        (3, "+14155550142", "Renée"),
    ]
    assert report["rejected"][0]["duplicate_of"] == 1


def test_utf16_with_tabs() -> None:
    code, report = check(str(DATA / "utf16_tab.csv"), *maps(to_number="phone", notes="notes"))
    assert code == 0 and isinstance(report, dict)
    assert (report["encoding"], report["delimiter"]) == ("utf-16", "\t")
    assert [c["fields"]["notes"] for c in report["contacts"]] == ["こんにちは", "plain"]


def test_pipes_quoted_newlines_and_blank_lines() -> None:
    code, report = check(str(DATA / "pipe_quoted_newlines.csv"), *maps(to_number="mobile", c="comment"))
    assert code == 0 and isinstance(report, dict)
    assert report["delimiter"] == "|" and report["rows"] == 3
    assert [c["fields"]["c"] for c in report["contacts"]] == ["line one\nline two", "ok", "x"]


def test_no_headers_by_column_number_and_overrides() -> None:
    overrides = ["--delimiter", ",", "--encoding", "utf-8"]
    code, report = check(str(DATA / "no_headers.csv"), "--no-headers", *maps(to_number="2", first_name="1"), *overrides)
    assert code == 0 and isinstance(report, dict)
    assert [(c["row"], c["first_name"]) for c in report["contacts"]] == [(1, "Ann"), (2, "Bob")]
    assert report["rejected"] == [
        {"row": 3, "status": "duplicate", "reason": "duplicate phone number in file (same as row 1)", "duplicate_of": 1}
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--map", "to_number=Nope"], "no column named 'Nope'"),
        (["--map", "first_name=Phone"], "to_number is required"),
        (["--map", "to_number=Phone", "--delimiter", ":"], "--delimiter"),
        (["--map", "to_number=Phone", "--encoding", "klingon"], "unknown encoding"),
        (["--map", "to_number=Phone", "--default-region", "XX"], "--default-region"),
        (["--map", "to_number"], "FIELD=COLUMN"),
    ],
)
def test_bad_options_are_clear_errors(args: list[str], message: str) -> None:
    code, output = check(str(DATA / "utf8_bom_comma.csv"), *args)
    assert code == 2 and message in str(output)


def test_missing_file() -> None:
    code, output = check(str(DATA / "nope.csv"), "--map", "to_number=Phone")
    assert code == 2 and "no such file" in str(output)
