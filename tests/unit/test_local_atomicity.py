"""Which requests the local stack applies as one step (infra.local.atomic), and how its locks behave.
The races themselves run through the stack in tests/integration/test_local_stack_atomicity.py."""

from __future__ import annotations

import threading
import time

import pytest

from infra.local.atomic import POST_KEY, Atomicity, KeyLocks, SharedLock, _s3_object_access


def request(method: str, path: str, query: str = "", **extra: str) -> dict[str, str]:
    return {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, **extra}


@pytest.mark.parametrize(
    ("environ", "access"),
    [
        (request("PUT", "/bucket/a/b.json"), ("bucket", "a/b.json", True)),  # PutObject, CopyObject
        (request("DELETE", "/bucket/a%20b"), ("bucket", "a b", True)),  # DeleteObject
        (request("POST", "/bucket/k", "uploadId=u"), ("bucket", "k", True)),  # CompleteMultipartUpload
        (request("PUT", "/bucket/k", "retention"), ("bucket", "k", True)),  # PutObjectRetention
        (request("GET", "/bucket/k"), ("bucket", "k", False)),  # GetObject
        (request("HEAD", "/bucket/k"), ("bucket", "k", False)),  # HeadObject
        (request("POST", "/bucket", **{POST_KEY: "uploads/1/x.zip"}), ("bucket", "uploads/1/x.zip", True)),
    ],
)
def test_a_request_that_reads_or_writes_one_key_holds_that_keys_lock(environ, access):
    assert _s3_object_access(environ) == access


@pytest.mark.parametrize(
    "environ",
    [
        request("PUT", "/bucket/k", "partNumber=1&uploadId=u"),  # UploadPart: parts of a key in parallel
        request("POST", "/bucket/k", "uploads"),  # CreateMultipartUpload
        request("DELETE", "/bucket/k", "uploadId=u"),  # AbortMultipartUpload
        request("GET", "/bucket/k", "uploadId=u"),  # ListParts
        request("GET", "/bucket", "list-type=2"),  # ListObjectsV2
        request("PUT", "/bucket", "versioning"),  # a bucket's settings
        request("GET", "/"),  # ListBuckets
    ],
)
def test_parts_listings_and_settings_hold_no_key_lock(environ):
    assert _s3_object_access(environ) is None


def test_every_dynamodb_request_holds_one_lock_and_other_services_none():
    atomicity = Atomicity()

    assert atomicity.hold("dynamodb", request("POST", "/")) is atomicity.dynamodb
    with atomicity.hold("stepfunctions", request("POST", "/")):
        assert not atomicity.dynamodb.locked()


def test_readers_share_a_key_and_a_writer_waits_for_them():
    lock = SharedLock()
    order: list[str] = []

    def write() -> None:
        with lock.exclusive():
            order.append("write")

    with lock.shared(), lock.shared():  # two readers at once
        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.05)
        order.append("reads done")
    writer.join(timeout=5)

    assert order == ["reads done", "write"]


def test_a_key_lock_is_forgotten_once_nobody_holds_it():
    locks = KeyLocks()
    with locks.hold("b", "k", write=True), locks.hold("b", "other", write=False):
        assert len(locks) == 2
    assert len(locks) == 0
