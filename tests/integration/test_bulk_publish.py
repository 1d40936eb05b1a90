"""Bulk publishing on real Kafka: batches per partition keep each key's records in order, on the partition
the producer's own partitioner gives the key, with their headers; a record larger than a batch goes too."""

from __future__ import annotations

import json

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.partitioner import DefaultPartitioner
from outreach_common.kafka import Encoded, KafkaEventBus, make_broker
from prometheus_client import CollectorRegistry

from tests.conftest import Infra
from tests.integration.helpers import read_topic

pytestmark = pytest.mark.integration
PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def test_bulk_records_keep_each_keys_order_on_its_partition(infra: Infra, run_id: str) -> None:
    topic = f"{run_id}.bulk"
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    finally:
        await admin.close()
    keys = [f"ct_{k}" for k in range(40)]
    items = [
        (Encoded(json.dumps({"key": keys[i % 40], "seq": i, "pad": "x" * 900}).encode(), "Test", PARENT), topic,
         keys[i % 40])
        for i in range(2000)
    ]  # fmt: skip
    big = Encoded(json.dumps({"key": keys[0], "seq": 2000, "pad": "y" * 400_000}).encode(), "Test")
    items.append((big, topic, keys[0]))
    broker = make_broker(infra.kafka_bootstrap, service="bulk-test", registry=CollectorRegistry())
    await broker.start()
    try:
        bus = KafkaEventBus(broker)
        assert bus._raw_producer() is not None  # the bulk path is the one taken (FastStream keeps it there)
        await bus.publish_encoded(items)
    finally:
        await broker.stop()
    records = await read_topic(infra.kafka_bootstrap, topic, count=len(items), timeout=60)
    assert len(records) == len(items)
    seen: dict[str, list[int]] = {}
    pick = DefaultPartitioner()
    for record in records:
        body = json.loads(record.value)
        assert record.key.decode() == body["key"]
        assert record.partition == pick(record.key, [0, 1, 2], [0, 1, 2])
        seen.setdefault(body["key"], []).append(body["seq"])
        headers = dict(record.headers)
        assert headers["type"] == b"Test"
        assert headers.get("traceparent") == (None if body["seq"] == 2000 else PARENT.encode())
    assert all(seqs == sorted(seqs) for seqs in seen.values())
    assert sorted(s for seqs in seen.values() for s in seqs) == list(range(2001))
