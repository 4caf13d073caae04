"""Drives the local stack the way a browser or an operator would: HTTP calls with a JWT."""

from __future__ import annotations

import io
import time
import zipfile
from dataclasses import dataclass
from typing import Any

import requests

from infra.local.gateway import Gateway
from infra.local.stack import LocalStack
from kluis.scope import Scope
from kluis.seed import SeedSpec, seed
from kluis.store import DataStore

CUSTOMER = "10234"
OTHER_CUSTOMER = "20567"
SMALL = {"entries_per_year": 120, "documents_per_year": 4, "document_bytes": 40 * 1024, "proposals": 2}


@dataclass
class Harness:
    stack: LocalStack
    gateway: Gateway

    @classmethod
    def start(cls) -> Harness:
        stack = LocalStack().start()
        gateway = Gateway(stack).start()
        harness = cls(stack, gateway)
        seed(
            harness.store,
            SeedSpec(customer=CUSTOMER, administrations=(("00017", ("2024", "2025")),), **SMALL),
        )
        seed(
            harness.store, SeedSpec(customer=OTHER_CUSTOMER, administrations=(("00017", ("2025",)),), **SMALL)
        )
        return harness

    def stop(self) -> None:
        self.gateway.stop()
        self.stack.stop()

    @property
    def store(self) -> DataStore:
        return DataStore(self.stack.client("s3"), self.stack.name_of("DataBucket"))

    def token(self, customer: str = CUSTOMER) -> str:
        return self.gateway.issuer.issue(customer)

    def call(
        self, method: str, path: str, customer: str | None = CUSTOMER, **kwargs: Any
    ) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if customer:
            headers["Authorization"] = f"Bearer {self.token(customer)}"
        return requests.request(
            method, f"{self.gateway.url}/api{path}", headers=headers, timeout=30, **kwargs
        )

    def wait_for(self, job_id: str, customer: str = CUSTOMER, timeout: float = 60) -> dict[str, Any]:
        """Poll the job until it reaches a final state, as the web client does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.call("GET", f"/jobs/{job_id}", customer).json()
            if job.get("final"):
                return job
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} did not finish: {job}")

    def backup(
        self,
        administration: str = "00017",
        year: str = "2025",
        documents: bool = True,
        customer: str = CUSTOMER,
    ) -> dict[str, Any]:
        response = self.call(
            "POST",
            f"/administrations/{administration}/years/{year}/backups",
            customer,
            json={"includeDocuments": documents},
        )
        assert response.status_code == 202, response.text
        return self.wait_for(response.json()["jobId"], customer)

    def download(self, job: dict[str, Any]) -> requests.Response:
        response = requests.get(job["downloadUrl"], timeout=60)
        assert response.status_code == 200, response.text
        return response

    def start_restore(
        self, data: bytes, filename: str = "backup.zip", customer: str = CUSTOMER
    ) -> dict[str, Any]:
        """Create a restore and upload the file with its presigned POST, as the browser does."""
        created = self.call("POST", "/restores", customer, json={})
        assert created.status_code == 201, created.text
        upload = created.json()["upload"]
        response = requests.post(
            upload["url"],
            data=upload["fields"],
            files={"file": (filename, data, "application/zip")},
            timeout=60,
        )
        assert response.status_code in (200, 201, 204), response.text
        return created.json()

    def wait_until(
        self, job_id: str, statuses: set[str], customer: str = CUSTOMER, timeout: float = 60
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.call("GET", f"/jobs/{job_id}", customer).json()
            if job.get("status") in statuses or job.get("final"):
                return job
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} did not reach {statuses}: {job}")

    def snapshot(self, scope: Scope) -> tuple[str | None, dict[str, bytes], set[str]]:
        """Everything a restore might change: HEAD, the live bytes, and which generations exist."""
        head = self.store.head(scope)
        live = {}
        if head:
            for obj in self.store.generation_objects(scope, head.generation):
                live[obj.name] = self.store.open(obj.key).read()
        return (head.generation if head else None, live, self.generations(scope))

    def generations(self, scope: Scope) -> set[str]:
        """Generations with at least one current object (moto lists prefixes of deleted keys too)."""
        s3 = self.stack.client("s3")
        found = set()
        for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.stack.name_of("DataBucket"), Prefix=f"{scope.prefix}gen/"
        ):
            found.update(
                item["Key"][len(scope.prefix) + 4 :].split("/", 1)[0] for item in page.get("Contents", [])
            )
        return found

    def upload_exists(self, job_id: str, customer: str = CUSTOMER) -> bool:
        s3 = self.stack.client("s3")
        listing = s3.list_objects_v2(
            Bucket=self.stack.name_of("UploadsBucket"), Prefix=f"uploads/{customer}/{job_id}"
        )
        return listing.get("KeyCount", 0) > 0

    def execution(self, job_id: str, machine: str = "BackupStateMachine") -> dict[str, Any]:
        arn = self.stack.name_of(machine).replace(":stateMachine:", ":execution:") + f":{job_id}"
        return self.stack.client("stepfunctions").describe_execution(executionArn=arn)


def open_zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))
