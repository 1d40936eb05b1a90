"""Database statement timings: bounded labels, one observation per finished command."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from outreach_common.dbtimings import CommandTimings, collection_label
from prometheus_client import CollectorRegistry

pytestmark = pytest.mark.unit


def test_shard_collections_share_one_label() -> None:
    assert collection_label("calls_017") == "calls_*"
    assert collection_label("call_claims") == "call_claims"
    assert collection_label(1) == "-"  # e.g. {"ping": 1}


def test_each_finished_command_is_observed_once() -> None:
    registry = CollectorRegistry()
    timings = CommandTimings(registry)

    def event(request_id: int, **extra: Any) -> Any:
        return SimpleNamespace(connection_id=("127.0.0.1", 27017), request_id=request_id, **extra)

    timings.started(event(1, command_name="update", command={"update": "calls_003"}))
    timings.started(event(2, command_name="insert", command={"insert": "call_claims"}))
    timings.succeeded(event(1, duration_micros=2_500))
    timings.failed(event(2, duration_micros=1_000))
    timings.succeeded(event(1, duration_micros=9_999))  # no second observation for a request already done
    labels = {"command": "update", "collection": "calls_*"}
    assert registry.get_sample_value("outreach_db_command_seconds_count", labels) == 1
    assert registry.get_sample_value("outreach_db_command_seconds_sum", labels) == pytest.approx(0.0025)
    insert = {"command": "insert", "collection": "call_claims"}
    assert registry.get_sample_value("outreach_db_command_seconds_count", insert) == 1
