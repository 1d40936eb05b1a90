"""Shared fixtures: the real broker and database for integration and e2e tests, and per-test names.

Connection: `KAFKA_BOOTSTRAP` / `MONGO_URL` when set; else testcontainers when a Docker engine answers;
else the local mode (Kafka from Maven Central jars, FerretDB built with Go), started once per session and
stopped at its end if this session started it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class Infra:
    """Where the real broker and database are."""

    kafka_bootstrap: str
    mongo_url: str


def _docker_answers() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    """The real Kafka broker and MongoDB-wire server for this test session."""
    if os.environ.get("KAFKA_BOOTSTRAP") and os.environ.get("MONGO_URL"):
        yield Infra(os.environ["KAFKA_BOOTSTRAP"], os.environ["MONGO_URL"])
        return
    if _docker_answers():
        from testcontainers.kafka import KafkaContainer
        from testcontainers.mongodb import MongoDbContainer

        with KafkaContainer().with_kraft() as kafka_c, MongoDbContainer("mongo:7") as mongo_c:
            yield Infra(kafka_c.get_bootstrap_server(), mongo_c.get_connection_url())
        return
    from outreach_devstack import ferretdb, kafka, processes

    started = [name for name in (ferretdb.NAME, kafka.NAME) if processes.running_pid(name) is None]
    try:
        yield Infra(kafka.start(), ferretdb.start())
    finally:
        if kafka.NAME in started:
            kafka.stop()
        if ferretdb.NAME in started:
            ferretdb.stop()


@pytest.fixture
def run_id() -> str:
    """A fresh id for this test's topic prefix and database names."""
    return f"t{uuid.uuid4().hex[:10]}"


TIERS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test without a tier marker would never run under `make test` (it selects by marker): refuse it."""
    unmarked = [item.nodeid for item in items if not any(item.get_closest_marker(t) for t in TIERS)]
    if unmarked:
        raise pytest.UsageError("tests without a unit, integration or e2e marker: " + ", ".join(unmarked[:10]))
