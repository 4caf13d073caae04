"""Drives the local stack the way a browser or an operator would: HTTP calls with a JWT."""

from __future__ import annotations

import io
import json
import time
import zipfile
from dataclasses import dataclass, field
from typing import Any

import requests

from infra.local.gateway import Gateway
from infra.local.stack import LocalStack
from kluis.scope import Scope
from kluis.storage.data import DataStore, new_generation_id
from kluis_tools.seed import SeedSpec, seed

CUSTOMER = "10234"
OTHER_CUSTOMER = "20567"
SMALL = {"entries_per_year": 120, "documents_per_year": 4, "document_bytes": 40 * 1024, "proposals": 2}
# The hourly limits on starting work (template parameters). The suites back up, restore and ask for
# auditfiles far more often in an hour than people do: they set these high, and the limits' own tests
# set them low for the time they run.
HOURLY_LIMITS = (
    "BACKUPS_PER_HOUR_PER_CUSTOMER",
    "BACKUPS_PER_HOUR_PER_ADMINISTRATION",
    "RESTORES_PER_HOUR_PER_CUSTOMER",
    "RESTORES_PER_HOUR_PER_ADMINISTRATION",
    "AUDITFILES_PER_HOUR_PER_CUSTOMER",
)


@dataclass
class Harness:
    stack: LocalStack
    gateway: Gateway
    # Whose each polled job is (the job's view does not name its customer), for `download`.
    owners: dict[str, str] = field(default_factory=dict)

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

    def token(self, customer: str = CUSTOMER, role: str | None = None) -> str:
        return self.gateway.issuer.issue(customer, role=role)

    def call(
        self,
        method: str,
        path: str,
        customer: str | None = CUSTOMER,
        *,
        role: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if customer:
            headers["Authorization"] = f"Bearer {self.token(customer, role)}"
        return requests.request(
            method, f"{self.gateway.url}/api{path}", headers=headers, timeout=30, **kwargs
        )

    def wait_for(self, job_id: str, customer: str = CUSTOMER, timeout: float = 60) -> dict[str, Any]:
        """Poll the job until it reaches a final state, as the web client does."""
        self.owners[job_id] = customer
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
        timeout: float = 60,
    ) -> dict[str, Any]:
        response = self.call(
            "POST",
            f"/administrations/{administration}/years/{year}/backups",
            customer,
            json={"includeDocuments": documents},
        )
        assert response.status_code == 202, response.text
        return self.wait_for(response.json()["jobId"], customer, timeout=timeout)

    def download_link(self, job: dict[str, Any], customer: str | None = None) -> dict[str, Any]:
        """A fresh link to a ready backup, asked for as the page does when the user downloads. The
        customer defaults to the one `wait_for` polled the job as."""
        job_id = job["jobId"]
        response = self.call("GET", f"/jobs/{job_id}/download", customer or self.owners.get(job_id, CUSTOMER))
        assert response.status_code == 200, response.text
        link: dict[str, Any] = response.json()
        return link

    def download(self, job: dict[str, Any], customer: str | None = None) -> requests.Response:
        response = requests.get(self.download_link(job, customer)["downloadUrl"], timeout=60)
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
        self.owners[job_id] = customer
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

    def execution(
        self, job_id: str, machine: str = "BackupStateMachine", timeout: float = 30
    ) -> dict[str, Any]:
        """The job's execution once it has ended (or `timeout` passed): a job turns final in the
        table in its execution's last step, before the execution has left that step."""
        sfn = self.stack.client("stepfunctions")
        deadline = time.monotonic() + timeout
        execution = sfn.describe_execution(executionArn=self._execution_arn(job_id, machine))
        while execution["status"] == "RUNNING" and time.monotonic() < deadline:
            time.sleep(0.1)
            execution = sfn.describe_execution(executionArn=execution["executionArn"])
        return execution

    def entered(self, job_id: str, state: str, machine: str = "BackupStateMachine") -> int:
        """How many times the job's execution entered `state` (each entry of a Task is one Lambda
        invocation)."""
        history = self.stack.client("stepfunctions").get_execution_history(
            executionArn=self._execution_arn(job_id, machine), maxResults=1000
        )
        return sum(1 for e in history["events"] if e.get("stateEnteredEventDetails", {}).get("name") == state)

    def executions(self, job_id: str, machine: str = "RestoreStateMachine") -> int:
        """How many executions `machine` has started for the job (over every page of the list)."""
        pages = (
            self.stack.client("stepfunctions")
            .get_paginator("list_executions")
            .paginate(stateMachineArn=self.stack.name_of(machine))
        )
        return sum(1 for page in pages for run in page["executions"] if run["name"] == job_id)

    def _execution_arn(self, job_id: str, machine: str) -> str:
        return self.stack.name_of(machine).replace(":stateMachine:", ":execution:") + f":{job_id}"


