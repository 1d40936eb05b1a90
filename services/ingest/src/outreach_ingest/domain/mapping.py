"""Column mapping: which CSV column feeds which contact field, checked against the file's header."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field

STANDARD_FIELDS = ("to_number", "first_name", "last_name", "email", "timezone", "state", "postal_code")

# Header names (lower case, without spaces, dashes and underscores) that suggest a field.
_SUGGESTIONS = {
    "to_number": (
        "phone",
        "phonenumber",
        "mobile",
        "mobilephone",
        "cell",
        "cellphone",
        "tonumber",
        "number",
        "tel",
        "telephone",
        "phone1",
        "primaryphone",
        "contactnumber",
    ),
    "first_name": ("firstname", "first", "givenname", "fname", "forename", "prenom", "nombre", "vorname"),
    "last_name": ("lastname", "last", "surname", "familyname", "lname", "nom", "apellido", "nachname"),
    "email": ("email", "emailaddress", "mail", "email1", "courriel", "correo"),
    "timezone": ("timezone", "tz", "zone", "time_zone"),
    "state": ("state", "province", "region", "stateprovince", "st"),
    "postal_code": ("postalcode", "zip", "zipcode", "postcode", "zip5"),
}


class MappingError(ValueError):
    """A mapping that does not fit the file; `problems` holds (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{name}: {msg}" for name, msg in problems))
        self.problems = problems


@dataclass(frozen=True)
class Mapping:
    """Field -> column key (a header name, or a 1-based column number as a string without headers)."""

    columns: dict[str, str]
    custom: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_pairs(cls, pairs: MappingType[str, str]) -> Mapping:
        """Standard fields by name, any other name as a custom field; `to_number` is required."""
        if not pairs.get("to_number"):
            raise MappingError([("to_number", "to_number is required")])
        columns = {k: str(v) for k, v in pairs.items() if k in STANDARD_FIELDS}
        custom = {k: str(v) for k, v in pairs.items() if k not in STANDARD_FIELDS}
        bad = [k for k in custom if not k.strip()]
        if bad:
            raise MappingError([("custom", "a custom field needs a name")])
        return cls(columns=columns, custom=custom)

    def resolve(self, header: list[str] | None, width: int) -> Mapping:
        """The mapping with each column checked against the header (names match case-insensitively) or,
        without headers, as a 1-based index no larger than the widest row seen."""
        problems: list[tuple[str, str]] = []

        def one(name: str, column: str) -> str:
            if header is None:
                if not column.strip().isdigit() or not 1 <= int(column) <= max(width, 1):
                    problems.append((name, f"column {column!r} is not a column number between 1 and {width}"))
                return column.strip()
            if column in header:
                return column
            folded = {h.casefold(): h for h in header}
            found = folded.get(column.strip().casefold())
            if found is None:
                problems.append((name, f"no column named {column!r} (columns: {', '.join(header)})"))
                return column
            return found

        columns = {name: one(name, col) for name, col in self.columns.items()}
        custom = {name: one(name, col) for name, col in self.custom.items()}
        if problems:
            raise MappingError(problems)
        return Mapping(columns=columns, custom=custom)


def suggest(header: list[str]) -> dict[str, str]:
    """A mapping suggested from header names; unmatched columns become custom fields."""

    def key(name: str) -> str:
        plain = unicodedata.normalize("NFKD", name.casefold())
        return "".join(c for c in plain if c.isalnum() and not unicodedata.combining(c))

    suggested: dict[str, str] = {}
    for column in header:
        k = key(column)
        for name, options in _SUGGESTIONS.items():
            if name not in suggested and k in {key(o) for o in options}:
                suggested[name] = column
                break
        else:
            if k and column not in suggested.values():
                suggested[k] = column
    return suggested
