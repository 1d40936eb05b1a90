"""The verdicts of a batch of records, computed on its columns with Arrow's compute kernels.

It gives exactly what `rows.to_contact` gives record by record: the column rules settle the common cases
(cleaning every mapped value, North American numbers by their six-digit prefix as `fastpath.nanp_fast`
does, addresses the strict pattern of `fastpath.email_fast` accepts or that have no @ at all, known and
unknown time zones), and every record they cannot settle goes through `to_contact` itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from zoneinfo import available_timezones

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from email_validator import SPECIAL_USE_DOMAIN_NAMES
from outreach_contracts.contacts import ContactData

from outreach_ingest.domain.batches import WHITESPACE, RecordBatch
from outreach_ingest.domain.fastpath import EMAIL_DOMAIN, EMAIL_LOCAL, NANP_REGIONS, VALID, email_fast, prefix_codes
from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.domain.rows import Verdict, to_contact

CONTACT_FIELDS = ("phone", "first_name", "last_name", "email", "timezone", "state", "postal_code")
_KEYS = (*CONTACT_FIELDS, "fields")  # a contact's keys, as ContactData.model_dump() orders them
_NAMES = CONTACT_FIELDS[1:3] + CONTACT_FIELDS[6:]  # taken as cleaned
_EMAIL = f"^{EMAIL_LOCAL}@{EMAIL_DOMAIN}$"
_SPECIAL = "[@.](?:" + "|".join(re.escape(s) for s in SPECIAL_USE_DOMAIN_NAMES) + ")$"  # of the domain
_ZONES = pa.array(sorted(available_timezones()), pa.string())


@dataclass
class VerdictBatch:
    """Verdicts of consecutive records, in columns: `status` is imported, duplicate or invalid; the contact
    columns hold the normalised values (meaningful where imported); `warnings` by position."""

    rows: pa.Int64Array
    status: pa.StringArray
    reason: pa.StringArray
    duplicate_of: pa.Int64Array
    contact: dict[str, pa.StringArray]
    fields: dict[str, pa.StringArray]
    warnings: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)

    def rows_where(self, status: str) -> list[int]:
        """Positions of the records with `status`."""
        return pc.indices_nonzero(pc.equal(self.status, status)).to_pylist()  # type: ignore[no-any-return]

    def contacts(self) -> Iterator[tuple[int, int, dict[str, object]]]:
        """(position, row, contact as ContactData.model_dump() gives it) of each imported record."""
        at = pa.array(self.rows_where("imported"), pa.int64())
        rows = self.rows.take(at).to_pylist()
        values = [self.contact[name].take(at).to_pylist() for name in CONTACT_FIELDS]
        custom = {name: column.take(at).to_pylist() for name, column in self.fields.items()}
        names = list(custom)
        found = zip(*custom.values(), strict=True)
        extras = [{k: v for k, v in zip(names, f, strict=True) if v is not None} for f in found] if custom else None
        columns = zip(*values, extras or [{} for _ in rows], strict=True)
        for position, row, fields in zip(at.to_pylist(), rows, columns, strict=True):
            yield position, row, dict(zip(_KEYS, fields, strict=True))  # (a dict from pairs: half the time)

    def rejected(self) -> Iterator[tuple[int, str, str, int | None]]:
        """(row, status, reason, row duplicated) of each record not imported, in row order."""
        at = pa.array(pc.indices_nonzero(pc.not_equal(self.status, "imported")), pa.int64())
        columns = (self.rows, self.status, self.reason, self.duplicate_of)
        yield from zip(*(column.take(at).to_pylist() for column in columns), strict=True)

    def verdicts(self) -> Iterator[Verdict]:
        """The same as `Verdict`s, in row order (for reports and tests; imports read the columns)."""
        contacts = {position: contact for position, _, contact in self.contacts()}
        columns = zip(self.rows.to_pylist(), self.status.to_pylist(), self.reason.to_pylist(),
                      self.duplicate_of.to_pylist(), strict=True)  # fmt: skip
        for position, (row, status, reason, duplicate_of) in enumerate(columns):
            contact = contacts.get(position)
            yield Verdict(
                row=row,
                status=status,
                contact=ContactData.model_construct(**contact) if contact is not None else None,  # type: ignore[arg-type]
                reason=reason,
                duplicate_of=duplicate_of,
                warnings=self.warnings.get(position, ()),
            )


def normalise(batch: RecordBatch, mapping: Mapping, *, default_region: str) -> VerdictBatch:
    """Every record's verdict before duplicates are looked for (see `mark_duplicates`)."""
    n = len(batch)
    nulls = pa.nulls(n, pa.string())

    def cleaned(column: str | None) -> pa.StringArray:
        values = batch.columns.get(column) if column is not None else None
        return nulls if values is None else _clean(values, nulls)

    phone, slow_phone = _phones(cleaned(mapping.columns.get("to_number")), default_region)
    email_given = cleaned(mapping.columns.get("email"))
    email, no_at, slow_email = _emails(email_given, nulls)
    zone_given = cleaned(mapping.columns.get("timezone"))
    zone = pc.if_else(pc.is_in(zone_given, value_set=_ZONES), zone_given, nulls)
    state_given = cleaned(mapping.columns.get("state"))
    state = pc.ascii_upper(state_given)
    missing = pc.and_not(pc.is_null(phone), slow_phone)  # no number at all
    contact = {"phone": phone, "email": email, "timezone": zone, "state": state}
    contact.update({name: cleaned(mapping.columns.get(name)) for name in _NAMES})
    fields = {name: cleaned(column) for name, column in mapping.custom.items()}
    slow = pc.or_(pc.or_(slow_phone, slow_email), pc.invert(pc.fill_null(pc.string_is_ascii(state_given), True)))
    verdicts = VerdictBatch(
        rows=batch.rows,
        status=pc.if_else(missing, "invalid", "imported"),
        reason=pc.if_else(missing, "missing phone number", nulls),
        duplicate_of=pa.nulls(n, pa.int64()),
        contact=contact,
        fields=fields,
    )
    for position, value in _where(pc.and_not(no_at, missing), email_given):
        verdicts.warnings[position] = (f"invalid email dropped: {value}",)
    unknown = pc.and_not(pc.and_(pc.is_valid(zone_given), pc.is_null(zone)), missing)
    for position, value in _where(unknown, zone_given):
        verdicts.warnings[position] = (*verdicts.warnings.get(position, ()), f"unknown time zone dropped: {value}")
    _settle_slow(verdicts, slow, batch, mapping, default_region)
    return verdicts


