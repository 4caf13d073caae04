"""kluis_tools.seed: demo data written as a live generation, reproducible, and fast enough for benchmarks."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from decimal import Decimal

import boto3
import pytest
from moto import mock_aws

from kluis.scope import InvalidScope, Scope
from kluis.storage.data import DataStore
from kluis_tools import seed as seeding
from kluis_tools.seed.spec import JOURNALS

BUCKET = "kluis-data-test"
SCOPE = Scope("10234", "00017", "2025")
SMALL = seeding.SeedSpec(
    administrations={"00017": ["2025"]},
    entries_per_year=50,
    documents_per_year=3,
    document_bytes=20 * 1024,
    proposals=2,
    seed=7,
)


@pytest.fixture
def store():
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        yield DataStore(s3, BUCKET)


def _read(store: DataStore, key: str) -> bytes:
    return store.s3.get_object(Bucket=store.bucket, Key=key)["Body"].read()


def _rows(store: DataStore, generation: str, dataset: str) -> list[dict]:
    key = store.generation_prefix(SCOPE, generation) + f"records/{dataset}.jsonl"
    return [json.loads(line) for line in _read(store, key).decode().splitlines()]


def test_seed_writes_a_live_generation(store):
    report = seeding.seed(store, SMALL, workers=4)
    head = store.head(SCOPE)
    assert head is not None
    assert head.generation == report.scopes[0].generation

    names = {o.name for o in store.generation_objects(SCOPE, head.generation)}
    records = {n for n in names if n.startswith("records/")}
    documents = {n for n in names if n.startswith("documents/")}
    assert records == {f"records/{d}.jsonl" for d in seeding.DATASETS}
    assert len(documents) == 3
    assert names == records | documents

    entries = _rows(store, head.generation, "journal_entries")
    assert len(entries) == 50
    for entry in entries:
        debit = sum(Decimal(line["debit"]) for line in entry["lines"])
        credit = sum(Decimal(line["credit"]) for line in entry["lines"])
        assert debit == credit, entry["id"]
        assert entry["journal"] in JOURNALS
        assert entry["date"].startswith("2025-")
        for line in entry["lines"]:
            # Amounts are decimal strings with two decimals, never floats.
            assert isinstance(line["debit"], str) and len(line["debit"].split(".")[1]) == 2

    linked = {e["document_id"] for e in entries if e["document_id"]}
    assert {f"documents/{d}.pdf" for d in linked} == documents
    for document_id in linked:
        body = _read(store, store.generation_prefix(SCOPE, head.generation) + f"documents/{document_id}.pdf")
        assert body.startswith(b"%PDF-")
        assert body.rstrip().endswith(b"%%EOF")
        seeding.check_pdf(body)
        assert document_id.encode() in body  # in the metadata: the scan says where it belongs

    report_scope = report.scopes[0]
    assert report_scope.records["journal_entries"] == 50
    assert report_scope.documents == 3
    assert "10234/00017/2025" in report.summary()


def test_records_are_plausible(store):
    seeding.seed(store, SMALL)
    generation = store.head(SCOPE).generation
    accounts = {a["code"] for a in _rows(store, generation, "ledger_accounts")}
    assert {
        "0100",
        "1000",
        "1100",
        "1300",
        "1600",
        "1800",
        "1810",
        "4000",
        "4300",
        "7000",
        "8000",
    } <= accounts
    assert len(accounts) >= 40
    relations = _rows(store, generation, "relations")
    assert len(relations) == 150
    assert {r["kind"] for r in relations} == {"customer", "supplier"}
    assert all(r["country"] == "NL" and r["iban"].startswith("NL") for r in relations)
    relation_ids = {r["id"] for r in relations}
    entries = _rows(store, generation, "journal_entries")
    assert {e["relation_id"] for e in entries if e["relation_id"]} <= relation_ids
    for entry in entries:
        assert {line["account"] for line in entry["lines"]} <= accounts
    (fiscal_year,) = _rows(store, generation, "fiscal_year")
    assert fiscal_year["year"] == "2025" and fiscal_year["start"] == "2025-01-01"
    assert fiscal_year["status"] == "open"
    returns = _rows(store, generation, "vat_returns")
    assert [r["quarter"] for r in returns] == [1, 2, 3, 4]
    vat_booked = sum(
        Decimal(line["credit"]) - Decimal(line["debit"])
        for e in entries
        for line in e["lines"]
        if line["account"] in ("1800", "1805")
    )
    assert sum(Decimal(r["vat_high"]) + Decimal(r["vat_low"]) for r in returns) == vat_booked


def test_document_sizes_near_target(store):
    report = seeding.seed(store, SMALL)
    generation = report.scopes[0].generation
    sizes = [o.size for o in store.generation_objects(SCOPE, generation) if o.name.startswith("documents/")]
    average = sum(sizes) / len(sizes)
    assert abs(average - SMALL.document_bytes) < 0.05 * SMALL.document_bytes
    assert all(0.4 * SMALL.document_bytes < size < 1.6 * SMALL.document_bytes for size in sizes)
    assert report.scopes[0].document_bytes == sum(sizes)
    assert len(set(sizes)) == len(sizes)  # documents differ (sizes, and so contents)


def test_proposals_are_outside_the_generation(store):
    report = seeding.seed(store, SMALL)
    names = sorted(p.name for p in store.proposals(SCOPE))
    assert names == ["prop-2025-0001.json", "prop-2025-0001.pdf", "prop-2025-0002.json", "prop-2025-0002.pdf"]
    assert report.scopes[0].proposals == 2
    proposal = json.loads(_read(store, f"{SCOPE.prefix}proposals/prop-2025-0001.json"))
    assert proposal["status"] == "pending" and proposal["document"] == "prop-2025-0001.pdf"
    assert _read(store, f"{SCOPE.prefix}proposals/prop-2025-0001.pdf").startswith(b"%PDF-")
    generation = store.head(SCOPE).generation
    assert not any("prop-" in o.name for o in store.generation_objects(SCOPE, generation))


def test_same_seed_same_bytes_and_reseed_flips_head(store):
    first = seeding.seed(store, SMALL).scopes[0].generation
    first_objects = {o.name: _read(store, o.key) for o in store.generation_objects(SCOPE, first)}
    second = seeding.seed(store, SMALL).scopes[0]
    assert second.generation != first
    assert second.previous == first
    assert store.head(SCOPE).generation == second.generation
    second_objects = {o.name: _read(store, o.key) for o in store.generation_objects(SCOPE, second.generation)}
    assert first_objects == second_objects  # records *and* documents, byte for byte

    other = seeding.build_scope(replace(SMALL, seed=8), SMALL.administration_specs[0], "2025")
    assert other.records["journal_entries"] != first_objects["records/journal_entries.jsonl"]


def test_documents_differ_from_each_other():
    spec = seeding.SeedSpec(
        administrations={"00017": ["2025"]},
        entries_per_year=20,
        documents_per_year=4,
        document_bytes=8 * 1024,
    )
    data = seeding.build_scope(spec, spec.administration_specs[0], "2025")
    bodies = [plan.render() for plan in data.documents]
    assert len(set(bodies)) == 4
    # The payloads differ too, not only the invoices: no two share their last kilobytes.
    assert len({body[-4096:-1024] for body in bodies}) == 4


def test_default_spec_and_validation():
    spec = seeding.SeedSpec()
    assert [str(scope) for scope, _ in spec.scopes()] == [
        "10234/00017/2024",
        "10234/00017/2025",
        "10234/00023/2025",
        "10234/00042/2023",
        "10234/00042/2024",
    ]
    assert spec.administration_specs[0].name == "Bakkerij De Gouden Korst B.V."
    with pytest.raises(ValueError):
        seeding.SeedSpec(entries_per_year=5, documents_per_year=6)
    with pytest.raises(InvalidScope):
        seeding.SeedSpec(administrations={"17": ["2025"]})
    with pytest.raises(InvalidScope):
        seeding.SeedSpec(customer="abc")


def test_cli(store, capsys):
    code = seeding.main(
        [
            "--bucket",
            BUCKET,
            "--administration",
            "00023:2025",
            "--entries",
            "30",
            "--documents",
            "2",
            "--document-kib",
            "10",
            "--proposals",
            "1",
            "--seed",
            "3",
            "--quiet",
        ]
    )
    assert code == 0
    assert "10234/00023/2025" in capsys.readouterr().out
    assert store.head(Scope("10234", "00023", "2025")) is not None


def test_cli_requires_a_bucket(monkeypatch):
    monkeypatch.delenv("DATA_BUCKET", raising=False)
    with pytest.raises(SystemExit):
        seeding.main(["--preset", "small"])


def test_generation_speed():
    """Not a timed test (benchmarks are not tests): prints the rate at which documents are made."""
    spec = seeding.SeedSpec(
        administrations={"00017": ["2025"]},
        entries_per_year=40,
        documents_per_year=20,
        document_bytes=1024**2,
    )
    data = seeding.build_scope(spec, spec.administration_specs[0], "2025")
    started = time.perf_counter()
    total = sum(len(plan.render()) for plan in data.documents)
    seconds = time.perf_counter() - started
    print(f"\nseed: 20 documents of ~1 MiB: {total / seconds / 1e6:.0f} MB/s ({seconds * 1000:.0f} ms)")


def test_a_failed_seed_leaves_head_and_removes_its_generation(store, monkeypatch):
    live = seeding.seed(store, SMALL).scopes[0].generation
    real_put = store.put

    def failing_put(scope, generation, name, body):
        if name.startswith("documents/"):
            raise OSError("network gone")
        return real_put(scope, generation, name, body)

    monkeypatch.setattr(store, "put", failing_put)
    with pytest.raises(OSError):
        seeding.seed(store, SMALL, workers=2)
    assert store.head(SCOPE).generation == live
    listed = store.s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{SCOPE.prefix}gen/")
    assert {item["Key"].split("/")[5] for item in listed["Contents"]} == {live}
