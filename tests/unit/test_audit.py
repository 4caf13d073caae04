"""The audit log is an append-only chain per customer: any change, removal or insertion is found, even
a chain rewritten from some record on (by comparing with the export nobody can rewrite). Concurrent
appends are in tests/integration/test_audit_log.py (moto's in-process mock is not thread-safe)."""

from __future__ import annotations

import pytest

from kluis.audit import GENESIS, Action, Entry, Outcome, digest, seal, verify
from kluis.flows.audit_export import AuditExport

CUSTOMER = "10234"


def entry(n: int, customer: str = CUSTOMER) -> Entry:
    return Entry(customer=customer, actor=f"user-{n}", action=Action.BACKUP_REQUESTED, administration="00017")


def test_a_sealed_chain_verifies_and_each_kind_of_tampering_is_named():
    records, previous = [], GENESIS
    for n in range(1, 6):
        record = seal(entry(n), n, f"2026-11-26T10:0{n}:00Z", previous)
        records.append(record)
        previous = record.hash
    assert verify(records) == []
    changed = [*records[:2], records[2].model_copy(update={"outcome": Outcome.REFUSED}), *records[3:]]
    assert verify(changed) == ["record 3 was changed after it was written"]
    assert verify(records[:2] + records[3:]) == [
        "record 3 is missing (found 4 instead)",
        "record 4 does not follow the record before it",
    ]
    resealed = records[2].model_copy(update={"actor": "mallory"})
    resealed = resealed.model_copy(update={"hash": digest(resealed.model_dump(mode="json"))})
    assert verify([*records[:2], resealed, *records[3:]]) == ["record 4 does not follow the record before it"]


@pytest.fixture
def export(w):
    w.s3.create_bucket(
        Bucket="audit",
        CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
        ObjectLockEnabledForBucket=True,
    )
    return AuditExport(w.audit, w.s3, "audit")


def test_a_chain_rewritten_from_some_record_on_is_found_by_the_export(w, export):
    for n in range(5):
        w.audit.append(entry(n, "20002"))
    assert export.run() == {"20002": 5}
    assert export.run() == {}, "only new records are exported"
    assert export.check("20002") == []
    # Rewrite record 4 and everything after it so the chain itself is whole again.
    records = list(w.audit.records("20002"))
    forged = seal(entry(99, "20002"), 4, records[3].at, records[2].hash)
    tail = seal(entry(5, "20002"), 5, records[4].at, forged.hash)
    table = w.audit.table
    for record in (forged, tail):
        item = record.model_dump(mode="json", exclude_none=True)
        table.put_item(Item=item | {"pk": "20002", "sk": f"audit#{record.seq:012d}"})
    rewritten = list(w.audit.records("20002"))
    assert verify(rewritten) == []
    assert export.check("20002") == [
        "record 4 differs from its exported copy",
        "record 5 differs from its exported copy",
    ]


def test_every_action_has_an_outcome_and_a_customer_reads_only_their_own(deployment):
    deployment.audit.append(entry(1, "20003"))
    deployment.audit.append(entry(2, "20004"))
    assert [r.customer for r in deployment.audit.records("20003")] == ["20003"]
    assert next(iter(deployment.audit.records("20003"))).view()["outcome"] == "done"
