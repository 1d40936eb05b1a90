"""The one way tests wait: poll a check (the public API, a simulator's log, a long-lived reader) until it
gives a value, or fail at a deadline saying what was awaited and what was last seen. No fixed sleeps."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


def until(check: Callable[[], T], *, timeout: float = 120.0, what: str = "condition", interval: float = 0.3) -> T:
    """The first truthy value `check` returns; AssertionError after `timeout` seconds."""
    deadline, last = time.monotonic() + timeout, None
    while True:
        last = check()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not met in {timeout:.0f}s (last: {_short(last)})")
        time.sleep(interval)


async def eventually(
    check: Callable[[], Awaitable[T]], *, timeout: float = 30.0, what: str = "condition", interval: float = 0.2
) -> T:
    """`until` for an async check."""
    deadline, last = time.monotonic() + timeout, None
    while True:
        last = await check()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not met in {timeout:.0f}s (last: {_short(last)})")
        await asyncio.sleep(interval)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 300 else text[:300] + "..."
