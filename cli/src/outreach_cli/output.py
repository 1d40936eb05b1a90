"""What the command line prints: readable tables for people, the API's own JSON for scripts."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

Column = tuple[str, Callable[[dict[str, Any]], Any]]


def console() -> Console:
    """A console on stdout (no colour codes when stdout is not a terminal)."""
    return Console(highlight=False, soft_wrap=False, width=200)


def as_json(data: Any) -> None:
    """The API's JSON, as is."""
    typer.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def say(data: Any, text: str, *, json_out: bool) -> None:
    """`data` as JSON when asked, else the line `text` (written for people)."""
    if json_out:
        as_json(data)
    else:
        typer.echo(text)


def field(name: str, default: str = "") -> Callable[[dict[str, Any]], Any]:
    """A column reading one field (nested with dots)."""

    def read(row: dict[str, Any]) -> Any:
        value: Any = row
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return default if value is None else value

    return read


def table(rows: Sequence[dict[str, Any]], columns: Sequence[Column], *, title: str | None = None) -> Table:
    """A table of `rows`, one column per (heading, reader)."""
    out = Table(title=title, show_edge=False, pad_edge=False, header_style="bold")
    for heading, _ in columns:
        out.add_column(heading)
    for row in rows:
        out.add_row(*(_text(read(row)) for _, read in columns))
    return out


def show(data: Any, rows: Sequence[dict[str, Any]], columns: Sequence[Column], *, json_out: bool) -> None:
    """`data` as JSON when asked, else `rows` as a table."""
    if json_out:
        as_json(data)
    else:
        console().print(table(rows, columns))


def pairs(data: dict[str, Any], keys: Sequence[str], *, json_out: bool) -> None:
    """One record: JSON when asked, else `key  value` lines of `keys`."""
    if json_out:
        as_json(data)
        return
    width = max(len(k) for k in keys)
    for key in keys:
        typer.echo(f"{key.ljust(width)}  {_text(field(key)(data))}")


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)
