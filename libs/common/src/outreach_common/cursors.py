"""Opaque page cursors: the (instant, key) of the last item of a page, so the next page starts after it."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from outreach_common.errors import unprocessable


def encode(at: datetime, key: str) -> str:
    """The cursor of an item sorted by (`at`, `key`)."""
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{key}".encode()).decode()


def decode(cursor: str | None) -> tuple[datetime, str] | None:
    """The (instant, key) of a cursor; 422 for a string this API did not make."""
    if cursor is None:
        return None
    try:
        at, sep, key = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        if not sep:
            raise ValueError("no separator")
        return datetime.fromisoformat(at), key
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise unprocessable((["query", "after"], "not a cursor of this API")) from exc


def page_after(field: str, after: tuple[datetime, str] | None) -> dict[str, object]:
    """The filter of a newest-first page, sorted by (`field`, `_id`), that starts after the cursor's item;
    empty for the first page."""
    if after is None:
        return {}
    at, key = after
    return {"$or": [{field: {"$lt": at}}, {field: at, "_id": {"$lt": key}}]}


def encode_position(position: int) -> str:
    """The cursor of a position in a numbered list (a page starts below it)."""
    return base64.urlsafe_b64encode(f"below|{position}".encode()).decode()


def decode_position(cursor: str | None) -> int | None:
    """The position of a cursor made by `encode_position`; 422 for a string this API did not make."""
    if cursor is None:
        return None
    try:
        kind, _, position = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        if kind != "below" or not position.isdigit() or int(position) < 1:
            raise ValueError("not a position")
        return int(position)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise unprocessable((["query", "after"], "not a cursor of this API")) from exc
