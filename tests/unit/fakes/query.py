"""The few MongoDB query forms our fakes are asked (equality, array membership, $in, $ne, $lt, $gt):
enough to keep a fake's reads the same as its repository's."""

from __future__ import annotations

from typing import Any

OPERATORS = {
    "$in": lambda have, want: (set(have) & set(want)) if isinstance(have, list) else have in want,
    "$ne": lambda have, want: have != want,
    "$lt": lambda have, want: have is not None and have < want,
    "$lte": lambda have, want: have is not None and have <= want,
    "$gt": lambda have, want: have is not None and have > want,
}


def matches(doc: dict[str, Any], query: dict[str, Any]) -> bool:
    """Whether `doc` matches `query` (a missing field equals None)."""
    for field, want in query.items():
        have = doc.get(field)
        if isinstance(want, dict) and want and all(k in OPERATORS for k in want):
            if not all(OPERATORS[op](have, value) for op, value in want.items()):
                return False
        elif isinstance(have, list) and not isinstance(want, list):
            if want not in have:
                return False
        elif have != want:
            return False
    return True


def push(doc: dict[str, Any], pushes: dict[str, Any]) -> None:
    """Apply a `$push` (a value, or `{"$each": [...]}`) to `doc`."""
    for field, value in pushes.items():
        items = value["$each"] if isinstance(value, dict) and "$each" in value else [value]
        doc.setdefault(field, []).extend(items)
