"""ContactImported events encoded in bulk: the JSON the contract model gives, built on columns without a
model or a dict per contact (an import publishes one per contact; a test checks the encoding against the
model)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc
from outreach_common.ids import uuid4_strings
from outreach_common.kafka import Encoded
from pydantic_core import to_json

from outreach_ingest.domain.contact_columns import ContactColumns


def contacts_imported(
    header: dict[str, str], contacts: ContactColumns, occurred_at: datetime, traceparents: Sequence[str]
) -> list[Encoded]:
    """ContactImported for contacts of one import (`header`: its workspace, campaign and import ids), one
    journey each, built on the columns: what all of them share is encoded once, and each event's ids, row
    and contact are joined in (ids, traceparents and contact ids need no escaping)."""
    at = occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    shared = (
        '","schema_version":1,"occurred_at":' + _text(at) + ',"workspace_id":' + _text(header["workspace_id"])
        + ',"trace":{"traceparent":"'
    )  # fmt: skip
    kind = '","tracestate":null},"type":"ContactImported","campaign_id":' + _text(header["campaign_id"])
    import_id = ',"import_id":' + _text(header["import_id"]) + ',"row":'
    parents = pa.array(traceparents, pa.string())
    values = pc.binary_join_element_wise(
        '{"event_id":"', pa.array(uuid4_strings(len(contacts)), pa.string()), shared, parents, kind,
        ',"contact_id":"', pa.array(contacts.ids, pa.string()), '"', import_id,
        pc.cast(pa.array(contacts.rows), pa.string()), ',"contact":', contacts.json, "}", "",
    )  # fmt: skip
    return [
        Encoded(value, "ContactImported", parent)
        for value, parent in zip(pc.cast(values, pa.binary()).to_pylist(), traceparents, strict=True)
    ]


def _text(value: str) -> str:
    return to_json(value).decode()
