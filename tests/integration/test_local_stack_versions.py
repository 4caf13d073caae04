"""The local stack's S3 lists object versions as S3 does: the versions under the prefix, newest
first per key, with delete markers and paging, and without copying the bytes of the bucket's
objects (moto alone copies every object of the bucket for every listing: infra/local/moto_versions)."""

from __future__ import annotations

import tracemalloc

from tests.integration.harness import Harness

PREFIX = "tests/listing/"  # outside data/: no administration of any test


def versions(harness: Harness, bucket: str, prefix: str, page_size: int) -> list[tuple[str, str, bool, bool]]:
    """(key, version id, is latest, is a delete marker) of every version, page by page."""
    s3 = harness.stack.client("s3")
    found: list[tuple[str, str, bool, bool]] = []
    for page in s3.get_paginator("list_object_versions").paginate(
        Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": page_size}
    ):
        found += [(v["Key"], v["VersionId"], v["IsLatest"], False) for v in page.get("Versions", [])]
        found += [(m["Key"], m["VersionId"], m["IsLatest"], True) for m in page.get("DeleteMarkers", [])]
    return sorted(found)


def test_versions_under_a_prefix_are_listed_with_markers_and_pages(harness: Harness):
    s3, bucket = harness.stack.client("s3"), harness.stack.name_of("DataBucket")
    written = {}
    for name in ("a", "b", "c"):
        for round_ in range(3):
            put = s3.put_object(Bucket=bucket, Key=f"{PREFIX}{name}", Body=f"{name}{round_}".encode())
            written.setdefault(name, []).append(put["VersionId"])
    marker = s3.delete_object(Bucket=bucket, Key=f"{PREFIX}c")["VersionId"]
    s3.put_object(Bucket=bucket, Key=f"{PREFIX[:-1]}-elsewhere/x", Body=b"not under the prefix")

    listed = versions(harness, bucket, PREFIX, page_size=2)

    expected = [
        (f"{PREFIX}{name}", version, name != "c" and i == 2, False)
        for name, ids in written.items()
        for i, version in enumerate(ids)
    ] + [(f"{PREFIX}c", marker, True, True)]
    assert listed == sorted(expected)
    assert s3.get_object(Bucket=bucket, Key=f"{PREFIX}a")["Body"].read() == b"a2", "the stored bytes stay"


def test_a_listing_does_not_copy_the_bytes_of_other_objects(harness: Harness):
    s3, bucket = harness.stack.client("s3"), harness.stack.name_of("DataBucket")
    s3.put_object(Bucket=bucket, Key=f"{PREFIX}small", Body=b"x")
    big = s3.put_object(Bucket=bucket, Key="tests/big.pdf", Body=b"%PDF" + bytes(64 * 1024 * 1024))
    tracemalloc.start()
    try:
        versions(harness, bucket, PREFIX, page_size=1000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, f"{peak / 2**20:.0f} MiB allocated to list a few small versions"
    assert s3.head_object(Bucket=bucket, Key="tests/big.pdf")["ContentLength"] > 64 * 2**20
    s3.delete_object(Bucket=bucket, Key="tests/big.pdf", VersionId=big["VersionId"])
