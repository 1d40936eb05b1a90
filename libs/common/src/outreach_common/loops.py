"""Background loops (timers, sweepers) that run inside a service's lifespan and stop cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


def after_first(interval: float, step: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[object]]:
    """`step`, skipped when called sooner than `interval` seconds after this was made: a loop whose step
    reads a lot (a pruning pass) does not run at a process's start, when it is busiest."""
    born = time.monotonic()

    async def later() -> object:
        if time.monotonic() - born < interval * 0.99:
            return None
        return await step()

    return later


class Loops:
    """A set of named periodic coroutines; each iteration's errors are logged and the loop goes on."""

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()

    def every(self, name: str, interval: float, step: Callable[[], Awaitable[object]]) -> None:
        """Run `step` now and then every `interval` seconds until stopped."""

        async def run() -> None:
            while not self._stopping.is_set():
                try:
                    await step()
                except Exception:
                    logger.exception("loop %s failed; continuing", name)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=interval)

        self._tasks.append(asyncio.create_task(run(), name=name))

    async def stop(self) -> None:
        """Ask every loop to stop and wait for them."""
        self._stopping.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=10)
        self._tasks.clear()