def open_zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def archive_members(data: bytes) -> dict[str, bytes]:
    """A backup's records and documents by name: what a restore stages (without manifest.json,
    manifest.sig and auditfile.xaf, which is verified but never staged)."""
    archive = open_zip(data)
    return {n: archive.read(n) for n in archive.namelist() if n.startswith(("records/", "documents/"))}


def change_live_data(store: DataStore, scope: Scope, marker: str = "Changed after the backup") -> None:
    """A new live generation whose ledger has one more account, named `marker`: what a restore must undo."""
    head = store.head(scope)
    generation = new_generation_id()
    for obj in store.generation_objects(scope, head.generation):
        content = store.open(obj.key).read()
        if obj.name == "records/ledger_accounts.jsonl":
            content += json.dumps({"code": "9999", "name": marker}).encode() + b"\n"
        store.put(scope, generation, obj.name, content)
    store.flip_head(scope, generation, expected=head)


# -- fault injection (tests/integration/test_faults.py, test_concurrency.py) ------------------------
# Faults are injected at the AWS SDK boundary of one deployed function: botocore event hooks on the
# clients of that handler module's `resources`, so none of our code is mocked. In-process only: a
# function run isolated (KLUIS_LOCAL_ISOLATE) has its clients in a child process.


def handler_resources(harness: Harness, logical_id: str) -> Any:
    """The `resources` object of a loaded handler module (its boto3 session and clients)."""
    import inspect

    function = harness.stack.runtime.by_logical_id(logical_id)._load()
    resources = inspect.unwrap(function).__globals__.get("resources")
    assert resources is not None, f"{logical_id}'s handler module has no `resources`"
    return resources


def handler_emitters(harness: Harness, logical_id: str) -> list[Any]:
    """The event emitters of every client the handler's `resources` uses (created now if need be).

    A client copies its session's emitter when it is created, so hooks go on the clients themselves.
    """
    resources = handler_resources(harness, logical_id)
    return [
        resources.s3.meta.events,
        resources.head_s3.meta.events,
        resources.dynamodb.meta.client.meta.events,
        resources.kms.meta.events,
        resources.stepfunctions.meta.events,
    ]


class CallFault:
    """Counts the AWS calls of chosen functions and fails the k-th matching one (once).

    `when="before"`: the call is never sent (a lost request); `when="after"`: the call took effect and
    its answer is lost (the caller sees the error although the write happened).
    """

    def __init__(
        self,
        harness: Harness,
        logical_ids: tuple[str, ...],
        *,
        fail_at: int | None = None,
        error: Exception | None = None,
        when: str = "before",
        match: Any = None,
    ) -> None:
        import threading

        self.harness = harness
        self.logical_ids = logical_ids
        self.fail_at = fail_at
        self.error = error
        self.when = when
        self.match = match or (lambda function, operation: True)
        self.calls: list[tuple[str, str]] = []
        self.fired: tuple[str, str] | None = None
        self._lock = threading.Lock()
        self._local = threading.local()
        self._registered: list[tuple[Any, str, Any]] = []

    def _hook(self, function: str, phase: str) -> Any:
        def hook(event_name: str, **_: Any) -> None:
            operation = event_name.split(".", 1)[1]  # e.g. "s3.PutObject"
            if not self.match(function, operation):
                return
            with self._lock:
                if phase == "before":
                    self.calls.append((function, operation))
                    self._local.index = len(self.calls)  # the after-call runs in the same thread
                index = getattr(self._local, "index", None)
                fire = (
                    self.fail_at is not None
                    and self.fired is None
                    and phase == self.when
                    and index == self.fail_at
                )
                if fire:
                    self.fired = (function, operation)
            if fire:
                raise self.error

        return hook

    def __enter__(self) -> CallFault:
        for logical_id in self.logical_ids:
            for emitter in handler_emitters(self.harness, logical_id):
                for phase, event in (("before", "before-call"), ("after", "after-call")):
                    hook = self._hook(logical_id, phase)
                    emitter.register(event, hook)
                    self._registered.append((emitter, event, hook))
        return self

    def __exit__(self, *exc: Any) -> None:
        for emitter, event, hook in self._registered:
            emitter.unregister(event, hook)
        self._registered.clear()


