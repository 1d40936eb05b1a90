"""At-least-once subscribers: parse, call the handler, commit after the effect.

Failures are classified: a message that does not parse, or that the handler calls poison, goes to the
dead-letter topic at once; a dependency that is away (database, broker, provider 5xx or timeout) is waited
for, with a growing pause and the message coming again, for as long as the outage lasts (nothing good is
dead-lettered by a short database outage), and the readiness check says what is awaited; any other error
is tried a few times, then dead-lettered with the reason."""

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from faststream.kafka import KafkaBroker, KafkaRouter
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy
from pydantic import TypeAdapter, ValidationError

from outreach_common.attempts import AttemptLedger, MemoryAttempts
from outreach_common.failures import OUTAGES, unavailable
from outreach_common.logging import mask

logger = logging.getLogger(__name__)
M = TypeVar("M")
_PAYLOADS: weakref.WeakKeyDictionary[Any, dict[str, TypeAdapter[Any]]] = weakref.WeakKeyDictionary()


def payloads_of(router: KafkaRouter | KafkaBroker) -> dict[str, TypeAdapter[Any]]:
    """The message model of each topic subscribed on `router` (for the AsyncAPI document: the subscribers
    read raw records, so FastStream itself sees no payload type)."""
    return dict(_PAYLOADS.get(router, {}))


class PoisonMessage(Exception):  # noqa: N818 - domain name for a message that can never succeed
    """Raised by a handler for a message that can never be processed; it goes to the dead-letter topic."""


class DeadLetters:
    """Sends messages that cannot be processed to the dead-letter topic with the reason in headers; its
    `attempts` ledger (the service's database) counts attempts across crashes of the process."""

    def __init__(self, broker: KafkaBroker, topic: str, attempts: AttemptLedger | None = None) -> None:
        self._broker = broker
        self._topic = topic
        self.attempts: AttemptLedger = attempts or MemoryAttempts()

    async def send(self, body: bytes, *, source_topic: str, key: bytes | None, reason: str, attempts: int = 1) -> None:
        """Publish `body` unchanged to the dead-letter topic."""
        await self._broker.publish(
            body,
            self._topic,
            key=key,
            headers={
                "dlq-source-topic": source_topic,
                "dlq-reason": mask(reason)[:1000],
                "dlq-attempts": str(attempts),
            },
        )


def subscribe(
    router: KafkaRouter | KafkaBroker,
    *,
    topic: str,
    group_id: str,
    adapter: TypeAdapter[M],
    handle: Callable[[M], Awaitable[None]],
    dead_letters: DeadLetters,
    max_attempts: int = 5,
    description: str = "",
) -> None:
    """Register a subscriber that commits only after `handle` succeeded (NACK and retry on errors)."""
    attempts: dict[tuple[int, int], int] = {}
    settled: set[int] = set()  # partitions on which this process has finished a message
    waits = 0

    async def consume(msg: KafkaMessage) -> None:
        nonlocal waits
        record: Any = msg.raw_message
        body: bytes = msg.body
        key = record.key
        try:
            message = adapter.validate_json(body)
        except ValidationError as exc:
            await dead_letters.send(body, source_topic=topic, key=key, reason=f"invalid message: {exc}")
            return
        position = (record.partition, record.offset)
        durable = f"{group_id}|{topic}|{record.partition}|{record.offset}"
        first = record.partition not in settled  # where a crash of an earlier process would have stopped
        try:
            if first and (crashes := await dead_letters.attempts.begin(durable)) > max_attempts:
                reason = f"the process stopped {crashes - 1}x while handling it"
                logger.error("dead-lettering %s@%s: %s", topic, position, reason)
                await dead_letters.send(body, source_topic=topic, key=key, reason=reason, attempts=crashes - 1)
                await _settle(record.partition, durable)
                return
            await handle(message)
        except PoisonMessage as exc:
            await dead_letters.send(body, source_topic=topic, key=key, reason=str(exc))
        except Exception as exc:
            if first:  # this process lived through the error: it is counted below, not as a crash
                with contextlib.suppress(Exception):
                    await dead_letters.attempts.finish(durable)
            if unavailable(exc):  # not the message's fault: wait, and it comes again
                waits += 1
                OUTAGES.begin(topic, exc)
                logger.warning("%s waits for a dependency (%d): %s", topic, waits, mask(repr(exc)))
                await asyncio.sleep(min(0.2 * 2**waits, 30.0))
                raise
            count = attempts.get(position, 0) + 1
            if count >= max_attempts:
                attempts.pop(position, None)
                logger.exception("giving up on %s after %d attempts", topic, count)
                await dead_letters.send(
                    body, source_topic=topic, key=key, reason=f"failed {count}x: {exc!r}", attempts=count
                )
                await _settle(record.partition, durable)
                return
            attempts[position] = count
            await asyncio.sleep(min(0.2 * 2**count, 5.0))
            raise
        else:
            attempts.pop(position, None)
            if waits:
                waits = 0
                OUTAGES.end(topic)
        await _settle(record.partition, durable)

    async def _settle(partition: int, durable: str) -> None:
        if partition not in settled:
            await dead_letters.attempts.finish(durable)
            settled.add(partition)

    consume.__name__ = f"consume_{topic.replace('.', '_').replace('-', '_')}"
    _PAYLOADS.setdefault(router, {})[topic] = adapter
    router.subscriber(
        topic,
        group_id=group_id,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        description=description or None,
    )(consume)


def subscribe_batches(
    router: KafkaRouter | KafkaBroker,
    *,
    adapters: Mapping[str, TypeAdapter[Any]],
    group_id: str,
    handle: Callable[[list[Any]], Awaitable[None]],
    dead_letters: DeadLetters,
    max_records: int = 5000,
    description: str = "",
) -> None:
    """One subscriber for several topics that hands `handle` whole batches, parsed by each topic's adapter.

    Offsets are committed only after `handle` succeeded; on an error every partition of the batch is
    rewound and the batch comes again after a back-off, so `handle` must be idempotent. Messages that do
    not parse go to the dead-letter topic and are not handed on.
    """
    failures = 0

    async def consume(msg: KafkaMessage) -> None:
        nonlocal failures
        raw = msg.raw_message  # a tuple of records (a list under FastStream's test broker)
        records: tuple[Any, ...] = tuple(raw) if isinstance(raw, tuple | list) else (raw,)
        parsed: list[Any] = []
        for record in records:
            try:
                parsed.append(adapters[record.topic].validate_json(record.value or b""))
            except ValidationError as exc:
                await dead_letters.send(
                    record.value or b"", source_topic=record.topic, key=record.key, reason=f"invalid message: {exc}"
                )
        try:
            await handle(parsed)
        except Exception as exc:
            failures += 1
            if unavailable(exc):
                OUTAGES.begin("batches", exc)
            logger.exception("batch of %d failed (%d in a row); it will come again", len(parsed), failures)
            await asyncio.sleep(min(0.2 * 2**failures, 30.0))
            raise
        if failures:
            OUTAGES.end("batches")
        failures = 0

    async def raw(msg: Any) -> Any:  # the records are parsed above, per topic: skip FastStream's JSON decoding
        return None

    consume.__name__ = "consume_batches"
    _PAYLOADS.setdefault(router, {}).update(adapters)
    router.subscriber(
        *adapters,
        group_id=group_id,
        batch=True,
        max_records=max_records,
        decoder=raw,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        description=description or None,
    )(consume)
