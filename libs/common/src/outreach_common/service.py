"""What every service process has in common: metrics registry, tracing, a Kafka broker, its own database,
background loops, and the HTTP app whose lifespan opens and closes them in order."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from outreach_common.attempts import MongoAttempts
from outreach_common.clock import Clock, clock_from
from outreach_common.consumer import DeadLetters
from outreach_common.dbtimings import CommandTimings
from outreach_common.http import make_http_app
from outreach_common.kafka import KafkaEventBus, make_broker
from outreach_common.loops import Loops
from outreach_common.mongo import IndexSpec, ensure_indexes, make_client, ping
from outreach_common.settings import ServiceSettings
from outreach_common.telemetry import configure_tracing

log = logging.getLogger(__name__)
Hook = Callable[[], Awaitable[object]]
Loop = tuple[str, float, Callable[[], Awaitable[object]]]


class ServiceShell:
    """Clients of one service, created without connecting; `app()` opens them in the lifespan."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self.registry = CollectorRegistry()
        tracer = configure_tracing(
            settings.service_name,
            exporter=settings.otel_exporter,
            endpoint=settings.otlp_endpoint,
            file=settings.otel_file,
        )
        self.broker = make_broker(
            settings.kafka_bootstrap, service=settings.service_name, registry=self.registry, tracer_provider=tracer
        )
        self.client = make_client(settings.mongo_url, listeners=[CommandTimings(self.registry)])
        self.db = self.client[settings.mongo_db]
        self.bus = KafkaEventBus(self.broker)
        self.clock: Clock = clock_from(settings.clock_file)
        self.loops = Loops()
        self.subscribing: asyncio.Task[None] | None = None  # the subscribers' start, once begun

    @property
    def consuming(self) -> bool:
        """True once the subscribers have started (joined their consumer groups)."""
        return self.subscribing is not None and self.subscribing.done() and not self.start_failed

    @property
    def start_failed(self) -> bool:
        """True when the subscribers' start ended without starting them (failed or cancelled)."""
        started = self.subscribing
        return started is not None and started.done() and (started.cancelled() or started.exception() is not None)

    async def subscribed(self) -> None:
        """Wait until the subscribers have started (raises what their start raised); after the app's start."""
        if self.subscribing is None:
            raise RuntimeError("the app has not started")
        await asyncio.shield(self.subscribing)

    @property
    def wiring(self) -> dict[str, Any]:
        """What every service's handlers get from the shell: the event bus, the clock and the topic names."""
        return {"bus": self.bus, "clock": self.clock, "topics": self.settings.topics}

    def dead_letters(self) -> DeadLetters:
        """The service's dead-letter topic, with attempt counts kept in its database (they survive a crash)."""
        return DeadLetters(self.broker, self.settings.topics.dead_letters, MongoAttempts(self.db))

    def app(
        self,
        *,
        description: str,
        indexes: Sequence[IndexSpec],
        loops: Sequence[Loop] = (),
        on_start: Sequence[Hook] = (),
        on_stop: Sequence[Hook] = (),
        ready_before_consuming: bool = False,
    ) -> FastAPI:
        """The HTTP app: start = indexes, `on_start`, broker (its subscribers joined), loops; stop = loops,
        broker, `on_stop`, database.

        With `ready_before_consuming`, the subscribers start without being waited for and the loops start at
        once: a subscriber's start joins its consumer group, and after a crash the join waits until the dead
        process's members time out (up to the session timeout, 10 s). For services whose loops act on their
        own state only (the scheduler's dispatch: the dialer and messenger check opt-outs again before
        placing); the others (a dialer must read the opt-outs sent while it was down before it dials, ingest
        must know a campaign before it takes its import) are ready once consuming. A start that fails makes
        the service unready."""

        async def startup() -> None:
            await ensure_indexes(self.db, indexes)
            for hook in on_start:
                await hook()
            await self.broker.connect()
            self.subscribing = asyncio.get_running_loop().create_task(self.broker.start(), name="subscribers")
            self.subscribing.add_done_callback(_report_failed_start)
            if not ready_before_consuming:
                await self.subscribing
            for name, interval, step in loops:
                self.loops.every(name, interval, step)
            # What starting made (modules, schemas, clients) lives as long as the process: kept out of the
            # garbage collector's full passes, which then walk only what the service made since (measured in
            # the dialer: full passes of 70-100 ms every 5 s, each one losing the dial slots it stalled).
            gc.freeze()

        async def shutdown() -> None:
            if self.subscribing is not None and not self.subscribing.done():
                self.subscribing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self.subscribing
            await self.loops.stop()
            await self.broker.stop()
            for hook in on_stop:
                await hook()
            await self.client.close()

        async def kafka_ok() -> bool:
            return not self.start_failed and await self.broker.ping(timeout=2.0)

        async def mongo_ok() -> bool:
            return await ping(self.client)

        app = make_http_app(
            service=self.settings.service_name,
            registry=self.registry,
            startup=startup,
            shutdown=shutdown,
            checks={"mongo": mongo_ok, "kafka": kafka_ok},
            description=description,
            details=lambda: {"consuming": self.consuming},
        )
        app.state.shell = self
        app.state.settings = self.settings
        app.state.broker = self.broker
        return app


def _report_failed_start(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("the subscribers did not start: %r (the service stays unready)", error, exc_info=error)
