"""Multipart upload sink against moto: round trip, resume from a checkpoint, abort, limits."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import moto.s3.models
import pytest
from moto import mock_aws

from kluis.storage import multipart
from kluis.storage.multipart import MultipartSink, TooManyParts

BUCKET = "kluis-test"
PART = 1024
DATA = random.Random(11).randbytes(10 * PART + 123)


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # moto copies its 5 MiB minimum part size into this module at import; lower it where it is used.
    monkeypatch.setattr(moto.s3.models, "S3_UPLOAD_PART_MIN_SIZE", 256)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def body(s3: Any, key: str) -> bytes:
    return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def write_in_pieces(sink: MultipartSink, data: bytes, seed: int = 1) -> None:
    rng = random.Random(seed)
    position = 0
    while position < len(data):
        step = rng.choice([1, 7, 100, 999, 3000])
        sink.write(data[position : position + step])
        position += step


def uploads(s3: Any) -> list[Any]:
    return s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])


def test_round_trip_across_parts(s3: Any) -> None:
    sink = MultipartSink(s3, BUCKET, "a.zip", part_size=PART, max_workers=3)
    write_in_pieces(sink, DATA)
    assert sink.written == len(DATA)
    sink.complete()
    assert body(s3, "a.zip") == DATA
    assert uploads(s3) == []


def test_one_large_write(s3: Any) -> None:
    sink = MultipartSink(s3, BUCKET, "a.zip", part_size=PART)
    sink.write(bytearray(DATA))
    sink.complete()
    assert body(s3, "a.zip") == DATA


def test_extra_args_reach_the_object(s3: Any) -> None:
    extra = {"ContentType": "application/zip", "ContentDisposition": 'attachment; filename="b.zip"'}
    sink = MultipartSink(s3, BUCKET, "b.zip", part_size=PART, extra_args=extra)
    sink.write(b"abc")
    sink.complete()
    head = s3.head_object(Bucket=BUCKET, Key="b.zip")
    assert head["ContentType"] == "application/zip"
    assert head["ContentDisposition"] == 'attachment; filename="b.zip"'


def test_empty_object(s3: Any) -> None:
    sink = MultipartSink(s3, BUCKET, "empty", part_size=PART)
    sink.complete()
    assert body(s3, "empty") == b""


def test_exact_multiple_of_part_size(s3: Any) -> None:
    sink = MultipartSink(s3, BUCKET, "exact", part_size=PART)
    sink.write(DATA[: 3 * PART])
    sink.complete()
    assert body(s3, "exact") == DATA[: 3 * PART]


def test_checkpoint_and_resume(s3: Any) -> None:
    sink = MultipartSink(s3, BUCKET, "r.zip", part_size=PART)
    write_in_pieces(sink, DATA[:4500])
    state, tail = sink.checkpoint()
    assert len(tail) == 4500 % PART
    assert [part["PartNumber"] for part in state["parts"]] == [1, 2, 3, 4]
    # State crosses an invocation boundary as JSON; the tail travels beside it.
    state = json.loads(json.dumps(state))

    resumed = MultipartSink(s3, BUCKET, "r.zip", part_size=PART, state=state, tail=tail)
    assert resumed.upload_id == sink.upload_id
    write_in_pieces(resumed, DATA[4500:], seed=2)
    assert resumed.written == len(DATA)
    resumed.complete()
    assert body(s3, "r.zip") == DATA


def test_abort_leaves_no_upload(s3: Any) -> None:
    sink = MultipartSink(s3, BUCKET, "x.zip", part_size=PART)
    write_in_pieces(sink, DATA)
    assert len(uploads(s3)) == 1
    sink.abort()
    assert uploads(s3) == []
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET)


def test_part_limit(s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multipart, "MAX_PARTS", 3)
    sink = MultipartSink(s3, BUCKET, "big", part_size=PART)
    with pytest.raises(TooManyParts, match="more than 3 parts"):
        sink.write(DATA)
    sink.abort()


class SlowS3:
    """Wraps a client to count how many parts are uploading at once."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.active = 0
        self.peak = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def upload_part(self, **kwargs: Any) -> Any:
        with self._lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        self._release.wait(0.05)
        try:
            return self._client.upload_part(**kwargs)
        finally:
            with self._lock:
                self.active -= 1


def test_bounded_parts_in_flight(s3: Any) -> None:
    slow = SlowS3(s3)
    sink = MultipartSink(slow, BUCKET, "slow", part_size=PART, max_workers=2)
    for index in range(0, len(DATA), PART):
        sink.write(DATA[index : index + PART])
        assert len(sink._pending) <= 2
    sink.complete()
    assert slow.peak <= 2
    assert body(s3, "slow") == DATA


class FailingS3(SlowS3):
    def upload_part(self, **kwargs: Any) -> Any:
        raise RuntimeError("upload failed")


def test_failed_part_surfaces(s3: Any) -> None:
    sink = MultipartSink(FailingS3(s3), BUCKET, "fail", part_size=PART)
    sink.write(DATA[:PART])
    with pytest.raises(RuntimeError, match="upload failed"):
        sink.checkpoint()
    with pytest.raises(RuntimeError, match="upload failed"):
        # Surfaces in `write` once uploads are awaited to make room, at the latest in `checkpoint`.
        sink.write(DATA)
        sink.checkpoint()
    sink.abort()
    assert uploads(s3) == []
