"""Contacts' JSON built on columns with Arrow's string kernels: what `ContactData.model_dump_json()` writes
for each record, without a model or a dict per contact (a test checks it byte for byte against the model).

A value needs no escaping unless it holds a quote, a backslash or a control character (pydantic's JSON
writes every other character as it is); those few values are encoded one by one."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from pydantic_core import to_json

from outreach_ingest.domain.normalise import CONTACT_FIELDS

_ESCAPED = r'["\\\x00-\x1f]'


def json_values(values: pa.Array) -> pa.Array:
    """The JSON of each string of `values` (`null` for a missing one)."""
    return pc.fill_null(_json_given(values), "null")


def _json_given(values: pa.Array) -> pa.Array:
    """The JSON of each string of `values`, missing where it is."""
    text = pc.binary_join_element_wise('"', values, '"', "")
    escaped = pc.fill_null(pc.match_substring_regex(values, _ESCAPED), False)
    if pc.any(escaped).as_py():
        found = values.filter(escaped).to_pylist()
        text = pc.replace_with_mask(text, escaped, pa.array([to_json(v).decode() for v in found], pa.string()))
    return text


def contacts_json(contact: dict[str, pa.Array], fields: dict[str, pa.Array]) -> pa.Array:
    """Each record's contact as JSON: `contact` holds a column per `CONTACT_FIELDS`, `fields` a column per
    custom field (a record's `fields` object holds the ones it has, in this order)."""
    parts: list[pa.Array | str] = []
    for name in CONTACT_FIELDS:
        parts += ["," if parts else "{", f'"{name}":', json_values(contact[name])]
    given = [
        pc.fill_null(pc.binary_join_element_wise(f",{to_json(name).decode()}:", _json_given(column), ""), "")
        for name, column in fields.items()
    ]
    if given:  # each present one after a comma: the first comma is cut
        parts += [',"fields":{', pc.utf8_slice_codeunits(pc.binary_join_element_wise(*given, ""), 1), "}}"]
    else:
        parts.append(',"fields":{}}')
    return pc.binary_join_element_wise(*parts, "")
