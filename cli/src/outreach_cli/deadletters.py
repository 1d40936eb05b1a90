"""`outreach deadletters list|show|redrive`: read the dead-letter topic and send messages back where they
came from (after the bug or the bad data that put them there is fixed).

This talks to Kafka itself (an operator's tool on the infrastructure, like the topic it reads): the
bootstrap servers and topic prefix come from `--bootstrap` / `--topic-prefix` or `OUTREACH_KAFKA_BOOTSTRAP`
/ `OUTREACH_TOPIC_PREFIX`. A message is named `partition:offset`."""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from typing import Any

import typer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError
from outreach_contracts.topics import Topics

app = typer.Typer(help="The dead-letter topic: list, show, redrive.", no_args_is_help=True)
BOOTSTRAP = typer.Option(None, "--bootstrap", help="Kafka bootstrap servers (or OUTREACH_KAFKA_BOOTSTRAP)")
PREFIX = typer.Option(None, "--topic-prefix", help="Topic prefix of the deployment (or OUTREACH_TOPIC_PREFIX)")


@dataclass(frozen=True)
class DeadLetter:
    """One message of the dead-letter topic."""

    id: str
    source_topic: str
    reason: str
    key: str | None
    body: bytes
    headers: dict[str, str]

    def summary(self) -> dict[str, Any]:
        """What `list` shows of it."""
        return {"id": self.id, "source_topic": self.source_topic, "reason": self.reason, "key": self.key}


def _where(bootstrap: str | None, prefix: str | None) -> tuple[str, Topics]:
    servers = bootstrap or os.environ.get("OUTREACH_KAFKA_BOOTSTRAP") or "127.0.0.1:9092"
    return servers, Topics(prefix if prefix is not None else os.environ.get("OUTREACH_TOPIC_PREFIX", ""))


async def read_all(bootstrap: str, topic: str) -> list[DeadLetter]:
    """Every message of `topic`, read from the start to its current end (no consumer group: nothing is
    committed, so reading changes nothing)."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        for _ in range(100):  # without a group every partition is ours once the metadata has come
            if consumer.assignment():
                break
            await asyncio.sleep(0.1)
        assigned = sorted(consumer.assignment(), key=lambda tp: tp.partition)
        if not assigned:
            return []
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        letters: list[DeadLetter] = []
        for tp in assigned:
            while await consumer.position(tp) < ends[tp]:
                batch = await consumer.getmany(tp, timeout_ms=2000)
                for record in batch.get(tp, []):
                    headers = {k: v.decode("utf-8", "replace") for k, v in record.headers}
                    letters.append(
                        DeadLetter(
                            id=f"{record.partition}:{record.offset}",
                            source_topic=headers.get("dlq-source-topic", ""),
                            reason=headers.get("dlq-reason", ""),
                            key=record.key.decode("utf-8", "replace") if record.key else None,
                            body=record.value or b"",
                            headers=headers,
                        )
                    )
        return letters
    finally:
        await consumer.stop()


async def resend(bootstrap: str, letters: list[DeadLetter]) -> None:
    """Publish each letter's body to its source topic with its key, marked as redriven."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for letter in letters:
            await producer.send_and_wait(
                letter.source_topic,
                letter.body,
                key=letter.key.encode() if letter.key else None,
                headers=[("outreach-redriven-from", letter.id.encode())],
            )
    finally:
        await producer.stop()


def _letters(bootstrap: str | None, prefix: str | None) -> tuple[str, list[DeadLetter]]:
    servers, topics = _where(bootstrap, prefix)
    try:
        return servers, asyncio.run(read_all(servers, topics.dead_letters))
    except KafkaError as exc:
        typer.echo(f"cannot read {topics.dead_letters} from {servers}: {exc}", err=True)
        raise typer.Exit(3) from exc


@app.command("list")
def list_letters(
    source: str = typer.Option(None, "--source", help="Only messages from this topic"),
    as_json: bool = typer.Option(False, "--json", help="One JSON document"),
    bootstrap: str = BOOTSTRAP,
    prefix: str = PREFIX,
) -> None:
    """Every dead letter: id, source topic, reason, key."""
    _, letters = _letters(bootstrap, prefix)
    shown = [d.summary() for d in letters if source is None or d.source_topic == source]
    if as_json:
        typer.echo(json.dumps(shown))
        return
    for item in shown:
        typer.echo(f"{item['id']:<10} {item['source_topic']:<36} {item['reason'][:100]}")
    typer.echo(f"{len(shown)} dead letter(s)")


@app.command("show")
def show(
    letter_id: str = typer.Argument(..., help="partition:offset"), bootstrap: str = BOOTSTRAP, prefix: str = PREFIX
) -> None:
    """One dead letter: its headers and body."""
    _, letters = _letters(bootstrap, prefix)
    found = next((d for d in letters if d.id == letter_id), None)
    if found is None:
        typer.echo(f"no dead letter {letter_id}", err=True)
        raise typer.Exit(1)
    try:
        body: Any = json.loads(found.body)
    except ValueError:
        body = found.body.decode("utf-8", "replace")
    typer.echo(json.dumps({**found.summary(), "headers": found.headers, "body": body}, indent=2))


@app.command("redrive")
def redrive(
    letter_ids: list[str] = typer.Argument(None, help="partition:offset of each letter to send back"),
    every: bool = typer.Option(False, "--all", help="Every dead letter (of `--source` when given)"),
    source: str = typer.Option(None, "--source", help="With --all: only messages from this topic"),
    bootstrap: str = BOOTSTRAP,
    prefix: str = PREFIX,
) -> None:
    """Send dead letters back to the topic they came from (consumers are idempotent: a message handled
    before has no second effect)."""
    if not letter_ids and not every:
        typer.echo("name the letters to redrive, or pass --all", err=True)
        raise typer.Exit(2)
    servers, letters = _letters(bootstrap, prefix)
    wanted = set(letter_ids or [])
    chosen = [d for d in letters if (every and (source is None or d.source_topic == source)) or d.id in wanted]
    missing = wanted - {d.id for d in chosen}
    if missing:
        typer.echo(f"no dead letter {', '.join(sorted(missing))}", err=True)
        raise typer.Exit(1)
    unroutable = [d.id for d in chosen if not d.source_topic]
    if unroutable:
        typer.echo(f"no source topic recorded for {', '.join(unroutable)}", err=True)
        raise typer.Exit(1)
    asyncio.run(resend(servers, chosen))
    typer.echo(f"redriven {len(chosen)} message(s)")
