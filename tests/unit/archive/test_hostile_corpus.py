"""Hostile input: every archive of the generated corpus is refused, readably, in bounded memory and time.

The corpus (tests/hostile/corpus.py) is built twice: once at collection with a local stand-in for KMS,
only to name the test cases, and once in a moto `mock_aws` with a real KMS HMAC key, whose archives are
the ones tested. Both builds are deterministic apart from the MAC bytes, so the names agree.
"""

from __future__ import annotations

import collections
import io
import re
import time
import tracemalloc
import zipfile

import boto3
import pytest
from moto import mock_aws

from kluis.archive.signature import ManifestSigner
from kluis.archive.validation import open_archive
from kluis.archive.zipreader import ArchiveRejected, BytesSource
from tests.hostile.corpus import (
    MIB,
    LocalHmacKms,
    assemble,
    build_corpus,
    build_valid_archive,
    members_of,
    quoted_overlap_bomb,
)

pytestmark = pytest.mark.slow  # the hostile corpus: `make test` runs it, `make check` does not

MAX_PEAK_BYTES = 64 * MIB
MAX_SECONDS = 2.0
REASON_SHAPE = re.compile(r"^[A-Z].*[.]$", re.DOTALL)


def _case_names() -> list[str]:
    signer = ManifestSigner(LocalHmacKms(), "local-key")
    return [case.name for case in build_corpus(signer, build_valid_archive(signer))]


CASE_NAMES = _case_names()


@pytest.fixture(scope="module")
def world():
    with mock_aws():
        kms = boto3.client("kms", region_name="eu-west-1")
        key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
        signer = ManifestSigner(kms, key)
        valid = build_valid_archive(signer)
        cases = {case.name: case for case in build_corpus(signer, valid)}
        yield signer, valid, cases


def test_corpus_is_large_and_stable(world) -> None:
    _, _, cases = world
    assert len(cases) >= 200
    assert list(cases) == CASE_NAMES
    families = collections.Counter(name.split("/")[0] for name in cases)
    assert len(families) >= 20, families


def test_valid_archive_is_accepted(world) -> None:
    signer, valid, _ = world
    archive = open_archive(BytesSource(valid), signer)
    archive.verify()
    assert archive.manifest.customer == "10234"
    assert archive.manifest.record_count == 3
    assert archive.manifest.document_count == 2
    assert len(list(archive.members())) == 5


def test_reassembled_valid_archive_is_accepted(world) -> None:
    # The raw assembler that makes the hostile variants makes an acceptable archive when told nothing
    # hostile: so each case is refused for its one change, not for a quirk of the assembler.
    signer, valid, _ = world
    open_archive(BytesSource(assemble(members_of(valid))), signer).verify()


def test_quoted_overlap_bomb_is_genuine() -> None:
    # Python's zipfile trusts the central directory: it inflates the bomb's first member in full.
    bomb = quoted_overlap_bomb(3, 1 * MIB)
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        infos = archive.infolist()
        assert archive.read(infos[0]).endswith(bytes(1 * MIB))
        assert sum(info.file_size for info in infos) > 3 * MIB


def _readable(reason: str) -> bool:
    """A sentence; names are quoted (control characters escaped), but no bytes reprs or tracebacks."""
    return bool(
        reason
        and REASON_SHAPE.match(reason)
        and len(reason) < 400
        and "Traceback" not in reason
        and "b'" not in reason
        and 'b"' not in reason
        and "Error" not in reason
    )


@pytest.mark.parametrize("name", CASE_NAMES)
def test_hostile_archive_is_rejected(world, name: str) -> None:
    signer, _, cases = world
    case = cases[name]
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ArchiveRejected) as caught:
            open_archive(BytesSource(case.data), signer).verify()
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    error = caught.value
    assert _readable(error.reason.message), f"{case.description}: unreadable reason {error.reason.message!r}"
    assert error.reason.code.startswith("archive.")
    if case.expected_codes is not None:
        assert error.family in case.expected_codes, (
            f"{case.description}: {error.family} ({error.reason.message})"
        )
    assert peak < MAX_PEAK_BYTES, f"{case.description}: peak {peak / MIB:.1f} MiB"
    assert elapsed < MAX_SECONDS, f"{case.description}: {elapsed:.2f} s"
