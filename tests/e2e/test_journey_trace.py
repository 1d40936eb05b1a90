"""One contact's journey (import -> enrollment -> call -> outcome -> exit) forms one trace across the
services: every message about the contact carries the same trace id, and the services' spans (exported as
JSON lines) join it."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from outreach_contracts.topics import Topics
from outreach_devstack.stack import Stack

from tests.conftest import Infra
from tests.e2e.stacks import ALWAYS, api_client, isolated_stack, launch
from tests.integration.helpers import read_messages
from tests.waiting import until

pytestmark = pytest.mark.e2e
CSV = b"phone,first_name\n+1 212 555 0171,Ida\n+1 212 555 0172,Jon\n"


@pytest.fixture
def traced_stack(infra: Infra, run_id: str, tmp_path: Path) -> Iterator[tuple[Stack, Path]]:
    spans = tmp_path / "spans"
    env = {"OUTREACH_OTEL_EXPORTER": "jsonl", "OUTREACH_OTEL_FILE": str(spans / "{service}.jsonl")}
    with isolated_stack(infra, run_id, env) as s:
        yield s, spans


def trace_id(message: Any) -> str | None:
    parent = message.trace.traceparent
    return parent.split("-")[1] if parent else None


def test_each_contacts_journey_is_one_trace(traced_stack: tuple[Stack, Path], infra: Infra, run_id: str) -> None:
    stack, spans_dir = traced_stack
    with api_client(stack) as http:
        spec = {"name": "traced", "flow": [{"kind": "phone", "agent_id": "agt"}], "window": ALWAYS}
        campaign = launch(http, stack, spec, CSV)

        def both_exited() -> bool:  # (a 404 until metrics has seen the campaign start)
            return bool(http.get(f"/campaigns/{campaign['id']}/overview").json().get("exited") == 2)

        until(both_exited, timeout=90, what="both contacts exited")

    topics = Topics(prefix=f"{run_id}.")
    messages: list[Any] = []
    for topic, count in ((topics.contacts, 2), (topics.enrollments, 6), (topics.call_commands, 2), (topics.calls, 4)):
        messages += asyncio.run(read_messages(infra.kafka_bootstrap, topic, count=count, timeout=10))
    by_contact: dict[str, set[str | None]] = defaultdict(set)
    kinds: dict[str, set[str]] = defaultdict(set)
    for message in messages:
        by_contact[message.contact_id].add(trace_id(message))
        kinds[message.contact_id].add(message.type)
    assert len(by_contact) == 2
    for contact, traces in by_contact.items():
        assert len(traces) == 1 and None not in traces, (contact, traces)
        assert {
            "ContactImported",
            "EnrollmentChanged",
            "PlaceCall",
            "CallPlaced",
            "CallCompleted",
            "ContactExited",
        } <= kinds[contact]
    journeys = {next(iter(t)) for t in by_contact.values()}
    assert len(journeys) == 2  # two contacts, two traces

    def written() -> list[dict[str, Any]] | None:  # until each journey's spans of every service are written
        spans = [json.loads(line) for f in spans_dir.glob("*.jsonl") for line in f.read_text().splitlines()
                 if line.endswith("}")]  # fmt: skip
        services = [{s["service"] for s in spans if s["trace_id"] == journey} for journey in journeys]
        return spans if all({"ingest", "scheduler", "dialer", "metrics"} <= found for found in services) else None

    spans = until(written, timeout=30, what="every service's spans of both journeys")
    for journey in journeys:
        roots = [s for s in spans if s["trace_id"] == journey and s["parent_id"] is None]
        assert [r["name"] for r in roots] == ["contact imported"]