def _clean(values: pa.StringArray, nulls: pa.StringArray) -> pa.StringArray:
    """`rows.clean` on a column: strip, drop one leading apostrophe and strip again, empty to null."""
    text = pc.utf8_trim(values, WHITESPACE)
    quoted = pc.starts_with(text, "'")
    if pc.any(quoted).as_py():
        text = pc.if_else(quoted, pc.utf8_trim(pc.utf8_slice_codeunits(text, 1), WHITESPACE), text)
    empty = pc.equal(pc.utf8_length(text), 0)
    return pc.if_else(empty, nulls, text) if pc.any(empty).as_py() else text


def _phones(value: pa.StringArray, default_region: str) -> tuple[pa.StringArray, pa.BooleanArray]:
    """E.164 of the North American numbers the prefix table settles as valid; the other given numbers
    are marked for the slow path (which also words the reasons of the invalid ones)."""
    digits = value
    for mark in " ()-.+":
        digits = pc.replace_substring(digits, mark, "")
    plain = pc.match_substring_regex(digits, "^[0-9]+$")
    length = pc.utf8_length(digits)
    leading_one = pc.starts_with(digits, "1")
    plus = pc.match_substring(value, "+")
    by_plus = pc.and_(pc.and_(pc.equal(length, 11), leading_one), pc.starts_with(value, "+"))
    if default_region in NANP_REGIONS:
        ten = pc.or_(pc.equal(length, 10), pc.and_(pc.equal(length, 11), leading_one))
        shaped = pc.if_else(plus, by_plus, ten)
    else:
        shaped = pc.and_(plus, by_plus)
    candidate = pc.fill_null(pc.and_(plain, shaped), False)
    national = pc.utf8_slice_codeunits(digits, -10)
    at = pc.indices_nonzero(candidate)
    prefixes = pc.cast(pc.utf8_slice_codeunits(national.take(at), 0, 6), pa.int64()).to_numpy()
    valid_at = np.zeros(len(value), bool)
    valid_at[at.to_numpy()[prefix_codes(prefixes) == VALID]] = True
    valid = pa.array(valid_at)
    e164 = pc.if_else(valid, pc.binary_join_element_wise("+1", national, ""), pa.nulls(len(value), pa.string()))
    return e164, pc.and_(pc.is_valid(value), pc.invert(valid))


