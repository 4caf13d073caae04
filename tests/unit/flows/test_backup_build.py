"""The backup builder: a signed archive of the live generation, built in one go or in several
invocations with byte-identical results, and no half archive left when it fails."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import random
import re
import time
import zipfile
from datetime import UTC, datetime

import pytest
import pyxaf

from kluis.archive.validation import open_archive
from kluis.archive.zipreader import BytesSource
from kluis.books.xaf import XAF_32, XAF_40
from kluis.flows.backup.build import BackupBuilder
from kluis.flows.backup.start import NothingToBackUp, archive_key
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import BackupJob, new_backup
from kluis.scope import Scope
from kluis.storage.data import new_generation_id
from kluis.storage.locks import LockBusy
from kluis.storage.multipart import ObjectTooLarge, choose_part_size
from kluis.storage.readahead import DEFAULT_READ_AHEAD, ReadAheadLimits
from kluis_tools.seed import SeedSpec
from tests.unit.books.data import awkward
from tests.unit.books.test_xaf import xsd_errors
from tests.unit.conftest import World

SCOPE = Scope("10234", "00017", "2025")
SPEC = SeedSpec(
    administrations=(("00017", ("2025",)),),
    entries_per_year=60,
    documents_per_year=6,
    document_bytes=48 * 1024,
    proposals=1,
)
MOMENT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PART_SIZE = 32 * 1024


def builder(w: World, clock=None, read_ahead: ReadAheadLimits = DEFAULT_READ_AHEAD) -> BackupBuilder:
    return BackupBuilder(
        w.store,
        w.jobs,
        w.s3,
        "archives",
        w.signer,
        w.locks,
        w.backup_cleanup,
        part_size=PART_SIZE,
        read_ahead=read_ahead,
        clock=clock or (lambda: 0.0),
        now=lambda: MOMENT,
    )


def new_job(w: World, documents: bool = True, scope: Scope = SCOPE) -> BackupJob:
    return w.jobs.create(new_backup(scope, documents).model_copy(update={"status": Status.BUILDING}))


def archive(w: World, job: BackupJob) -> bytes:
    return w.s3.get_object(Bucket="archives", Key=archive_key(job))["Body"].read()


def test_one_invocation_builds_a_signed_archive_of_the_live_generation(w):
    job = new_job(w)
    result = builder(w).run(job, budget_seconds=600)
    assert result.done and result.progress.entries_done == result.progress.entries_total == 5 + 6
    data = archive(w, job)
    verified = open_archive(BytesSource(data), w.signer)
    verified.verify()
    assert verified.manifest.source_generation == w.store.head(SCOPE).generation
    assert w.jobs.get(job.customer, job.job_id).status is Status.READY
    assert w.locks.holder(SCOPE) is None


def test_many_short_invocations_give_a_byte_identical_archive(w):
    single, stepped = new_job(w), new_job(w)
    builder(w).run(single, budget_seconds=600)
    ticks = itertools.count(step=10.0)  # every entry takes "10 s": the budget of 1 s ends after each
    runs = 0
    while not builder(w, clock=lambda: next(ticks)).run(stepped, budget_seconds=1).done:
        runs += 1
        assert w.jobs.get(stepped.customer, stepped.job_id).progress.entries_done == runs
    assert runs == 10
    assert archive(w, stepped) == archive(w, single)
    assert zipfile.ZipFile(io.BytesIO(archive(w, stepped))).testzip() is None


@pytest.mark.parametrize(
    ("limits", "budget_steps"),
    [
        (ReadAheadLimits(requests=1, bytes=1), None),  # one GET at a time
        (ReadAheadLimits(requests=3, bytes=40 * 1024), 3),  # a few, cut by bytes; several invocations
        (ReadAheadLimits(requests=64, bytes=64 * 1024 * 1024), 1),  # everything at once; one per entry
    ],
)
def test_parallelism_never_changes_the_archive(w, monkeypatch, limits, budget_steps):
    """The same data gives a byte-identical archive whatever the reads in flight, the order in
    which they complete, or the time budget (how many invocations build it)."""
    reference = new_job(w)
    builder(w).run(reference, budget_seconds=600)
    jitter = random.Random(13)
    read = BackupBuilder._read_range

    def slow_and_out_of_order(self, key, start, end):
        time.sleep(jitter.random() / 200)  # reads complete in another order than they were asked
        return read(self, key, start, end)

    monkeypatch.setattr(BackupBuilder, "_read_range", slow_and_out_of_order)
    job = new_job(w)
    if budget_steps is None:
        assert builder(w, read_ahead=limits).run(job, budget_seconds=600).done
    else:
        ticks = itertools.count(step=10.0 / budget_steps)
        while not builder(w, clock=lambda: next(ticks), read_ahead=limits).run(job, budget_seconds=1).done:
            pass
    assert archive(w, job) == archive(w, reference)


def test_without_documents_only_records_are_archived(w):
    job = new_job(w, documents=False)
    builder(w).run(job, budget_seconds=600)
    names = zipfile.ZipFile(io.BytesIO(archive(w, job))).namelist()
    assert sorted(names) == sorted(
        [
            f"records/{d}.jsonl"
            for d in ("fiscal_year", "journal_entries", "ledger_accounts", "relations", "vat_returns")
        ]
        + ["auditfile.xaf", "auditfile-3.2.xaf", "manifest.json", "manifest.sig"]
    )


# -- auditfile.xaf ------------------------------------------------------------------------------------
def live_books(w: World, datasets: dict[str, bytes], scope: Scope = SCOPE) -> None:
    """Make `datasets` the live records of `scope` (a new generation, HEAD flipped to it)."""
    generation = new_generation_id()
    for dataset, data in datasets.items():
        w.store.put(scope, generation, f"records/{dataset}.jsonl", data)
    w.store.flip_head(scope, generation, w.store.head(scope))


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


AUDITFILES = {"auditfile.xaf": XAF_40, "auditfile-3.2.xaf": XAF_32}


def test_every_backup_holds_auditfiles_in_xaf_40_and_32_listed_in_the_signed_manifest(w):
    """Fiscal year 2025, backed up now: XAF 4.0 (all the Belastingdienst accepts from 2027) and 3.2."""
    job = new_job(w)
    builder(w).run(job, budget_seconds=600)
    data = archive(w, job)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    # After the records and documents, before the manifest that lists them and the signature.
    assert names[-4:] == ["auditfile.xaf", "auditfile-3.2.xaf", "manifest.json", "manifest.sig"]
    listed = {e["path"]: e for e in json.loads(members(data)["manifest.json"])["entries"]}
    records = members(data)
    entries = [json.loads(line) for line in records["records/journal_entries.jsonl"].splitlines() if line]
    for name, version in AUDITFILES.items():
        xaf = records[name]
        assert listed[name] == {"path": name, "size": len(xaf), "sha256": hashlib.sha256(xaf).hexdigest()}
        assert xsd_errors(xaf, version) == []
        report = pyxaf.validate(xaf, xsd=True)  # pyxaf finds the version by the namespace
        assert report.ok, report.errors
        with pyxaf.open(xaf) as af:
            assert af.header.fiscal_year == "2025" and af.header.software_name == "Kluis"
            assert af.header.created == MOMENT.date()
            assert len(list(af.transactions())) == len(entries)
            # With documents in the archive, a linked entry points at its PDF there.
            refs = {line.document_ref for tx in af.transactions() for line in tx.lines}
            assert any(ref and ref.startswith("documents/") and ref in records for ref in refs)
    assert records["auditfile.xaf"].startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<auditfile xmlns="http://www.odb.'
    )
    verified = open_archive(BytesSource(data), w.signer)
    verified.verify()
    assert verified.manifest.auditfile_bytes == sum(len(records[name]) for name in AUDITFILES)
    assert verified.manifest.dataset_count == 5 and verified.manifest.staged_count == 5 + 6
    built = w.jobs.get(job.customer, job.job_id)
    assert built.archive is not None and built.archive.auditfile and built.archive.records == 5
    assert built.view()["details"]["auditfile"] is True


def test_awkward_books_give_an_auditfile_valid_against_the_xsd(w):
    live_books(w, awkward())
    job = new_job(w, documents=False)
    builder(w).run(job, budget_seconds=600)
    built = members(archive(w, job))
    for name, version in AUDITFILES.items():  # long postal codes and names clipped, control characters gone
        assert xsd_errors(built[name], version) == [], name
    xaf = built["auditfile-3.2.xaf"]
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", xaf.decode())
    with pyxaf.open(xaf) as af:
        assert len(list(af.transactions())) == 7  # every entry, also the unbalanced one
        assert af.relations["R1"].addresses[0].postal_code == "SW1A1AALON"
        assert all(len(r) <= 35 for r in af.relations)


def test_a_resumed_build_writes_the_same_auditfile(w):
    live_books(w, awkward())
    single, stepped = new_job(w, documents=False), new_job(w, documents=False)
    builder(w).run(single, budget_seconds=600)
    ticks = itertools.count(step=10.0)
    while not builder(w, clock=lambda: next(ticks)).run(stepped, budget_seconds=1).done:
        pass
    assert archive(w, stepped) == archive(w, single)
    assert "auditfile.xaf" in members(archive(w, stepped))


@pytest.mark.parametrize(
    "datasets",
    [
        pytest.param(
            {"journal_entries": b'{"id": "1", "date": "2025-01-02", "journal": "memoriaal"}\n'},
            id="no-fiscal-year",
        ),
        pytest.param(
            {
                "fiscal_year": b'{"year": "2025", "start": "2025-01-01", "end": "2025-12-31"}\n',
                "journal_entries": b'{"id": "1", "journal": "memoriaal"}\n',
            },
            id="entry-without-date",
        ),
    ],
)
def test_books_an_auditfile_cannot_tell_truthfully_are_backed_up_without_one(w, datasets):
    live_books(w, datasets)
    job = new_job(w, documents=False)
    assert builder(w).run(job, budget_seconds=600).done
    data = archive(w, job)
    assert "auditfile.xaf" not in members(data)
    verified = open_archive(BytesSource(data), w.signer)
    verified.verify()
    assert verified.manifest.auditfile_bytes is None
    built = w.jobs.get(job.customer, job.job_id)
    assert built.archive is not None and not built.archive.auditfile
    assert built.archive.records == len(datasets)


def test_an_administration_without_data_is_not_backed_up(w):
    with pytest.raises(NothingToBackUp):
        builder(w).run(new_job(w, scope=Scope("10234", "00099", "2025")), budget_seconds=600)


def test_a_build_waits_for_a_restore_holding_the_lock(w):
    w.locks.acquire(SCOPE, "a-restore", 60)
    with pytest.raises(LockBusy):
        builder(w).run(new_job(w), budget_seconds=600)


def test_abandoning_a_half_built_archive_leaves_nothing_to_download(w):
    job = new_job(w)
    ticks = itertools.count(step=10.0)
    assert not builder(w, clock=lambda: next(ticks)).run(job, budget_seconds=1).done
    w.backup_cleanup.abandon(job)
    assert w.s3.list_multipart_uploads(Bucket="archives").get("Uploads", []) == []
    assert w.s3.list_objects_v2(Bucket="archives").get("KeyCount") == 0
    assert w.locks.holder(SCOPE) is None


@pytest.mark.parametrize(
    ("total", "part"),
    [
        (10 * 1024**2, 8 * 1024**2),
        (50 * 1024**3, 8 * 1024**2),
        (100 * 1024**3, 12 * 1024**2),
        (200 * 1024**3, 22 * 1024**2),
    ],
)
def test_part_sizes_keep_any_archive_within_ten_thousand_parts(total, part):
    chosen = choose_part_size(total, 8 * 1024**2)
    assert chosen == part
    assert chosen % (1024 * 1024) == 0
    assert (total * 1.02 + 64 * 1024**2) / chosen < 9_600


def test_an_archive_beyond_what_s3_can_hold_is_refused_before_building():
    with pytest.raises(ObjectTooLarge):
        choose_part_size(60 * 1024**4, 16 * 1024**2)
