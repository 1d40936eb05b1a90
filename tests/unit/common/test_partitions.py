"""Our vectorised key -> partition choice is the Kafka producer's own, for any key."""

from __future__ import annotations

import random

import pytest
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as reference
from hypothesis import given, settings
from hypothesis import strategies as st
from outreach_common.partitions import murmur2, partitions_of

pytestmark = pytest.mark.unit


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=50))
def test_murmur2_is_the_producers_hash(keys: list[bytes]) -> None:
    assert [int(h) for h in murmur2(keys)] == [reference(key) & 0xFFFFFFFF for key in keys]


def test_partitions_are_the_default_partitioners_for_contact_ids_and_odd_partition_sets() -> None:
    rng = random.Random(7)
    keys = [f"ct_{rng.getrandbits(80):020x}".encode() for _ in range(5000)] + [b"", b"a", b"ab", b"abc"]
    pick = DefaultPartitioner()
    for partitions in ([0], [0, 1, 2], list(range(12)), [3, 5, 9]):
        assert partitions_of(keys, partitions) == [pick(key, partitions, partitions) for key in keys]
    assert partitions_of([], [0, 1]) == []
