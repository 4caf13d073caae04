"""The benchmark: backups of seeded data sets of increasing size, through the HTTP API and the real
state machine on the local stack, each against a floor (a plain streamed copy of the same objects
through the same moto), and restores of the archives up to --restore-max-mb.

Columns and how to read them: docs/performance.md. Figures against moto are for ratios and for
memory; moto itself moves ~80-110 MB/s on these machines (docs/performance.md).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from botocore.config import Config

from infra.local.invoke import peak_rss_bytes
from infra.local.lambdas import Invocation, LocalFunction
from infra.local.s3_latency import LATENCY_ENV
from infra.local.stack import ACCOUNT
from infra.local.template import ROOT, load
from kluis.archive.names import AUDITFILES
from kluis.flows.auditfiles import auditfile_key
from kluis.flows.backup.start import archive_key
from kluis.flows.restore.uploads import PARTS_PER_REQUEST
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import BackupJob
from kluis.scope import Scope
from kluis.storage.data import DataStore
from kluis_tools.seed import KIB, MIB, SeedSpec, seed
from kluis_tools.seed.books import build_scope
from tests.bench import moto_ranges

CUSTOMER = "90001"
YEAR = "2025"
BUILD = "BuildBackupFunction"
MAKE_AUDITFILE = "MakeAuditfileFunction"
VALIDATE = "ValidateRestoreFunction"
FLOOR = "BenchFloor"
RESTORE_FLOOR = "BenchRestoreFloor"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MB = 1e6


@dataclass(frozen=True)
class Size:
    label: str
    administration: str
    entries: int
    documents: int
    document_bytes: int
    note: str
    # Documents written straight into moto's store (copies of one seeded invoice, each with its own
    # id) instead of rendered and PUT one by one: 250,000 fpdf2 renders and PUTs would take an hour.
    bulk_documents: bool = False


SIZES: dict[str, Size] = {
    s.label: s
    for s in (
        Size("100M", "00101", 3000, 50, 2 * MIB, "50 documents of ~2 MiB"),
        Size("1G", "00102", 3000, 500, 2 * MIB, "500 documents of ~2 MiB"),
        Size("4G", "00104", 3000, 2200, 2 * MIB, "2,200 documents of ~2 MiB: an archive above 4 GiB"),
        Size("10k", "00110", 10_000, 10_000, 4 * KIB, "10,000 documents of ~4 KiB"),
        Size(
            "65k",
            "00165",
            66_000,
            66_000,
            4 * KIB,
            "66,000 documents of ~4 KiB (bulk-seeded): above 65,535 entries",
            bulk_documents=True,
        ),
        Size(
            "250k",
            "00250",
            3000,
            250_000,
            4 * KIB,
            "250,000 documents of ~4 KiB (bulk-seeded copies of one invoice)",
            bulk_documents=True,
        ),
    )
}


@dataclass
class Row:
    size: str
    note: str
    latency_ms: float = 0.0  # the S3 latency model: a fixed wait before every S3 request of the steps
    entries: int = 0  # ZIP entries: records + documents + manifest + signature
    data_bytes: int = 0  # the generation's objects, summed
    archive_bytes: int = 0
    seed_seconds: float = 0.0
    backup_seconds: float = 0.0  # POST -> job ready, as the user waits
    build_seconds: float = 0.0  # the build step invocations, summed
    build_steps: int = 0
    build_peak_rss: int | None = None
    build_requests: dict[str, int] = field(default_factory=dict)
    floor_seconds: float = 0.0
    floor_peak_rss: int | None = None
    restore_floor_seconds: float = 0.0
    restore_floor_peak_rss: int | None = None
    zipfile_ok: bool | None = None
    unzip_ok: bool | None = None
    zip64: bool | None = None
    auditfile_ok: bool | None = None  # XAF 4.0 and 3.2 valid per their XSDs, one transaction per entry
    # XAF 4.0 made on request from the archive (as for one made before December 2026): the make step
    # (verify the records against the signed manifest, survey, stream the file) summed, and its peak
    xaf_seconds: float = 0.0
    xaf_peak_rss: int | None = None
    xaf_bytes: int = 0
    verify_seconds: float = 0.0
    restore: dict[str, Any] | None = None
    host_peak_rss: int | None = None  # this process: moto, gateway and bench, high-water so far
    errors: list[str] = field(default_factory=list)

    @property
    def build_mbps(self) -> float:
        return self.data_bytes / self.build_seconds / MB if self.build_seconds else 0.0

    @property
    def floor_mbps(self) -> float:
        return self.data_bytes / self.floor_seconds / MB if self.floor_seconds else 0.0

    @property
    def ratio(self) -> float:
        """Build throughput / floor throughput: 1.0 is as fast as a well-parallelised plain copy."""
        return self.floor_seconds / self.build_seconds if self.build_seconds else 0.0

    @property
    def stage_seconds(self) -> float:
        """The Validate step invocations, summed: validation + staging (the upload is not ours)."""
        return float(self.restore["stage_seconds"]) if self.restore else 0.0

    @property
    def stage_mbps(self) -> float:
        return self.archive_bytes / self.stage_seconds / MB if self.stage_seconds else 0.0

    @property
    def restore_floor_mbps(self) -> float:
        return self.archive_bytes / self.restore_floor_seconds / MB if self.restore_floor_seconds else 0.0

    @property
    def restore_ratio(self) -> float:
        """Validation + staging throughput / restore floor throughput."""
        if not (self.stage_seconds and self.restore_floor_seconds):
            return 0.0
        return self.restore_floor_seconds / self.stage_seconds


# -- the stack ------------------------------------------------------------------------------------
def isolated_functions(template: dict[str, Any]) -> list[str]:
    """Every function but the API: the steps, whose memory and time the bench reports."""
    return [
        logical_id
        for logical_id, spec in template["Resources"].items()
        if spec["Type"] == "AWS::Serverless::Function" and logical_id != "ApiFunction"
    ]


class Bench:
    def __init__(self, work: Path, verify: bool, restore_max_bytes: int) -> None:
        from infra.local.gateway import Gateway
        from infra.local.stack import LocalStack

        template = load()
        os.environ.setdefault("KLUIS_LOCAL_ISOLATE", ",".join(isolated_functions(template)))
        self.restores = True
        self.stack = LocalStack().start()
        self.gateway = Gateway(self.stack).start()
        self.runtime = self.stack.runtime
        self.runtime.isolate.update((FLOOR, RESTORE_FLOOR))
        # One auditfile on request per row: more rows than the hourly default may run in an hour.
        self.stack.configure(AUDITFILES_PER_HOUR_PER_CUSTOMER="1000")
        moto_ranges.install()
        self.work = work
        self.on_row: Callable[[Row], None] = lambda row: None
        self.floors = True
        self.verify = verify
        self.restore_max_bytes = restore_max_bytes
        config = Config(max_pool_connections=16, retries={"mode": "standard"})
        self.s3 = _s3(self.stack.endpoint, config)
        self.data_bucket = self.stack.name_of("DataBucket")
        self.archives_bucket = self.stack.name_of("ArchivesBucket")
        self.store = DataStore(self.s3, self.data_bucket)
        self.floor, self.restore_floor = (
            LocalFunction(
                logical_id=logical_id,
                name=f"kluis-bench-{name}",
                arn=f"arn:aws:lambda:eu-west-1:123456789012:function:kluis-bench-{name}",
                code_dir=FIXTURES / directory,
                handler="app.handler",
                memory=1024,
                timeout=3600,
            )
            for logical_id, name, directory in (
                (FLOOR, "floor", "fn_floor"),
                (RESTORE_FLOOR, "restore-floor", "fn_restore_floor"),
            )
        )

    def stop(self) -> None:
        self.gateway.stop()
        self.stack.stop()

    # -- HTTP, as the web client ------------------------------------------------------------------
    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.gateway.issuer.issue(CUSTOMER)}"}
        return requests.request(
            method, f"{self.gateway.url}/api{path}", headers=headers, timeout=600, **kwargs
        )

    def wait_for(self, job_id: str, until: set[str] | None = None, timeout: float = 3600) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.call("GET", f"/jobs/{job_id}").json()
            if job.get("final") or (until and job.get("status") in until):
                return job
            time.sleep(0.25)
        raise TimeoutError(f"job {job_id} did not finish in {timeout:.0f} s")

    def steps_since(self, since: float, logical_id: str | None = None) -> list[Invocation]:
        """The step invocations begun since `since`, once they have returned: a job turns final
        in the table before the step that made it so has returned and been measured."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            steps = self._steps(since, logical_id)
            if all(step.done for step in steps):
                return steps
            time.sleep(0.05)
        raise TimeoutError("a step invocation did not return")

    def _steps(self, since: float, logical_id: str | None) -> list[Invocation]:
        return [
            call
            for call in list(self.runtime.calls)
            if call.start >= since
            and call.logical_id not in ("ApiFunction", FLOOR, RESTORE_FLOOR)
            and (logical_id is None or call.logical_id == logical_id)
        ]

    # -- one data set ---------------------------------------------------------------------------------
    def run(self, size: Size, latencies: list[float]) -> list[Row]:
        """Seed `size` once; back it up, copy it (floors) and restore it at each S3 latency."""
        scope = Scope(CUSTOMER, size.administration, YEAR)
        say(f"[{size.label}] seeding {size.note}")
        seed_seconds = self._seed(size, scope)
        head = self.store.head(scope)
        assert head
        generation = head.generation
        objects = list(self.store.generation_objects(scope, generation))
        data_bytes = sum(obj.size for obj in objects)
        say(
            f"[{size.label}] seeded {len(objects):,} objects, {data_bytes / MB:,.0f} MB "
            f"in {seed_seconds:.0f} s"
        )
        rows: list[Row] = []
        try:
            for index, latency in enumerate(latencies):
                row = Row(size.label, size.note, latency_ms=latency, seed_seconds=seed_seconds)
                # the members, the two auditfiles, manifest.json and manifest.sig
                row.data_bytes, row.entries = data_bytes, len(objects) + 4
                os.environ[LATENCY_ENV] = f"{latency:g}"  # the function children inherit it
                generation = self._one(size, scope, generation, row, verify=self.verify and index == 0)
                row.host_peak_rss = peak_rss_bytes()
                rows.append(row)
                self.on_row(row)
        finally:
            os.environ.pop(LATENCY_ENV, None)
            self.store.delete_generation(scope, generation)  # moto keeps objects in memory
        return rows

    def _seed(self, size: Size, scope: Scope) -> float:
        started = time.perf_counter()
        spec = SeedSpec(
            customer=CUSTOMER,
            administrations=((size.administration, (YEAR,)),),
            entries_per_year=size.entries,
            documents_per_year=0 if size.bulk_documents else size.documents,
            document_bytes=size.document_bytes,
            proposals=0,
        )
        seed(self.store, spec, workers=8)
        if size.bulk_documents:
            self._bulk_documents(size, scope)
        return time.perf_counter() - started

    def _bulk_documents(self, size: Size, scope: Scope) -> None:
        """`size.documents` documents of about `size.document_bytes`, written straight into moto's
        store (this process is moto): one rendered invoice, each copy carrying its own id."""
        from moto.s3.models import s3_backends

        head = self.store.head(scope)
        assert head
        one = SeedSpec(
            customer=CUSTOMER,
            administrations=((size.administration, (YEAR,)),),
            entries_per_year=10,
            documents_per_year=1,
            document_bytes=size.document_bytes,
            proposals=0,
        )
        plan = build_scope(one, one.scopes()[0][1], YEAR).documents[0]
        invoice = plan.render()
        backend = s3_backends[ACCOUNT]["aws"]
        prefix = self.store.generation_prefix(scope, head.generation)
        for number in range(size.documents):
            document_id = f"bulk-{number:07d}"
            body = invoice.replace(b"%%EOF", f"% {document_id}\n%%EOF".encode(), 1)
            backend.put_object(self.data_bucket, f"{prefix}documents/{document_id}.pdf", body)

    def _one(self, size: Size, scope: Scope, generation: str, row: Row, *, verify: bool) -> str:
        """Backup, floors and restore of `generation` at one latency; returns the generation now live."""
        tag = f"[{size.label} @ {row.latency_ms:g} ms]"
        try:
            job = self._backup(tag, size, row)
            self._auditfile(tag, job, row)
            archive = archive_key(
                BackupJob(job_id=job["jobId"], customer=CUSTOMER, status=Status.READY,
                          administration=size.administration, year=YEAR)
            )  # fmt: skip
            restore = self.restores and row.archive_bytes <= self.restore_max_bytes
            if self.restores and not restore:
                say(f"{tag} restore skipped: above --restore-max-mb")
            if verify or restore:
                with self._download(job) as path:
                    if verify:
                        self._verify(tag, path, row)
                    if restore:
                        if self.floors:
                            self._restore_floor(tag, path, archive, row)
                        else:  # nothing reads it any more; moto holds every object in memory
                            self.s3.delete_object(Bucket=self.archives_bucket, Key=archive)
                        say(f"{tag} restore: upload, validate, confirm, apply")
                        row.restore = self._restore(path)
                        say(
                            f"{tag} restore: validate+stage {row.stage_seconds:.1f} s "
                            f"({row.stage_mbps:.0f} MB/s, {row.restore_ratio:.2f} of the floor), "
                            f"confirm->restored {row.restore['apply_seconds']:.2f} s, "
                            f"{row.restore['apply_s3_requests']} S3 requests"
                        )
            self.s3.delete_object(Bucket=self.archives_bucket, Key=archive)
            # After the archive is gone: moto joins a multipart upload in memory on completion.
            if self.floors:
                self._floor(tag, scope, generation, row)
        except Exception as error:  # one failed row must not lose the others
            row.errors.append(f"{type(error).__name__}: {error}")
            say(f"{tag} FAILED: {error}")
        head = self.store.head(scope)
        if head and head.generation != generation:  # restored: the old generation is not needed
            self.store.delete_generation(scope, generation)
            return head.generation
        return generation

    def _backup(self, tag: str, size: Size, row: Row) -> dict[str, Any]:
        say(f"{tag} backup through POST /administrations/{size.administration}/years/{YEAR}/backups")
        since = time.time()
        started = time.perf_counter()
        response = self.call(
            "POST",
            f"/administrations/{size.administration}/years/{YEAR}/backups",
            json={"includeDocuments": True},
        )
        response.raise_for_status()
        job = self.wait_for(response.json()["jobId"])
        row.backup_seconds = time.perf_counter() - started
        steps = self.steps_since(since, BUILD)
        row.build_steps = len(steps)
        row.build_seconds = sum(step.seconds for step in steps)
        row.build_peak_rss = max((step.peak_rss_bytes or 0 for step in steps), default=0) or None
        row.build_requests = _requests(steps)
        if job["status"] != "ready":
            raise RuntimeError(f"backup ended {job['status']}: {job.get('reason')}")
        row.archive_bytes = int(job["archiveSize"])
        say(
            f"{tag} backup ready: {row.archive_bytes / MB:,.0f} MB, build {row.build_seconds:.1f} s "
            f"({row.build_mbps:.0f} MB/s), peak {mib(row.build_peak_rss)} MiB"
        )
        return job

    def _auditfile(self, tag: str, backup: dict[str, Any], row: Row) -> None:
        """XAF 4.0 made on request from the backup's archive, through POST /jobs/{id}/auditfile."""
        say(f"{tag} XAF 4.0 on request through POST /jobs/{{id}}/auditfile")
        since = time.time()
        response = self.call("POST", f"/jobs/{backup['jobId']}/auditfile")
        response.raise_for_status()
        job = self.wait_for(response.json()["jobId"])
        if job["status"] != "ready":
            raise RuntimeError(f"auditfile ended {job['status']}: {job.get('reason')}")
        steps = self.steps_since(since, MAKE_AUDITFILE)
        row.xaf_seconds = sum(step.seconds for step in steps)
        row.xaf_peak_rss = max((step.peak_rss_bytes or 0 for step in steps), default=0) or None
        row.xaf_bytes = int(job["details"]["size"])
        say(
            f"{tag} XAF 4.0: {row.xaf_bytes / MB:,.1f} MB in {row.xaf_seconds:.1f} s, "
            f"peak {mib(row.xaf_peak_rss)} MiB"
        )
        # moto holds every object in memory
        self.s3.delete_object(Bucket=self.archives_bucket, Key=auditfile_key(CUSTOMER, job["jobId"]))

    def _invoke_floor(
        self, function: LocalFunction, event: dict[str, Any]
    ) -> tuple[dict[str, Any], Invocation]:
        self.runtime.register(function)
        headers: dict[str, str] = {}
        payload = json.loads(self.runtime.invoke(function, event, headers))
        call = next(c for c in reversed(self.runtime.calls) if c.logical_id == function.logical_id)
        if headers:
            raise RuntimeError(f"{function.logical_id} failed: {payload}")
        return payload, call

    def _floor(self, tag: str, scope: Scope, generation: str, row: Row) -> None:
        key = f"bench/floor-{scope.administration}.bin"
        event = {
            "source_bucket": self.data_bucket,
            "prefix": self.store.generation_prefix(scope, generation),
            "target_bucket": self.archives_bucket,
            "target_key": key,
            "part_size": int(os.environ["S3_UPLOAD_PART_SIZE"]),
        }
        try:
            payload, call = self._invoke_floor(self.floor, event)
        finally:
            self.s3.delete_object(Bucket=self.archives_bucket, Key=key)
        row.floor_seconds = call.seconds
        row.floor_peak_rss = call.peak_rss_bytes
        say(
            f"{tag} backup floor {payload['bytes'] / MB:,.0f} MB in {row.floor_seconds:.1f} s "
            f"({row.floor_mbps:.0f} MB/s): build/floor {row.ratio:.2f}"
        )

    def _restore_floor(self, tag: str, path: Path, archive: str, row: Row) -> None:
        members_file = self.work / f"{path.stem}.members.json"
        members_file.write_text(json.dumps(_member_ranges(path)))
        prefix = f"bench/restore-floor/{path.stem}/"
        event = {
            "source_bucket": self.archives_bucket,
            "source_key": archive,
            "target_bucket": self.data_bucket,
            "target_prefix": prefix,
            "members_file": str(members_file),
        }
        try:
            payload, call = self._invoke_floor(self.restore_floor, event)
        finally:
            members_file.unlink(missing_ok=True)
            self.store.delete_prefix(prefix)
        row.restore_floor_seconds = call.seconds
        row.restore_floor_peak_rss = call.peak_rss_bytes
        say(
            f"{tag} restore floor: {payload['objects']:,} members, {payload['bytes'] / MB:,.0f} MB in "
            f"{row.restore_floor_seconds:.1f} s ({row.restore_floor_mbps:.0f} MB/s of archive)"
        )

    @contextlib.contextmanager
    def _download(self, job: dict[str, Any]) -> Iterator[Path]:
        """The archive on disk, fetched through a link from GET /jobs/{id}/download (one GET: moto reads
        the whole object for every ranged GET, so a ranged reader would be quadratic here)."""
        self.work.mkdir(parents=True, exist_ok=True)
        path = self.work / f"{job['jobId']}.zip"
        try:
            url = self.call("GET", f"/jobs/{job['jobId']}/download").json()["downloadUrl"]
            with requests.get(url, stream=True, timeout=600) as response, path.open("wb") as out:
                response.raise_for_status()
                for chunk in response.iter_content(8 * MIB):
                    out.write(chunk)
            yield path
        finally:
            path.unlink(missing_ok=True)

    def _verify(self, tag: str, path: Path, row: Row) -> None:
        started = time.perf_counter()
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            bad = archive.testzip()  # reads every member and checks its CRC-32
            row.auditfile_ok = _auditfile_ok(archive, row)
        row.zipfile_ok = bad is None and len(infos) == row.entries
        row.zip64 = path.stat().st_size > 0xFFFFFFFF or len(infos) > 0xFFFF
        result = subprocess.run(["unzip", "-tqq", str(path)], capture_output=True, text=True, check=False)
        row.unzip_ok = result.returncode == 0
        if not row.unzip_ok:
            row.errors.append(f"unzip -t: {(result.stdout + result.stderr).strip()[-300:]}")
        row.verify_seconds = time.perf_counter() - started
        say(
            f"{tag} zipfile {'ok' if row.zipfile_ok else 'FAILED'} ({len(infos):,} entries), "
            f"unzip -t {'ok' if row.unzip_ok else 'FAILED'}, "
            f"XAF 4.0 and 3.2 {'ok' if row.auditfile_ok else 'FAILED'}, {row.verify_seconds:.0f} s"
        )

    # -- restore (once the API has it) --------------------------------------------------------------
    def _upload_in_parts(self, job_id: str, path: Path, plan: dict[str, Any]) -> None:
        """Presigned UploadPart URLs from the API, 4 parts in flight (as web/s3-upload.js), then complete."""
        numbers = list(range(1, plan["partCount"] + 1))
        urls: dict[int, str] = {}
        for first in range(0, len(numbers), PARTS_PER_REQUEST):  # the API presigns so many at once
            batch = numbers[first : first + PARTS_PER_REQUEST]
            response = self.call("POST", f"/restores/{job_id}/upload-parts", json={"parts": batch})
            response.raise_for_status()
            urls |= {part["partNumber"]: part["url"] for part in response.json()["parts"]}

        def send(number: int) -> None:
            with path.open("rb") as file:
                file.seek((number - 1) * plan["partSize"])
                body = file.read(plan["partSize"])
            put = requests.put(urls[number], data=body, timeout=3600)
            if put.status_code >= 300:
                raise RuntimeError(f"part {number} failed: {put.status_code} {put.text[:300]}")

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(send, numbers))
        response = self.call("POST", f"/restores/{job_id}/complete-upload", json={})
        response.raise_for_status()

    def _restore(self, path: Path) -> dict[str, Any]:
        """Upload -> awaiting confirmation (validation + staging) -> confirm -> restored.

        The API as docs/flows.md describes it: POST /restores {"size"} gives a presigned POST, or for a
        file over its threshold a plan of parts; the S3 event starts the state machine; the job's
        details carry the verification code.
        """
        size = path.stat().st_size
        response = self.call("POST", "/restores", json={"size": size})
        response.raise_for_status()
        created = response.json()
        job_id = created["jobId"]
        since = time.time()
        started = time.perf_counter()
        if "multipart" in created:  # a file over the API's threshold goes up in parts, as the page sends it
            self._upload_in_parts(job_id, path, created["multipart"])
        else:
            upload = created["upload"]
            with path.open("rb") as file:
                body = _FormBody(upload["fields"], file, size, path.name)
                posted = requests.post(
                    upload["url"], data=body, headers={"Content-Type": body.content_type}, timeout=3600
                )
            if posted.status_code >= 300:
                raise RuntimeError(f"upload failed: {posted.status_code} {posted.text[:300]}")
        upload_seconds = time.perf_counter() - started
        job = self.wait_for(job_id, until={"awaiting-confirmation"})
        validate_seconds = time.perf_counter() - started
        if job["status"] != "awaiting-confirmation":
            raise RuntimeError(f"restore ended {job['status']}: {job.get('reason')}")
        code = job["details"]["verificationCode"]
        # The execution now waits on its task token: every step before it has returned.
        validate_steps = self.steps_since(since)
        confirmed_since = time.time()
        started = time.perf_counter()
        response = self.call("POST", f"/restores/{job_id}/confirm", json={"code": code})
        response.raise_for_status()
        job = self.wait_for(job_id)
        apply_seconds = time.perf_counter() - started
        if job["status"] != "restored":
            raise RuntimeError(f"restore ended {job['status']}: {job.get('reason')}")
        apply_steps = self.steps_since(confirmed_since)
        validate_steps = [s for s in validate_steps if s.start < confirmed_since]
        stage_steps = [s for s in validate_steps if s.logical_id == VALIDATE]
        apply_requests = _requests(apply_steps)
        return {
            "upload_seconds": upload_seconds,
            "validate_seconds": validate_seconds,  # upload start -> awaiting-confirmation
            "stage_seconds": sum(s.seconds for s in stage_steps),  # the Validate step(s): check + stage
            "stage_steps": len(stage_steps),
            "apply_seconds": apply_seconds,  # confirm -> restored
            "validate_peak_rss": max((s.peak_rss_bytes or 0 for s in validate_steps), default=0) or None,
            "apply_peak_rss": max((s.peak_rss_bytes or 0 for s in apply_steps), default=0) or None,
            "stage_requests": _requests(stage_steps),
            "apply_requests": apply_requests,  # every AWS request of the steps after the confirmation
            "apply_s3_requests": sum(n for op, n in apply_requests.items() if op.startswith("s3.")),
            "steps": [asdict(s) for s in validate_steps + apply_steps],
        }


