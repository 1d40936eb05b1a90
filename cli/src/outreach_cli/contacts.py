"""`outreach contacts check`: an import's verdicts for a CSV file, with no running service (`import`, `rejected`
and `list` against the API are in `contact_imports`)."""

from __future__ import annotations

import codecs
import json
import sys
from pathlib import Path
from typing import Any

import phonenumbers
import typer
from outreach_ingest.adapters.csvfiles import check_file, detect
from outreach_ingest.domain.csvfile import DELIMITERS
from outreach_ingest.domain.mapping import Mapping, MappingError

app = typer.Typer(help="Contacts: check a file, import it into a campaign, list states.", no_args_is_help=True)

_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def _fail(message: str) -> typer.Exit:
    sys.stderr.write(f"error: {message}\n")
    return typer.Exit(2)


def pairs_of(maps: list[str]) -> dict[str, str]:
    """FIELD=COLUMN options as a mapping; exit 2 on a malformed one."""
    pairs: dict[str, str] = {}
    for item in maps:
        name, sep, column = item.partition("=")
        if not sep or not name.strip() or not column:
            raise _fail(f"--map {item!r}: expected FIELD=COLUMN")
        pairs[name.strip()] = column
    return pairs


@app.command("check")
def check(
    file: Path = typer.Argument(..., help="CSV file to check"),
    maps: list[str] = typer.Option([], "--map", help="FIELD=COLUMN (header name, or 1-based index)"),
    no_headers: bool = typer.Option(False, "--no-headers", help="The first record is data"),
    delimiter: str | None = typer.Option(None, "--delimiter", help="One of , ; tab |"),
    encoding: str | None = typer.Option(None, "--encoding", help="utf-8, utf-8-sig, utf-16, cp1252, latin-1 ..."),
    default_region: str = typer.Option("US", "--default-region", help="Region of numbers without +country"),
    skip_duplicates: bool = typer.Option(True, "--skip-duplicates/--keep-duplicates", help="Repeated numbers"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document (the only format)"),
) -> None:
    """Print the verdict of every data record: imported, duplicate (of which row) or invalid (why)."""
    if not file.is_file():
        raise _fail(f"{file}: no such file")
    if delimiter is not None:
        delimiter = _DELIMITER_NAMES.get(delimiter.lower(), delimiter)
        if delimiter not in DELIMITERS:
            raise _fail(f"--delimiter {delimiter!r}: expected one of , ; tab |")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise _fail(f"--encoding {encoding!r}: unknown encoding") from None
    if default_region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise _fail(f"--default-region {default_region!r}: not a region code such as US or GB")
    report = checked(
        file,
        maps,
        no_headers=no_headers,
        encoding=encoding,
        delimiter=delimiter,
        default_region=default_region.upper(),
        skip_duplicates=skip_duplicates,
    )
    sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")


def checked(
    file: Path,
    maps: list[str],
    *,
    no_headers: bool = False,
    encoding: str | None = None,
    delimiter: str | None = None,
    default_region: str = "US",
    skip_duplicates: bool = True,
) -> dict[str, Any]:
    """The import job's verdicts for `file` (ingest's own code); exit 2 on a mapping or file problem."""
    try:
        mapping = Mapping.from_pairs(pairs_of(maps))
        dialect = detect(file, encoding=encoding, delimiter=delimiter, has_headers=not no_headers)
        return check_file(file, dialect, mapping, default_region=default_region, skip_duplicates=skip_duplicates)
    except MappingError as exc:
        raise _fail(f"--map: {exc}") from None
    except (UnicodeError, OSError) as exc:
        raise _fail(f"{file}: {exc}") from None
