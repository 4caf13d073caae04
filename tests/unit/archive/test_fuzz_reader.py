"""Property-based fuzzing of the hostile-archive reader: whatever the bytes, only ArchiveRejected.

Valid archives are mutated (bit flips, overwritten fields, insertions, deletions, truncations, splices
of two archives) or replaced by random bytes, then read as `kluis.flows.restore` would: the checked
central directory and the `Layout` walk with `iter_content` over every entry (`tests.archive_reading`), and
`open_archive(...).verify()` with a signer that accepts any signature, so that mutations reach
manifest parsing and the member checks too.

`make test` runs a bounded, derandomized number of examples; for a long run see docs/fuzzing.md:

    KLUIS_FUZZ_EXAMPLES=200000 .venv/bin/pytest tests/unit/test_fuzz_reader.py
"""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kluis.archive.validation import open_archive
from kluis.archive.zipreader import ArchiveRejected, BytesSource
from tests.archive_reading import walk
from tests.hostile.corpus import (
    Zip64End,
    assemble,
    build_signed_archive,
    generation_files,
    members_of,
)

pytestmark = pytest.mark.slow  # fuzzing: `make test` runs it, `make check` does not

EXAMPLES = int(os.environ.get("KLUIS_FUZZ_EXAMPLES", "500"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # The same examples on every CI run; a long run (KLUIS_FUZZ_EXAMPLES set) explores new ones each time.
    derandomize="KLUIS_FUZZ_EXAMPLES" not in os.environ,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class AcceptingSigner:
    """Accepts every signature, so fuzzed archives get past manifest.sig to the manifest and members."""

    def sign(self, manifest_bytes: bytes) -> bytes:
        return b'{"algorithm": "HMAC_SHA_256", "mac": "AAAA"}\n'

    def verify(self, manifest_bytes: bytes, signature: bytes) -> None:
        return None


def _bases() -> list[bytes]:
    signer = AcceptingSigner()
    full = build_signed_archive(signer)  # type: ignore[arg-type]
    files = generation_files()
    small = build_signed_archive(  # type: ignore[arg-type]
        signer, {"records/relations.jsonl": files["records/relations.jsonl"]}, include_documents=False
    )
    raw = assemble(members_of(small))
    zip64 = assemble(members_of(small), zip64=Zip64End())
    stdlib = io.BytesIO()
    with zipfile.ZipFile(stdlib, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in list(files.items())[:2]:
            archive.writestr(name, content)
    return [full, small, raw, zip64, stdlib.getvalue()]


BASES = _bases()
INTERESTING = [0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x10000, 0x7FFFFFFF, 0xFFFFFFFF, 0x100000000, 2**63, 2**64 - 1]


@st.composite
def mutation(draw: st.DrawFn, data: bytes) -> bytes:
    kind = draw(st.sampled_from(["flip", "field", "insert", "delete", "truncate", "splice", "copy"]))
    length = len(data)
    at = draw(st.integers(0, max(0, length - 1)))
    if kind == "flip":
        out = bytearray(data)
        if out:
            out[at] ^= draw(st.integers(1, 255))
        return bytes(out)
    if kind == "field":
        width, fmt = draw(st.sampled_from([(2, "<H"), (4, "<I"), (8, "<Q")]))
        value = draw(st.sampled_from(INTERESTING)) % (1 << (8 * width))
        return data[:at] + struct.pack(fmt, value) + data[at + width :]
    if kind == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    if kind == "delete":
        return data[:at] + data[at + draw(st.integers(1, 64)) :]
    if kind == "truncate":
        return data[:at]
    if kind == "splice":
        other = draw(st.sampled_from(BASES))
        return data[:at] + other[draw(st.integers(0, len(other))) :]
    # copy: a stretch of the archive repeated elsewhere (duplicate headers, overlapping records)
    start = draw(st.integers(0, length))
    piece = data[start : start + draw(st.integers(1, 200))]
    return data[:at] + piece + data[at:]


@st.composite
def hostile_bytes(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 19)) == 0:
        return draw(st.binary(max_size=2048))
    data = draw(st.sampled_from(BASES))
    for _ in range(draw(st.integers(1, 4))):
        data = draw(mutation(data))
    return data


FILES = generation_files()
SMALL_FILES = {"records/relations.jsonl": FILES["records/relations.jsonl"]}
MANIFEST = json.loads(zlib.decompress(members_of(BASES[1])[-2].data, -15))  # the small base's
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def fuzzed_manifest(draw: st.DrawFn) -> bytes:
    """A structurally valid archive whose manifest.json is mutated, as text or as JSON."""
    if draw(st.booleans()):
        document = json.loads(json.dumps(MANIFEST))
        target = document
        if draw(st.booleans()):
            target = document["entries"][0]
        key = draw(st.sampled_from([*sorted(target), "unknown"]))
        if draw(st.integers(0, 4)) == 0:
            target.pop(key, None)
        else:
            target[key] = draw(JSON_VALUES)
        manifest = json.dumps(document).encode()
    else:
        manifest = json.dumps(MANIFEST, sort_keys=True, indent=1).encode()
        for _ in range(draw(st.integers(1, 3))):
            manifest = draw(mutation(manifest))
    return build_signed_archive(AcceptingSigner(), SMALL_FILES, manifest_bytes=manifest)  # type: ignore[arg-type]


def _read_everything(data: bytes) -> None:
    for _ in walk(BytesSource(data), chunk_size=64 * 1024):
        pass


def test_bases_are_valid() -> None:
    for data in BASES:
        _read_everything(data)
    for data in BASES[:4]:
        open_archive(BytesSource(data), AcceptingSigner()).verify()  # type: ignore[arg-type]


@FUZZ
@given(hostile_bytes())
def test_reader_raises_only_archive_rejected(data: bytes) -> None:
    try:
        _read_everything(data)
    except ArchiveRejected as error:
        assert error.reason.message and error.family


@FUZZ
@given(hostile_bytes() | fuzzed_manifest())
def test_open_archive_raises_only_archive_rejected(data: bytes) -> None:
    try:
        open_archive(BytesSource(data), AcceptingSigner()).verify()  # type: ignore[arg-type]
    except ArchiveRejected as error:
        assert error.reason.message and error.family
