"""The audit log's export: each customer's new records, as JSON Lines, into a bucket under Object Lock.

Run on a schedule. The export is the copy nobody can rewrite: a verification compares the log in the
jobs table with it, so even a chain rewritten from some record on (every hash recomputed) is found.
"""

from __future__ import annotations

import json
from typing import Any

from kluis.audit import Record, verify
from kluis.storage.audit import AuditLog, export_lines

EXPORT_PREFIX = "audit/"


class AuditExport:
    def __init__(self, log: AuditLog, s3: Any, bucket: str) -> None:
        self.log = log
        self.s3 = s3
        self.bucket = bucket

    def run(self) -> dict[str, int]:
        """Export every customer's records not exported yet; returns how many per customer."""
        exported: dict[str, int] = {}
        for customer in self.log.customers():
            since = self.log.exported(customer)
            records = list(self.log.records(customer, after=since))
            if not records:
                continue
            key = f"{EXPORT_PREFIX}{customer}/{records[0].seq:012d}-{records[-1].seq:012d}.jsonl"
            self.s3.put_object(
                Bucket=self.bucket, Key=key, Body=export_lines(records), ContentType="application/x-ndjson"
            )
            self.log.mark_exported(customer, records[-1].seq)
            exported[customer] = len(records)
        return exported

    def exported_records(self, customer: str) -> list[Record]:
        """The customer's records as exported (the copy under Object Lock), in sequence order."""
        records: list[Record] = []
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{EXPORT_PREFIX}{customer}/"):
            for item in sorted(page.get("Contents", []), key=lambda found: found["Key"]):
                body = self.s3.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
                records += [Record.model_validate(json.loads(line)) for line in body.splitlines() if line]
        return records

    def check(self, customer: str) -> list[str]:
        """Problems with the customer's log: a broken chain, or records that differ from the export."""
        live = list(self.log.records(customer))
        problems = verify(live)
        by_seq = {record.seq: record for record in live}
        for exported in self.exported_records(customer):
            if by_seq.get(exported.seq) != exported:
                problems.append(f"record {exported.seq} differs from its exported copy")
        return problems
