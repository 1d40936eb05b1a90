"""ContactImported encoded in bulk is the contract's own message."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from outreach_common.ids import uuid4_strings
from outreach_contracts.contacts import ContactData, ContactImported
from outreach_contracts.envelope import TraceContext
from outreach_ingest.adapters.events import contacts_imported

from tests.unit.fakes.ingest import contact_columns

pytestmark = pytest.mark.unit
PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.mark.parametrize(
    "contact",
    [
        {"phone": "+12125550123"},
        {
            "phone": "+33612345678",
            "first_name": "José",
            "last_name": 'Ö "quoted"\n',
            "email": "a@b.co",
            "timezone": "Europe/Paris",
            "state": "IDF",
            "postal_code": "75001",
            "fields": {"plan": "=1+1", "n": "ü"},
        },
    ],
)
@pytest.mark.parametrize("at", [datetime(2026, 3, 9, 14, 0, tzinfo=UTC), datetime(2026, 3, 9, 14, 0, 0, 1234, UTC)])
def test_encoded_events_are_the_contract_models(contact: dict[str, object], at: datetime) -> None:
    header = {"workspace_id": "ws", "campaign_id": "cmp", "import_id": "imp"}
    columns = contact_columns([{"id": "ct_1", "row": 7, **contact}])
    (encoded,) = contacts_imported(header, columns, at, [PARENT])
    parsed = ContactImported.model_validate_json(encoded.value)
    expected = ContactImported(
        event_id=parsed.event_id, occurred_at=at, workspace_id="ws", campaign_id="cmp", contact_id="ct_1",
        import_id="imp", row=7, contact=ContactData.model_validate(contact), trace=TraceContext(traceparent=PARENT),
    )  # fmt: skip
    assert parsed == expected
    assert encoded.value == expected.model_dump_json().encode()  # byte for byte what the model writes
    assert (encoded.type, encoded.traceparent) == ("ContactImported", PARENT)


def test_event_ids_are_random_version_4_uuids() -> None:
    ids = uuid4_strings(1000)
    assert len(set(ids)) == 1000
    assert all(uuid.UUID(i).version == 4 and uuid.UUID(i).variant == uuid.RFC_4122 and str(uuid.UUID(i)) == i
               for i in ids)  # fmt: skip