class _FormBody:
    """multipart/form-data for a presigned POST, streamed from the file (never all in memory).

    Only `read` and `__len__`: requests then sends a Content-Length (an io.IOBase would make it
    call tell(), get 0 and fall back to chunked encoding, which S3's POST refuses with 411).
    """

    def __init__(self, fields: dict[str, str], file: io.BufferedReader, size: int, name: str) -> None:
        self.boundary = f"kluis-bench-{os.urandom(8).hex()}"
        head = b"".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        )
        head += (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/zip\r\n\r\n"
        ).encode()
        self.parts: list[io.BufferedReader | io.BytesIO] = [
            io.BytesIO(head),
            file,
            io.BytesIO(f"\r\n--{self.boundary}--\r\n".encode()),
        ]
        self.length = len(head) + size + len(self.parts[2].getvalue())  # type: ignore[union-attr]

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self.length

    def read(self, n: int = -1) -> bytes:
        n = 8 * MIB if n is None or n < 0 else max(n, 1024 * KIB)
        while self.parts:
            data = self.parts[0].read(n)
            if data:
                return data
            self.parts.pop(0)
        return b""


def _s3(endpoint: str, config: Config) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name=os.environ["AWS_REGION"], config=config)


# -- output -----------------------------------------------------------------------------------------
def say(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def mib(value: int | None) -> str:
    return f"{value / MIB:,.0f}" if value else "-"


def seconds(value: float | None) -> str:
    return f"{value:,.1f}" if value else "-"


def _requests(steps: list[Invocation]) -> dict[str, int]:
    """AWS requests of the steps, by service.Operation, summed."""
    total: dict[str, int] = {}
    for step in steps:
        for operation, count in (step.aws_requests or {}).items():
            total[operation] = total.get(operation, 0) + count
    return dict(sorted(total.items()))


def _member_ranges(path: Path) -> list[tuple[str, int, int]]:
    """(name, offset, length) of each member's stored bytes, in archive order: the restore floor's map."""
    ranges = []
    with zipfile.ZipFile(path) as archive, path.open("rb") as file:
        for info in sorted(archive.infolist(), key=lambda i: i.header_offset):
            file.seek(info.header_offset + 26)
            name_length, extra_length = struct.unpack("<HH", file.read(4))
            start = info.header_offset + 30 + name_length + extra_length
            ranges.append((info.filename, start, info.compress_size))
    return ranges


def rate(value: float) -> str:
    """MB/s, with a decimal where small documents make it small."""
    return "-" if not value else (f"{value:.1f}" if value < 10 else f"{value:.0f}")


def ratio(value: float) -> str:
    return f"{value:.2f}" if value else "-"


COLUMNS = (
    ("size", lambda r: r.size),
    ("S3 ms", lambda r: f"{r.latency_ms:g}"),
    ("entries", lambda r: f"{r.entries:,}"),
    ("data MB", lambda r: f"{r.data_bytes / MB:,.0f}"),
    ("zip MB", lambda r: f"{r.archive_bytes / MB:,.0f}" if r.archive_bytes else "-"),
    ("build s", lambda r: seconds(r.build_seconds)),
    ("steps", lambda r: str(r.build_steps)),
    ("build MB/s", lambda r: rate(r.build_mbps)),
    ("floor MB/s", lambda r: rate(r.floor_mbps)),
    ("build/floor", lambda r: ratio(r.ratio)),
    ("build RSS MiB", lambda r: mib(r.build_peak_rss)),
    ("zip ok", lambda r: _check(r.zipfile_ok and r.unzip_ok if r.zipfile_ok is not None else None)),
    ("xaf ok", lambda r: _check(r.auditfile_ok)),
    ("xaf 4.0 s", lambda r: seconds(r.xaf_seconds)),
    ("xaf 4.0 RSS MiB", lambda r: mib(r.xaf_peak_rss)),
)
RESTORE_COLUMNS = (
    ("stage s", lambda r: seconds(r.stage_seconds)),
    ("stage MB/s", lambda r: rate(r.stage_mbps)),
    ("floor MB/s ", lambda r: rate(r.restore_floor_mbps)),
    ("stage/floor", lambda r: ratio(r.restore_ratio)),
    ("validate RSS MiB", lambda r: mib(r.restore and r.restore["validate_peak_rss"])),
    ("confirm->restored s", lambda r: f"{r.restore['apply_seconds']:.2f}" if r.restore else "-"),
    ("S3 requests", lambda r: str(r.restore["apply_s3_requests"]) if r.restore else "-"),
    ("apply RSS MiB", lambda r: mib(r.restore and r.restore["apply_peak_rss"])),
)


def _check(value: bool | None) -> str:
    return "-" if value is None else ("ok" if value else "FAIL")


def table(rows: list[Row], restores: bool) -> str:
    columns = COLUMNS + (RESTORE_COLUMNS if restores else ())
    cells = [[name.strip() for name, _ in columns]] + [[get(row) for _, get in columns] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = [
        "| " + " | ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)) + " |" for line in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|")
    return "\n".join(lines)


def _result(
    rows: list[Row], stamp: str, total: float, bench: Bench, latencies: list[float]
) -> dict[str, Any]:
    return {
        "created_at": stamp,
        "total_seconds": total,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "part_size": int(os.environ["S3_UPLOAD_PART_SIZE"]),
        "isolated": sorted(bench.runtime.isolate),
        "restores": bench.restores,
        "latency_model": {
            "s3_latency_ms": latencies,
            "what": "a fixed wait before every S3 request (each HTTP attempt) of the step and floor "
            "functions, in the sending thread, so waits overlap across threads; no bandwidth limit "
            "beyond moto's own; DynamoDB, KMS and Step Functions unaffected",
            "hook": "infra.local.s3_latency: botocore before-send, registered first",
        },
        "moto_patches": "tests.bench.moto_ranges: ranged GET and UploadPartCopy read only the range",
        "floors": {
            "backup": "fixtures/fn_floor: list, 64 GETs in flight (8 MiB ranges of large objects, "
            "<= 128 MiB buffered), MultipartSink with 8 part uploads in flight",
            "restore": "fixtures/fn_restore_floor: 8 ranged GETs of 8 MiB in flight ahead, each "
            "member's stored bytes PUT with 32 in flight (multipart above 8 MiB)",
        },
        "rows": [
            asdict(row)
            | {
                "build_mbps": row.build_mbps,
                "floor_mbps": row.floor_mbps,
                "ratio": row.ratio,
                "stage_mbps": row.stage_mbps,
                "restore_floor_mbps": row.restore_floor_mbps,
                "restore_ratio": row.restore_ratio,
            }
            for row in rows
        ],
        "table": table(rows, bench.restores),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument(
        "--sizes", default=",".join(SIZES), help=f"comma list of {', '.join(SIZES)} (default: all)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench", help="where the JSON goes")
    parser.add_argument("--no-verify", action="store_true", help="skip the zipfile / unzip -t checks")
    parser.add_argument(
        "--no-floors",
        action="store_true",
        help="skip the floors (for memory and request figures of large sets: no ratios then)",
    )
    parser.add_argument(
        "--restore-max-mb",
        type=float,
        default=1200,
        help="restore only archives up to this size (default 1200): moto reads the whole object for "
        "every ranged GET, so validating a 4 GB upload against moto takes hours, not minutes",
    )
    parser.add_argument(
        "--s3-latency-ms",
        default="0,20,50",
        help="comma list of S3 latencies to model, in ms (default 0,20,50): every S3 request of the "
        "steps and floors first waits this long, overlapping across threads (infra.local.s3_latency)",
    )
    args = parser.parse_args(argv)
    latencies = [float(v) for v in args.s3_latency_ms.split(",") if v.strip()]
    chosen = [label.strip() for label in args.sizes.split(",") if label.strip()]
    unknown = [label for label in chosen if label not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}; choose from {', '.join(SIZES)}")
    if not shutil.which("unzip") and not args.no_verify:
        say("unzip is not installed: the unzip -t column stays empty")
    started = time.perf_counter()
    bench = Bench(
        args.out / "tmp", verify=not args.no_verify, restore_max_bytes=int(args.restore_max_mb * MB)
    )
    say(
        f"local stack on {bench.stack.endpoint}; isolated: {sorted(bench.runtime.isolate)}; "
        f"parts of {int(os.environ['S3_UPLOAD_PART_SIZE']) // MIB} MiB; S3 latency {latencies} ms; "
        "moto patched for ranged reads (tests.bench.moto_ranges)"
    )
    rows: list[Row] = []
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    args.out.mkdir(parents=True, exist_ok=True)

    def record(row: Row) -> None:  # each row as it is done: a long run that dies keeps its rows
        rows.append(row)
        partial = _result(rows, stamp, time.perf_counter() - started, bench, latencies)
        (args.out / f"{stamp}.partial.json").write_text(json.dumps(partial, indent=2) + "\n")

    bench.on_row = record
    bench.floors = not args.no_floors
    try:
        for label in chosen:
            bench.run(SIZES[label], latencies)
    finally:
        bench.stop()
    total = time.perf_counter() - started
    print(table(rows, bench.restores))
    result = _result(rows, stamp, total, bench, latencies)
    for name in (f"{stamp}.json", "latest.json"):
        (args.out / name).write_text(json.dumps(result, indent=2) + "\n")
    (args.out / f"{stamp}.partial.json").unlink(missing_ok=True)
    print(
        f"\n{len(rows)} row(s) in {total / 60:.1f} min; written to {args.out}/{stamp}.json (and latest.json)"
    )
    return 1 if any(row.errors for row in rows) else 0


def _auditfile_ok(archive: zipfile.ZipFile, row: Row) -> bool:
    """The archive's auditfiles (XAF 4.0 and 3.2) validate against their official XSDs (pyxaf's
    copies) and each holds one transaction per journal entry of the records beside it."""
    journal = archive.read("records/journal_entries.jsonl")
    entries = sum(1 for line in journal.splitlines() if line.strip())
    return all(
        [_one_auditfile_ok(archive, name, version, entries, row) for name, version in AUDITFILES.items()]
    )


def _one_auditfile_ok(archive: zipfile.ZipFile, name: str, version: str, entries: int, row: Row) -> bool:
    import pyxaf  # a dev dependency: only the bench and the tests read auditfiles

    if name not in archive.namelist():
        row.errors.append(f"no {name} in the archive")
        return False
    xaf = archive.read(name)
    report = pyxaf.validate(xaf, xsd=True)
    if not report.ok:
        row.errors.append(f"{name}: {report.errors[:3]}")
        return False
    with pyxaf.open(xaf) as auditfile:
        found = auditfile.version.value
        transactions = sum(1 for _ in auditfile.transactions())
    if found != version:
        row.errors.append(f"{name}: XAF {found}, not {version}")
    if transactions != entries:
        row.errors.append(f"{name}: {transactions} transactions for {entries} journal entries")
    return found == version and transactions == entries
