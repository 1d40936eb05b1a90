"""The whole local stack for one e2e test: own ports, topic prefix and databases; stopped afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from outreach_devstack.stack import DEFAULT_PORTS, Stack, free_port

from tests.conftest import Infra

ALWAYS = {
    "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    "start": "00:00",
    "end": "24:00",
    "timezone": {"primary": "contact", "fallback": "America/New_York"},
    "compliance": "none",
}


@contextmanager
def isolated_stack(infra: Infra, run_id: str, extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    """Five services, the simulator and the SMTP sink, isolated by topic prefix, databases and ports."""
    stack = Stack(
        kafka_bootstrap=infra.kafka_bootstrap,
        mongo_url=infra.mongo_url,
        name=run_id,
        ports={name: free_port() for name in DEFAULT_PORTS},
        topic_prefix=f"{run_id}.",
        db_prefix=f"{run_id}_",
        extra_env=extra_env or {},
    )
    try:
        stack.start(timeout=90)
        yield stack
    finally:
        stack.stop()