def transient_error(operation: str = "PutObject") -> Exception:
    from botocore.exceptions import EndpointConnectionError

    return EndpointConnectionError(endpoint_url=f"https://injected.fault/{operation}")


def fatal_error(operation: str = "PutObject") -> Exception:
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": "AccessDenied", "Message": "injected fault"}}, operation)


def seed_scope(harness: Harness, scope: Scope, *, documents: int = 0) -> None:
    """Live data for one administration/year of its own, so a test module's runs touch nothing else."""
    spec = {**SMALL, "documents_per_year": documents, "entries_per_year": 40}
    seed(
        harness.store,
        SeedSpec(customer=scope.customer, administrations=((scope.administration, (scope.year,)),), **spec),
    )


def job_id_of(harness: Harness, customer: str, job_id: str) -> dict[str, Any]:
    """The job as the API shows its owner."""
    return harness.call("GET", f"/jobs/{job_id}", customer).json()


def confirm_code(harness: Harness, job: dict[str, Any], customer: str = CUSTOMER) -> requests.Response:
    return harness.call(
        "POST",
        f"/restores/{job['jobId']}/confirm",
        customer,
        json={"code": job["details"]["verificationCode"]},
    )


def archive_state(harness: Harness, customer: str, job_id: str) -> tuple[bool, list[str]]:
    """(the archive object exists, the multipart uploads still open) for a backup job."""
    s3 = harness.stack.client("s3")
    bucket = harness.stack.name_of("ArchivesBucket")
    key = f"archives/{customer}/{job_id}.zip"
    exists = s3.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount", 0) > 0
    uploads = s3.list_multipart_uploads(Bucket=bucket, Prefix=key).get("Uploads", [])
    return exists, [upload["UploadId"] for upload in uploads]


def wait_for_execution(harness: Harness, job_id: str, machine: str, timeout: float = 30) -> str:
    """The execution's final status: a job can look final before its step (and retries) returned."""
    deadline = time.monotonic() + timeout
    status = "RUNNING"
    while time.monotonic() < deadline:
        try:
            status = harness.execution(job_id, machine)["status"]
        except Exception:  # not started (yet, or ever: e.g. a cancelled restore)
            status = "NONE"
        if status != "RUNNING":
            break
        time.sleep(0.1)
    # ...and the invocations it made have returned (the runtime records each one).
    while time.monotonic() < deadline and not all(call.done for call in harness.stack.runtime.calls):
        time.sleep(0.05)
    return status


def logboek(
    harness: Harness, customer: str, expected: set[tuple[str, str]], query: str = "", timeout: float = 60
) -> list[dict[str, Any]]:
    """The customer's Logboek records once every expected (job id, action) pair is in it.

    A job's outcome record is written just after its status (kluis.storage.jobs.JobStore.move), so a
    job polled as ready or restored may be a moment ahead of its record (longer while a throttled
    write backs off): read the Logboek once the record is there, as a user who looks again would.
    """
    deadline = time.monotonic() + timeout
    while True:
        records: list[dict[str, Any]] = harness.call("GET", f"/audit-log{query}", customer).json()["records"]
        if expected <= {(r.get("jobId"), r["action"]) for r in records} or time.monotonic() > deadline:
            return records
        time.sleep(0.2)
