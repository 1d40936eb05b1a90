"""ContactImported events encoded in bulk: the JSON the contract model gives, built without a model per
contact (an import publishes one per contact; a test checks the encoding against the model)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from outreach_common.kafka import Encoded
from outreach_contracts.contacts import ContactData
from pydantic_core import to_json

_FIELDS = tuple(ContactData.model_fields)
_VERSION, _VARIANT = 4 << 76, 0x8000 << 48
_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))


def uuid4_strings(count: int) -> list[str]:
    """`count` random (version 4) UUIDs as strings, from one read of the system's random source."""
    raw = os.urandom(16 * count)
    out = []
    for i in range(0, 16 * count, 16):
        h = f"{(int.from_bytes(raw[i : i + 16], 'big') & _CLEAR) | _VERSION | _VARIANT:032x}"
        out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return out


def contacts_imported(
    header: dict[str, str], contacts: Sequence[tuple[str, int, dict[str, Any]]], occurred_at: datetime,
    traceparents: Sequence[str],
) -> list[Encoded]:  # fmt: skip
    """ContactImported for (contact id, row, contact) of one import (`header`: its workspace, campaign and
    import ids), one journey each."""
    at = occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    workspace, campaign, import_id = header["workspace_id"], header["campaign_id"], header["import_id"]
    encoded = []
    for (contact_id, row, contact), parent, event_id in zip(
        contacts, traceparents, uuid4_strings(len(contacts)), strict=True
    ):
        if tuple(contact) != _FIELDS:  # in the model's field order, every field present
            contact = {name: contact.get(name, {} if name == "fields" else None) for name in _FIELDS}
        body = {
            "event_id": event_id,
            "schema_version": 1,
            "occurred_at": at,
            "workspace_id": workspace,
            "trace": {"traceparent": parent, "tracestate": None},
            "type": "ContactImported",
            "campaign_id": campaign,
            "contact_id": contact_id,
            "import_id": import_id,
            "row": row,
            "contact": contact,
        }
        encoded.append(Encoded(to_json(body), "ContactImported", parent))
    return encoded