def _emails(value: pa.StringArray, nulls: pa.StringArray) -> tuple[pa.StringArray, pa.BooleanArray, pa.BooleanArray]:
    """(normalised address, has no @ so is dropped with a warning, needs email_validator)."""
    given = pc.is_valid(value)
    if not pc.any(given).as_py():
        false = pc.is_valid(nulls)
        return nulls, false, false
    shaped = pc.match_substring_regex(value, _EMAIL)  # one @ when it holds
    fits = pc.and_(pc.less_equal(pc.utf8_length(value), 254), pc.less_equal(pc.find_substring(value, "@"), 64))
    special = pc.match_substring_regex(value, _SPECIAL, ignore_case=True)
    ok = pc.fill_null(pc.and_not(pc.and_(shaped, fits), special), False)
    email = pc.if_else(ok, value, nulls)
    upper = pc.and_(ok, pc.match_substring_regex(value, "@.*[A-Z]"))  # the domain is lowered
    if pc.any(upper).as_py():
        at = pc.indices_nonzero(upper)
        lowered = [email_fast(v) for v in value.take(at).to_pylist()]
        email = pc.replace_with_mask(email, upper, pa.array(lowered, pa.string()))
    no_at = pc.and_(given, pc.invert(pc.fill_null(pc.match_substring(value, "@"), False)))
    slow = pc.and_not(pc.and_not(given, ok), no_at)
    return email, no_at, slow


def _where(mask: pa.BooleanArray, values: pa.StringArray) -> list[tuple[int, str]]:
    """(position, value) where `mask` holds."""
    at = pc.indices_nonzero(pc.fill_null(mask, False))
    return list(zip(at.to_pylist(), values.take(at).to_pylist(), strict=True)) if len(at) else []


def _settle_slow(
    verdicts: VerdictBatch, slow: pa.BooleanArray, batch: RecordBatch, mapping: Mapping, default_region: str
) -> None:
    """Run `to_contact` on the records marked slow and write its verdicts into the columns."""
    positions = pc.indices_nonzero(pc.fill_null(slow, False)).to_pylist()
    if not positions:
        return
    settled = [to_contact(record, mapping, row=row, default_region=default_region)
               for row, record in batch.records(positions)]  # fmt: skip
    mask = pc.fill_null(slow, False)

    def put(column: pa.Array, values: Sequence[object]) -> pa.Array:
        return pc.replace_with_mask(column, mask, pa.array(values, column.type))

    verdicts.status = put(verdicts.status, [v.status for v in settled])
    verdicts.reason = put(verdicts.reason, [v.reason for v in settled])
    if all(v.contact is None for v in settled):  # (the contact columns are read only where imported)
        for position, v in zip(positions, settled, strict=True):
            _set_warnings(verdicts, position, v.warnings)
        return
    for name in CONTACT_FIELDS:
        verdicts.contact[name] = put(verdicts.contact[name], [getattr(v.contact, name, None) for v in settled])
    for name in verdicts.fields:
        values = [v.contact.fields.get(name) if v.contact is not None else None for v in settled]
        verdicts.fields[name] = put(verdicts.fields[name], values)
    for position, v in zip(positions, settled, strict=True):
        _set_warnings(verdicts, position, v.warnings)


def _set_warnings(verdicts: VerdictBatch, position: int, warnings: tuple[str, ...]) -> None:
    if warnings:
        verdicts.warnings[position] = warnings
    else:
        verdicts.warnings.pop(position, None)
