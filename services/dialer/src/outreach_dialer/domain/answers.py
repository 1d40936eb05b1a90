"""A caller id's answers, counted per hour (`answers.<YYYYMMDDHH>.calls` / `.answered`), so that its record
stays the same size however many calls it places: a list of every call's outcome grew to thousands of
entries a day on a busy number, and every call read and rewrote it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def hour_key(at: datetime) -> str:
    """The hour bucket of an instant (UTC)."""
    return at.astimezone(UTC).strftime("%Y%m%d%H") if at.tzinfo else at.strftime("%Y%m%d%H")


def answered_increment(at: datetime, answered: bool) -> dict[str, int]:
    """The `$inc` that counts one call's outcome in its hour."""
    key = hour_key(at)
    return {f"answers.{key}.calls": 1, f"answers.{key}.answered": int(answered)}


def _aware(value: datetime, like: datetime) -> datetime:
    return value.replace(tzinfo=like.tzinfo) if value.tzinfo is None else value


def counts(doc: dict[str, Any], *, now: datetime, window_h: float) -> tuple[int, int]:
    """(answered, calls) over the last `window_h` hours (whole hours; records written before the hourly
    counts, a list of outcomes, are counted too)."""
    first = hour_key(now - timedelta(hours=window_h))
    answered = calls = 0
    for key, bucket in (doc.get("answers") or {}).items():
        if key >= first:
            answered += int(bucket.get("answered", 0))
            calls += int(bucket.get("calls", 0))
    since = now - timedelta(hours=window_h)
    for outcome in doc.get("outcomes") or []:
        if _aware(outcome["at"], now) > since:
            answered += int(bool(outcome["answered"]))
            calls += 1
    return answered, calls


def pruned(doc: dict[str, Any], *, now: datetime, window_h: float) -> dict[str, Any] | None:
    """The `$set` that drops hours (and old-style outcomes) older than the window; None when none are."""
    first = hour_key(now - timedelta(hours=window_h))
    answers = doc.get("answers") or {}
    kept = {k: v for k, v in answers.items() if k >= first}
    since = now - timedelta(hours=window_h)
    outcomes = doc.get("outcomes") or []
    recent = [o for o in outcomes if _aware(o["at"], now) > since]
    if len(kept) == len(answers) and len(recent) == len(outcomes):
        return None
    return {"answers": kept, "outcomes": recent}
