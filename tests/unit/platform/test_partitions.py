"""The relay picks a record's partition itself (it packs record batches per partition), so it must
pick exactly what aiokafka's ``DefaultPartitioner`` (and the Java client) would for the key."""
from __future__ import annotations

import random

import pytest
from aiokafka.partitioner import DefaultPartitioner, murmur2 as aiokafka_murmur2

from shared.platform.messaging import murmur2, partition_for, partitions_for, pick_partition

pytestmark = pytest.mark.unit


def test_murmur2_gives_aiokafkas_hash_for_keys_of_every_length_up_to_64_bytes():
    rng = random.Random(9)
    for length in range(65):
        for _ in range(50):
            key = bytes(rng.randrange(256) for _ in range(length))
            assert murmur2(key) == aiokafka_murmur2(key), key


def test_a_key_goes_to_the_partition_aiokafkas_partitioner_picks():
    partitioner = DefaultPartitioner()
    for partitions in (1, 4, 7, 64):
        every = list(range(partitions))
        for key in ("12345678", "global", "ü-ß", "e463e240-ef5f-45aa-93ce-e596dbf6927e", "x" * 37):
            expected = partitioner(key.encode(), every, every)
            assert pick_partition(key.encode(), every) == expected
            assert partition_for(key, partitions) == expected


def test_many_keys_at_once_go_where_aiokafkas_partitioner_puts_each():
    """``partitions_for`` unrolls murmur2 for 8-byte keys (claim references); any other length too."""
    partitioner = DefaultPartitioner()
    rng = random.Random(11)
    keys = [f"{rng.randrange(10**8):08d}" for _ in range(2000)] + ["ABCD1234", "é1234567", "1234567", "123456789", ""]
    keys += ["".join(rng.choice("abcXYZ019-é") for _ in range(rng.randrange(12))) for _ in range(500)]
    for partitions in (1, 5, 16):
        every = list(range(partitions))
        assert partitions_for(keys, partitions) == [partitioner(k.encode(), every, every) for k in keys]


def test_a_record_without_a_key_goes_to_one_of_the_partitions():
    assert pick_partition(None, [0, 1, 2]) in {0, 1, 2}
