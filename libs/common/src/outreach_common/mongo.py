"""The MongoDB client factory (PyMongo's async API) and index set-up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient, IndexModel, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

Document = dict[str, Any]
DUPLICATE_KEY = 11000


@dataclass(frozen=True)
class IndexSpec:
    """An index of a collection: keys and options (unique, name)."""

    collection: str
    keys: Sequence[tuple[str, int]]
    unique: bool = False
    name: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


def make_client(url: str, *, listeners: Sequence[monitoring.CommandListener] = ()) -> AsyncMongoClient[Document]:
    """A client for `url`; connections open lazily, so call it in a lifespan hook, not at import time."""
    return AsyncMongoClient(
        url,
        tz_aware=True,
        serverSelectionTimeoutMS=10_000,
        uuidRepresentation="standard",
        event_listeners=list(listeners),
    )


async def ensure_indexes(db: AsyncDatabase[Document], specs: Sequence[IndexSpec]) -> None:
    """Create the indexes that do not exist yet (by name).

    Only missing ones are sent: FerretDB 1.24 panics when asked to re-create an existing compound index.
    """
    by_collection: dict[str, list[IndexModel]] = {}
    for spec in specs:
        name = spec.name or "_".join(f"{k}_{d}" for k, d in spec.keys)
        options: dict[str, Any] = {"unique": spec.unique, "name": name, **spec.options}
        by_collection.setdefault(spec.collection, []).append(IndexModel(list(spec.keys), **options))
    for collection, models in by_collection.items():
        existing = {index["name"] async for index in await db[collection].list_indexes()}
        missing = [m for m in models if m.document["name"] not in existing]
        if missing:
            await db[collection].create_indexes(missing)


async def ping(client: AsyncMongoClient[Document]) -> bool:
    """True when the server answers `ping`."""
    try:
        await client.admin.command("ping")
    except Exception:
        return False
    return True


async def insert_new(collection: AsyncCollection[Document], docs: list[Document]) -> list[Document]:
    """Insert `docs` (one unordered batch) and return those not stored before; a repeat is refused by its
    `_id`, and any other write error is raised. The insert-only idiom: on the MongoDB-wire server a bulk
    insert costs hundredths of a millisecond a document, while an upsert reads the whole collection."""
    if not docs:
        return []
    try:
        await collection.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(error.get("code") != DUPLICATE_KEY for error in errors):
            raise
        refused = {error["index"] for error in errors}
        return [doc for index, doc in enumerate(docs) if index not in refused]
    return docs


async def first_to(collection: AsyncCollection[Document], key: str, **fields: Any) -> bool:
    """Whether this caller is the first to claim `key`: a unique insert, the one arbitration the MongoDB-wire
    server makes atomic between connections (its conditional updates are not: two clients both match)."""
    try:
        await collection.insert_one({"_id": key, **fields})
    except DuplicateKeyError:
        return False
    return True
