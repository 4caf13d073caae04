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

    def execution(self, job_id: str, machine: str = "BackupStateMachine") -> dict[str, Any]:
        arn = self.stack.name_of(machine).replace(":stateMachine:", ":execution:") + f":{job_id}"
        return self.stack.client("stepfunctions").describe_execution(executionArn=arn)


def open_zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))
