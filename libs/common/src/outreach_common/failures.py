"""Which failures are the infrastructure being away (wait and try again, for as long as it lasts) and which
are the message's own (a few tries, then the dead-letter topic)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import aiohttp
import httpx
from aiokafka import errors as kafka_errors
from pymongo import errors as mongo_errors

_UNAVAILABLE: tuple[type[BaseException], ...] = (
    mongo_errors.ConnectionFailure,  # AutoReconnect, NetworkTimeout, ServerSelectionTimeoutError
    mongo_errors.ExecutionTimeout,
    mongo_errors.WaitQueueTimeoutError,
    kafka_errors.KafkaConnectionError,
    kafka_errors.KafkaTimeoutError,
    kafka_errors.NodeNotReadyError,
    kafka_errors.RequestTimedOutError,
    kafka_errors.NotLeaderForPartitionError,
    kafka_errors.LeaderNotAvailableError,
    aiohttp.ClientConnectionError,
    httpx.TransportError,
    ConnectionError,
    TimeoutError,
    asyncio.TimeoutError,
)


def unavailable(exc: BaseException) -> bool:
    """True when `exc` (or what caused it) says a dependency is away, not that the message is wrong; a
    provider's 5xx counts too (anything carrying an HTTP `status` of 500 or more)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _UNAVAILABLE):
            return True
        status = getattr(current, "status", None)
        if isinstance(status, int) and status >= 500:
            return True
        current = current.__cause__ or current.__context__
    return False


@dataclass
class Outages:
    """What this process is waiting for right now (shown by the readiness check)."""

    waiting: dict[str, tuple[float, str]] = field(default_factory=dict)

    def begin(self, where: str, exc: BaseException) -> None:
        """`where` cannot go on because of `exc`."""
        self.waiting[where] = (time.time(), f"{type(exc).__name__}: {exc}"[:300])

    def end(self, where: str) -> None:
        """`where` goes on again."""
        self.waiting.pop(where, None)

    def report(self) -> dict[str, str]:
        """`where` -> since when and why."""
        return {w: f"since {time.strftime('%H:%M:%S', time.gmtime(t))}Z: {why}" for w, (t, why) in self.waiting.items()}


OUTAGES = Outages()  # one per process: every subscriber of the service reports into it
