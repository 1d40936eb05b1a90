"""An enrollment as the scheduler stores it: its document id, its log entries' ids, and the mapping between
`Enrollment` and its document (fields at their defaults left out)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from outreach_common.mongo import Document
from outreach_contracts.contacts import ContactData
from outreach_contracts.envelope import TraceContext

from outreach_scheduler.domain.enrollment import Enrollment, dispatch


def enrollment_id(campaign_id: str, contact_id: str) -> str:
    """Document id of an enrollment."""
    return f"{campaign_id}:{contact_id}"


def written() -> dict[str, datetime]:
    """When a log entry is written (wall clock: it only decides how long the entry is kept)."""
    return {"written": datetime.now(UTC)}


def log_id(doc_id: str, version: int) -> str:
    """Id of the log entry that moves an enrollment away from `version`."""
    return f"{doc_id}#{version}"


# Fields left out of a stored enrollment while they hold their defaults: the MongoDB-wire server reads a
# document in time that grows with its fields (measured on FerretDB: 0.14 ms with all 16, 0.11 ms without).
DEFAULTS: dict[str, Any] = {"reason": None, "in_flight_key": None, "trace": None, "failures": 0, "attempts_total": 0}


def to_doc(e: Enrollment) -> Document:
    """The stored fields of an enrollment (fields at their defaults left out)."""
    doc = {
        "campaign_id": e.campaign_id,
        "contact_id": e.contact_id,
        "workspace_id": e.workspace_id,
        "contact": e.contact.model_dump(exclude_defaults=True),
        "state": e.state,
        "step_index": e.step_index,
        "attempt": e.attempt,
        "due_at": e.due_at,
        "version": e.version,
        "reason": e.reason,
        "in_flight_key": e.in_flight_key,
        "failures": e.failures,
        "attempts_total": e.attempts_total,
        "trace": e.trace.model_dump() if e.trace else None,
    }
    return {k: v for k, v in doc.items() if k not in DEFAULTS or v != DEFAULTS[k]}


def update_to(fields: Document) -> Document:
    """The update that makes a stored enrollment hold `fields` (defaulted fields it lacks are removed)."""
    unset = {k: "" for k in DEFAULTS if k not in fields}
    return {"$set": fields, "$unset": unset} if unset else {"$set": fields}


def merged(doc: Document, fields: Document) -> Document:
    """`doc` once `update_to(fields)` is applied."""
    return {k: v for k, v in {**doc, **fields}.items() if k not in DEFAULTS or k in fields}


def from_doc(doc: Document) -> Enrollment:
    """An enrollment from its stored fields."""
    return Enrollment(
        campaign_id=doc["campaign_id"],
        contact_id=doc["contact_id"],
        workspace_id=doc["workspace_id"],
        contact=ContactData.model_validate(doc["contact"]),
        state=doc["state"],
        step_index=doc["step_index"],
        attempt=doc["attempt"],
        due_at=doc.get("due_at"),
        version=doc["version"],
        reason=doc.get("reason"),
        in_flight_key=doc.get("in_flight_key"),
        failures=doc.get("failures", 0),
        attempts_total=doc.get("attempts_total", 0),
        trace=TraceContext.model_validate(doc["trace"]) if doc.get("trace") else None,
    )


def changes_of(doc: Document, entry: Document) -> dict[str, Any]:
    """The document fields a log entry sets."""
    if entry["kind"] == "claim":
        return {**to_doc(dispatch(from_doc(doc))), "claim": entry["claim"], "claimed_at": entry["at"]}
    fields: dict[str, Any] = entry["set"]
    return fields
