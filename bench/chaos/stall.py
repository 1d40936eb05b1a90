"""What a chaos run that did not finish left behind, read from the services' databases before they stop: the
steps still in flight (each with the dialer's call or the messenger's message of its key, and any unpublished
outbox on either side) and what the queued contacts wait for. Only a diagnosis: never part of the verdict."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import MongoClient

SHOWN = 5  # steps in flight described one by one


def _plain(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    if doc is None:
        return None

    def shown(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        return repr(value)[:300] if isinstance(value, dict | list) else value

    return {name: shown(value) for name, value in doc.items() if name not in ("contact", "trace")}


def _call(client: MongoClient[dict[str, Any]], key: str) -> dict[str, Any] | None:
    dialer = client["chaos_dialer"]
    for name in dialer.list_collection_names():
        if name.startswith("calls_") and (doc := dialer[name].find_one({"_id": key})):
            return _plain(doc)
    return None


def diagnose(mongo: str) -> dict[str, Any]:
    """The stalled run's state: in-flight steps with what each service holds of them, and the queue."""
    client: MongoClient[dict[str, Any]] = MongoClient(mongo, serverSelectionTimeoutMS=5000)
    try:
        enrollments = client["chaos_scheduler"]["enrollments"]
        active = list(enrollments.find({"state": "active"}).limit(SHOWN))
        queued = enrollments.count_documents({"state": "queued"})
        first = enrollments.find_one({"state": "queued"}, sort=[("due_at", 1)])
        steps = []
        for doc in active:
            key = doc.get("in_flight_key") or ""
            message = client["chaos_messenger"]["messages"].find_one({"_id": key})
            steps.append({"enrollment": _plain(doc), "call": _call(client, key), "message": _plain(message)})
        return {
            "active": enrollments.count_documents({"state": "active"}),
            "in_flight": steps,
            "queued": queued,
            "queued_with_outbox": enrollments.count_documents({"state": "queued", "outbox": {"$exists": True}}),
            "first_queued": _plain(first),
        }
    except Exception as exc:  # the database itself may be what broke
        return {"error": repr(exc)}
    finally:
        client.close()
