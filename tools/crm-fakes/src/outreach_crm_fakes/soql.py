"""The few SOQL forms the fake Salesforce answers: `SELECT fields FROM Object [WHERE conditions] [ORDER BY
Id]`, conditions joined by AND, each `Field = 'text'`, `Field = true|false`, `Field >= 2026-01-01T00:00:00Z`,
`Id IN (SELECT ContactId|LeadId FROM CampaignMember WHERE CampaignId = 'x')`, or one of these in brackets.
Anything else is refused as Salesforce refuses a malformed query."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

QUERY = re.compile(r"^SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<object>\w+)(?:\s+WHERE\s+(?P<where>.+?))?"
                   r"(?:\s+ORDER\s+BY\s+(?P<order>\w+)(?:\s+(?:ASC|DESC))?)?$", re.I | re.S)  # fmt: skip
EQUALS = re.compile(r"^(\w+)\s*=\s*'((?:[^'\\]|\\.)*)'$")
BOOLEAN = re.compile(r"^(\w+)\s*=\s*(true|false)$", re.I)
SINCE = re.compile(r"^(\w+)\s*>=\s*(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$")
MEMBERS = re.compile(
    r"^Id\s+IN\s+\(SELECT\s+(ContactId|LeadId)\s+FROM\s+CampaignMember\s+WHERE\s+CampaignId\s*=\s*'([^']*)'\)$", re.I
)

Row = dict[str, Any]


class MalformedQueryError(ValueError):
    """Not a query the fake answers."""


@dataclass(frozen=True)
class Query:
    fields: list[str]
    object: str
    where: Callable[[Row], bool]


def _split_and(text: str) -> list[str]:
    parts, depth, start, quoted = [], 0, 0, False
    i = 0
    while i < len(text):
        c = text[i]
        if c == "'" and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and c == "(":
            depth += 1
        elif not quoted and c == ")":
            depth -= 1
        elif not quoted and depth == 0 and text[i : i + 5].upper() == " AND ":
            parts.append(text[start:i].strip())
            start = i + 5
            i += 4
        i += 1
    parts.append(text[start:].strip())
    return parts


def _condition(text: str, members: Callable[[str, str], set[str]]) -> Callable[[Row], bool]:
    if text.startswith("(") and text.endswith(")") and not MEMBERS.match(text):
        inner = _split_and(text[1:-1])
        checks = [_condition(p, members) for p in inner]
        return lambda row: all(c(row) for c in checks)
    if m := EQUALS.match(text):
        field, value = m.group(1), m.group(2).replace("\\'", "'").replace("\\\\", "\\")
        return lambda row: str(row.get(field, "")) == value
    if m := BOOLEAN.match(text):
        field, flag = m.group(1), m.group(2).lower() == "true"
        return lambda row: bool(row.get(field)) is flag
    if m := SINCE.match(text):
        field, at = m.group(1), m.group(2)
        return lambda row: str(row.get(field, "")) >= at
    if m := MEMBERS.match(text):
        ids = members(m.group(1), m.group(2))
        return lambda row: row["Id"] in ids
    raise MalformedQueryError(f"unexpected condition: {text}")


def parse(soql: str, members: Callable[[str, str], set[str]]) -> Query:
    """The query, or MalformedQueryError."""
    m = QUERY.match(soql.strip())
    if not m:
        raise MalformedQueryError(f"unexpected query: {soql[:120]}")
    fields = [f.strip() for f in m.group("fields").split(",")]
    if not all(re.fullmatch(r"\w+", f) for f in fields):
        raise MalformedQueryError("fields must be plain field names")
    where = m.group("where")
    checks = [_condition(p, members) for p in _split_and(where)] if where else []
    return Query(fields=fields, object=m.group("object"), where=lambda row: all(c(row) for c in checks))
