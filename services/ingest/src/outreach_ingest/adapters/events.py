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
    docs: Sequence[dict[str, Any]], occurred_at: datetime, traceparents: Sequence[str]
) -> list[Encoded]:
    """ContactImported for stored contact documents (their `_id` is the contact id), one journey each."""
    at = occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    encoded = []
    for doc, parent, event_id in zip(docs, traceparents, uuid4_strings(len(docs)), strict=True):
        body = {
            "event_id": event_id,
            "schema_version": 1,
            "occurred_at": at,
            "workspace_id": doc["workspace_id"],
            "trace": {"traceparent": parent, "tracestate": None},
            "type": "ContactImported",
            "campaign_id": doc["campaign_id"],
            "contact_id": doc["_id"],
            "import_id": doc["import_id"],
            "row": doc["row"],
            "contact": {name: doc.get(name, {} if name == "fields" else None) for name in _FIELDS},
        }
        encoded.append(Encoded(to_json(body), "ContactImported", parent))
    return encoded
