"""Work a consumer hands off and does not wait for, at most `limit` pieces at once.

A consumer that records what it must do (durably, with a lease) and then hands the doing to a `Bounded`
commits the message at once and reads the next one while the first is still talking to a provider; when
`limit` pieces are running, `spawn` waits, so the consumer slows down instead of piling up work in memory.
A piece that fails is logged and left to whatever takes up work whose lease ran out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)


class Bounded:
    """At most `limit` background tasks of one kind."""

    def __init__(self, limit: int, name: str) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.name = name
        self._free = asyncio.Semaphore(limit)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def running(self) -> int:
        """How many pieces are running now."""
        return len(self._tasks)

    async def spawn(self, work: Coroutine[Any, Any, object]) -> None:
        """Start `work` once fewer than `limit` pieces run (waits until then)."""
        try:
            await self._free.acquire()
        except BaseException:
            work.close()
            raise
        task = asyncio.create_task(self._run(work), name=self.name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, work: Coroutine[Any, Any, object]) -> None:
        try:
            await work
        except Exception:
            logger.exception("%s: a piece of work failed; it is left to the sweep of expired leases", self.name)
        finally:
            self._free.release()

    async def drain(self, within_s: float | None = None) -> None:
        """Wait until the running pieces are done (at most `within_s` seconds; those still running are cancelled
        then, and their leases run out)."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=within_s)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
