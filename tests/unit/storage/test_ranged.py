"""Ranged reads of S3 objects through an aligned block cache, against moto."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from kluis.archive.zipwriter import ZipWriter
from kluis.storage.ranged import S3RangeReader
from tests.archive_reading import walk

BUCKET = "kluis-test"
DATA = random.Random(3).randbytes(10_000)


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        client.put_object(Bucket=BUCKET, Key="blob", Body=DATA)
        yield client


def test_reads_any_range(s3: Any) -> None:
    reader = S3RangeReader(s3, BUCKET, "blob", block_size=1000, cache_blocks=3)
    assert reader.size == len(DATA)
    rng = random.Random(5)
    for _ in range(50):
        offset = rng.randrange(len(DATA))
        length = rng.randrange(3000)
        assert reader.read_at(offset, length) == DATA[offset : offset + length]


def test_short_read_only_at_the_end(s3: Any) -> None:
    reader = S3RangeReader(s3, BUCKET, "blob", block_size=1000)
    assert reader.read_at(9_990, 100) == DATA[9_990:]
    assert reader.read_at(10_000, 10) == b""
    assert reader.read_at(20_000, 10) == b""
    assert reader.read_at(5, 0) == b""
    with pytest.raises(ValueError):
        reader.read_at(-1, 5)


def test_blocks_are_cached_and_aligned(s3: Any) -> None:
    reader = S3RangeReader(s3, BUCKET, "blob", block_size=1000, cache_blocks=2, size=len(DATA))
    assert reader.gets == 0
    reader.read_at(10, 20)
    reader.read_at(500, 400)
    reader.read_at(999, 1)
    assert reader.gets == 1
    reader.read_at(990, 20)  # needs block 1 only
    assert reader.gets == 2
    reader.read_at(2500, 10)  # block 2 evicts block 0
    reader.read_at(1500, 10)
    assert reader.gets == 3
    reader.read_at(0, 10)
    assert reader.gets == 4


def test_missing_blocks_fetched_with_one_get(s3: Any) -> None:
    reader = S3RangeReader(s3, BUCKET, "blob", block_size=1000, cache_blocks=2)
    assert reader.read_at(100, 5000) == DATA[100:5100]
    assert reader.gets == 1


def test_given_size_avoids_head(s3: Any) -> None:
    reader = S3RangeReader(s3, BUCKET, "blob", size=len(DATA))
    assert reader.size == len(DATA)
    assert reader.read_at(0, 10) == DATA[:10]


def test_reads_a_version(s3: Any) -> None:
    s3.create_bucket(Bucket="versioned")
    s3.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket="versioned", Key="k", Body=b"old contents")["VersionId"]
    s3.put_object(Bucket="versioned", Key="k", Body=b"new")
    reader = S3RangeReader(s3, "versioned", "k", version_id=first, block_size=4)
    assert reader.size == 12
    assert reader.read_at(0, 12) == b"old contents"


def test_archive_read_with_few_gets(s3: Any) -> None:
    out = io.BytesIO()
    writer = ZipWriter(out)
    members = {f"documents/{index}.pdf": random.Random(index).randbytes(3000) for index in range(200)}
    for name, content in members.items():
        writer.write_entry(name, [content], compress=False, modified=datetime(2025, 1, 1))
    writer.finish()
    s3.put_object(Bucket=BUCKET, Key="archive.zip", Body=out.getvalue())

    reader = S3RangeReader(s3, BUCKET, "archive.zip", block_size=64 * 1024)
    contents = {entry.name: content for entry, content in walk(reader)}
    assert contents == members
    blocks = -(-len(out.getvalue()) // (64 * 1024))
    # Sequential reading fetches each block about once, not three GETs per member.
    assert reader.gets <= 2 * blocks + 2


def test_read_ahead_fetches_each_block_once_ahead_of_a_sequential_reader(s3: Any) -> None:
    reader = S3RangeReader(s3, BUCKET, "blob", block_size=1000, cache_blocks=1, read_ahead=3)
    try:
        assert b"".join(reader.read_at(offset, 250) for offset in range(0, 10_000, 250)) == DATA
        assert reader.gets == 10  # ten blocks, each one GET, most of them fetched ahead
        assert reader.read_at(123, 4000) == DATA[123:4123]  # and random reads still work
    finally:
        reader.close()
