"""Contacts' JSON built on columns is what the contract model writes, byte for byte, and stored pages
split at their size limit."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from outreach_contracts.contacts import ContactData
from outreach_ingest.adapters.contact_json import json_values
from outreach_ingest.adapters.repository import page_texts
from pydantic_core import to_json

from tests.unit.fakes.ingest import as_stored, contact_columns

pytestmark = pytest.mark.unit
TRICKY = ["plain", 'a "quote"', "back\\slash", "line\nend", "\x00\x01\x1f", "tab\t", "José", "😀", "\u2028", "\x7f", ""]


def test_values_are_encoded_as_pydantic_encodes_them() -> None:
    values = [*TRICKY, None]
    assert json_values(pa.array(values, pa.string())).to_pylist() == [to_json(v).decode() for v in values]


@given(st.lists(st.one_of(st.none(), st.text()), max_size=20))
def test_any_text_is_encoded_as_pydantic_encodes_it(values: list[str | None]) -> None:
    assert json_values(pa.array(values, pa.string())).to_pylist() == [to_json(v).decode() for v in values]


@given(
    st.lists(
        st.fixed_dictionaries(
            {"phone": st.sampled_from(["+12125550123", "+33612345678"])},
            optional={
                name: st.sampled_from(TRICKY)
                for name in ("first_name", "last_name", "email", "timezone", "state", "postal_code")
            }
            | {"fields": st.dictionaries(st.sampled_from(["plan", 'we"ird', "n"]), st.sampled_from(TRICKY))},
        ),
        min_size=1,
        max_size=8,
    )
)
def test_contacts_are_the_models_json(contacts: list[dict[str, Any]]) -> None:
    columns = contact_columns([{"id": f"ct_{i}", "row": i + 1, **c} for i, c in enumerate(contacts)])
    order = list(dict.fromkeys(name for c in contacts for name in c.get("fields", {})))  # the file's columns
    expected = []
    for contact in contacts:
        model = ContactData.model_validate(contact)
        fields = {name: model.fields[name] for name in order if name in model.fields}
        expected.append(model.model_copy(update={"fields": fields}).model_dump_json())
    assert columns.json.to_pylist() == expected


@pytest.mark.parametrize("limit", [1, 150, 400, 10_000])
def test_pages_hold_every_contact_in_order_within_the_limit(limit: int) -> None:
    contacts = [{"id": f"ct_{i}", "row": i, "phone": f"+1212555{i:04d}", "first_name": TRICKY[i % len(TRICKY)]}
                for i in range(1, 30)]  # fmt: skip
    columns = contact_columns(contacts)
    pages = list(page_texts(columns, limit))
    assert [start for start, _, _ in pages] == [0] + [stop for _, stop, _ in pages[:-1]]
    assert pages[-1][1] == len(contacts)
    stored = [c for _, _, text in pages for c in json.loads(text)]
    assert stored == [as_stored(c) for c in contacts]
    assert all(len(text) <= limit or stop - start == 1 for start, stop, text in pages)
    for (_, stop, text), _ in itertools.pairwise(pages):  # a page takes as many contacts as fit
        (_, _, alone), *_ = page_texts(columns.take([stop]), limit)
        assert len(text) + len(alone) - 1 > limit


def test_a_page_is_cut_where_the_next_contact_would_pass_the_limit() -> None:
    columns = contact_columns([{"id": f"ct_{i}", "row": i, "phone": f"+1212555{i:04d}"} for i in range(1, 9)])
    (_, _, three), *_ = page_texts(columns.take([0, 1, 2]), 10**6)
    assert next(stop for _, stop, _ in page_texts(columns, len(three))) == 3
    assert next(stop for _, stop, _ in page_texts(columns, len(three) - 1)) == 2
