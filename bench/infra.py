"""The real broker and database for benchmarks: from the environment, else the local mode."""

from __future__ import annotations

import os


def endpoints() -> tuple[str, str]:
    """(Kafka bootstrap, MongoDB URL); starts the local stack's infrastructure when none is given."""
    if os.environ.get("KAFKA_BOOTSTRAP") and os.environ.get("MONGO_URL"):
        return os.environ["KAFKA_BOOTSTRAP"], os.environ["MONGO_URL"]
    from outreach_devstack import ferretdb, kafka

    return kafka.start(), ferretdb.start()
