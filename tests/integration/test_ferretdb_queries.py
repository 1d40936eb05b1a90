"""Queries whose handling our FerretDB diffs change give MongoDB's answers: `$in` with strings beside other
types and array fields (`filter-in-strings.patch`), `_id` lists pushed down to SQLite beside other keys
(`sqlite-id-pushdown.patch`), a cursor opened and closed many times (`resource-untracked.patch`), and
documents read with and without a projection (`projection-empty.patch`), and every kind of value read back
as it was written, through the direct decoding of plain strings, integers, dates and booleans and through
upstream's path for the rest (`sjson-decode.patch`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from bson import Int64, ObjectId, Regex, Timestamp
from outreach_common.mongo import make_client

from tests.conftest import Infra

pytestmark = pytest.mark.integration

DOCS: list[dict[str, Any]] = [
    {"_id": "a", "name": "ann", "tags": ["vip", "west"], "n": 1},
    {"_id": "b", "name": "bob", "tags": ["east"], "n": 2},
    {"_id": "c", "name": "1", "tags": [], "n": 3},
    {"_id": "d", "name": 1, "tags": ["vip"], "n": 4},
    {"_id": "e", "tags": "vip", "n": 5},
    {"_id": "f", "name": "Ann", "n": 6},
    {"_id": "g", "name": None, "n": 7},
]


@pytest.fixture
async def db(infra: Infra, run_id: str) -> AsyncIterator[Any]:
    client = make_client(infra.mongo_url)
    yield client[f"{run_id}_queries"]
    await client.close()


async def _ids(collection: Any, query: dict[str, Any]) -> list[str]:
    return sorted([d["_id"] async for d in collection.find(query, {"_id": 1})])


async def test_in_matches_as_mongodb_does(db: Any) -> None:
    collection = db["people"]
    await collection.insert_many(DOCS)
    assert await _ids(collection, {"name": {"$in": ["ann", "bob"]}}) == ["a", "b"]  # exact, case kept
    assert await _ids(collection, {"name": {"$in": ["1"]}}) == ["c"]  # a string is not the number 1
    assert await _ids(collection, {"name": {"$in": [1]}}) == ["d"]
    assert await _ids(collection, {"name": {"$in": ["zed", 1, "ann"]}}) == ["a", "d"]
    assert await _ids(collection, {"name": {"$in": [None]}}) == ["e", "g"]  # missing or null
    assert await _ids(collection, {"tags": {"$in": ["vip"]}}) == ["a", "d", "e"]  # array fields and a string
    assert await _ids(collection, {"tags": {"$in": ["nowhere"]}}) == []
    assert await _ids(collection, {"name": {"$nin": ["ann", 1]}}) == ["b", "c", "e", "f", "g"]


async def test_id_lists_narrow_and_the_other_keys_still_filter(db: Any) -> None:
    collection = db["many"]
    await collection.insert_many([{"_id": f"k{i:05d}", "n": i} for i in range(5000)])
    wanted = [f"k{i:05d}" for i in range(0, 5000, 2)] + ["absent", "k99999"]
    found = await _ids(collection, {"_id": {"$in": wanted}})
    assert found == [f"k{i:05d}" for i in range(0, 5000, 2)]
    small = await _ids(collection, {"_id": {"$in": wanted}, "n": {"$lt": 10}})
    assert small == [f"k{i:05d}" for i in (0, 2, 4, 6, 8)]
    assert await _ids(collection, {"_id": "k00003", "n": 4}) == []  # the other key still decides
    assert await _ids(collection, {"_id": "k00003", "n": 3}) == ["k00003"]
    for _ in range(200):  # cursors made and closed, none left behind to fail the server later
        assert len([d async for d in collection.find({"_id": {"$in": wanted[:50]}}).batch_size(10)]) == 50
    assert await db.client.admin.command("ping") == {"ok": 1.0}


async def test_documents_come_back_whole_with_and_without_a_projection(db: Any) -> None:
    collection = db["shapes"]
    await collection.insert_one({"n": 1, "_id": "z", "nested": {"a": [1, {"b": None}]}, "s": "x"})
    [doc] = [d async for d in collection.find({})]
    assert list(doc) == ["_id", "n", "nested", "s"]  # `_id` first, as MongoDB stores it
    assert doc == {"_id": "z", "n": 1, "nested": {"a": [1, {"b": None}]}, "s": "x"}
    assert [d async for d in collection.find({}, {"n": 1})] == [{"_id": "z", "n": 1}]
    assert [d async for d in collection.find({}, {"nested": 0, "_id": 0})] == [{"n": 1, "s": "x"}]


ODD: dict[str, Any] = {
    "plain": "Ann Example",
    "escaped": 'say "hi"\\ \n\t end',
    "unicode": "Zoë 東京 🙂",
    "control": "a\x01b",
    "html": "<a href='x'>&</a>",
    "empty": "",
    "ints": [0, -1, 7, 2**31 - 1, -(2**31)],
    "longs": [Int64(0), Int64(-5), Int64(2**40), Int64(2**63 - 1), Int64(-(2**63))],
    "doubles": [0.0, -0.0, 1.5, 1e300, -2.5e-300, 3.0],  # FerretDB on SQLite stores no infinities
    "dates": [datetime(1969, 7, 20, 20, 17, tzinfo=UTC), datetime(2026, 12, 3, 18, 59, 59, 999000, tzinfo=UTC)],
    "bools": [True, False],
    "null": None,
    "nested": {"a": {"b": {"c": [1, "two", {"d": 'x}]{"y'}]}}, "": "empty key", 'k"q': "quoted key"},
    "oid": ObjectId("6566f0c2a1b2c3d4e5f60718"),
    "bin": b"\x00\xff bytes",
    "regex": Regex("^a.*b$", "i"),
    "ts": Timestamp(1700000000, 3),
    "empties": {"doc": {}, "arr": []},
}


async def test_every_kind_of_value_comes_back_as_it_was_written(db: Any) -> None:
    collection = db["odd"]
    await collection.insert_one({"_id": "odd", **ODD})
    for _ in range(2):  # the second read decodes the same schema again, from what was kept of the first
        doc = await collection.find_one({"_id": "odd"})
        assert doc is not None
        assert {k: v for k, v in doc.items() if k != "_id"} == ODD
        assert [type(v) for v in doc["longs"]] == [Int64] * 5 and doc["ints"] == ODD["ints"]
    other = {"_id": "other", "plain": 5, "ints": "no longer numbers"}  # the same keys with other types
    await collection.insert_one(other)
    assert await collection.find_one({"_id": "other"}) == other
