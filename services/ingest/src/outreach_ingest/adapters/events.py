"""ContactImported events encoded in bulk: the JSON the contract model gives, built without a model per
contact (an import publishes one per contact; a test checks the encoding against the model)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from outreach_common.ids import uuid4_strings
from outreach_common.kafka import Encoded
from outreach_contracts.contacts import ContactData
from pydantic_core import to_json

_FIELDS = tuple(ContactData.model_fields)


def contacts_imported(
    header: dict[str, str], contacts: Sequence[tuple[str, int, dict[str, Any]]], occurred_at: datetime,
    traceparents: Sequence[str],
) -> list[Encoded]:  # fmt: skip
    """ContactImported for (contact id, row, contact) of one import (`header`: its workspace, campaign and
    import ids), one journey each. What all of them share is encoded once; per event, its ids, row and
    contact are encoded and joined in (with the ids below, about 2.7 us an event; 4 us before)."""
    at = occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    shared = (
        b'","schema_version":1,"occurred_at":' + to_json(at) + b',"workspace_id":' + to_json(header["workspace_id"])
        + b',"trace":{"traceparent":'
    )  # fmt: skip
    kind = b',"tracestate":null},"type":"ContactImported","campaign_id":' + to_json(header["campaign_id"])
    import_id = b',"import_id":' + to_json(header["import_id"]) + b',"row":'
    encoded = []
    for (contact_id, row, contact), parent, event_id in zip(
        contacts, traceparents, uuid4_strings(len(contacts)), strict=True
    ):
        if tuple(contact) != _FIELDS:  # in the model's field order, every field present
            contact = {name: contact.get(name, {} if name == "fields" else None) for name in _FIELDS}
        value = b"".join((
            b'{"event_id":"', event_id.encode(), shared, to_json(parent), kind, b',"contact_id":', to_json(contact_id),
            import_id, str(row).encode(), b',"contact":', to_json(contact), b"}",
        ))  # fmt: skip
        encoded.append(Encoded(value, "ContactImported", parent))
    return encoded
