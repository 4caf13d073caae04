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
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from botocore.config import Config

from infra.local.invoke import peak_rss_bytes
from infra.local.lambdas import Invocation, LocalFunction
from infra.local.template import ROOT, load
from kluis.flows.backup.start import archive_key
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import BackupJob
from kluis.scope import Scope
from kluis.storage.data import DataStore
from kluis_tools.seed import KIB, MIB, SeedSpec, seed

CUSTOMER = "90001"
YEAR = "2025"
BUILD = "BuildBackupFunction"
FLOOR = "BenchFloor"
FLOOR_DIR = Path(__file__).resolve().parent / "fixtures" / "fn_floor"
UPLOAD_WORKERS = 4  # BackupBuilder's default, which the build step uses
MB = 1e6


@dataclass(frozen=True)
class Size:
    label: str
    administration: str
    entries: int
    documents: int
    document_bytes: int
    note: str


SIZES: dict[str, Size] = {
    s.label: s
    for s in (
        Size("100M", "00101", 3000, 50, 2 * MIB, "50 documents of ~2 MiB"),
        Size("1G", "00102", 3000, 500, 2 * MIB, "500 documents of ~2 MiB"),
        Size("4G", "00104", 3000, 2200, 2 * MIB, "2,200 documents of ~2 MiB: an archive above 4 GiB"),
        Size("65k", "00165", 66_000, 66_000, 4 * KIB, "66,000 documents of ~4 KiB: above 65,535 entries"),
    )
}


@dataclass
class Row:
    size: str
    note: str
    entries: int = 0  # ZIP entries: records + documents + manifest + signature
    data_bytes: int = 0  # the generation's objects, summed
    archive_bytes: int = 0
    seed_seconds: float = 0.0
    backup_seconds: float = 0.0  # POST -> job ready, as the user waits
    build_seconds: float = 0.0  # the build step invocations, summed
    build_steps: int = 0
    build_peak_rss: int | None = None
    floor_seconds: float = 0.0
    floor_peak_rss: int | None = None
    zipfile_ok: bool | None = None
    unzip_ok: bool | None = None
    zip64: bool | None = None
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
        return self.build_seconds / self.floor_seconds if self.floor_seconds else 0.0


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
        self.runtime.isolate.add(FLOOR)
        self.work = work
        self.verify = verify
        self.restore_max_bytes = restore_max_bytes
        config = Config(max_pool_connections=16, retries={"mode": "standard"})
        self.s3 = _s3(self.stack.endpoint, config)
        self.data_bucket = self.stack.name_of("DataBucket")
        self.archives_bucket = self.stack.name_of("ArchivesBucket")
        self.store = DataStore(self.s3, self.data_bucket)
        self.floor = LocalFunction(
            logical_id=FLOOR,
            name="kluis-bench-floor",
            arn="arn:aws:lambda:eu-west-1:123456789012:function:kluis-bench-floor",
            code_dir=FLOOR_DIR,
            handler="app.handler",
            memory=1024,
            timeout=3600,
        )

    def stop(self) -> None:
        self.gateway.stop()
        self.stack.stop()

    # -- HTTP, as the web client ------------------------------------------------------------------
    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.gateway.issuer.issue(CUSTOMER)}"}
        return requests.request(
            method, f"{self.gateway.url}/api{path}", headers=headers, timeout=60, **kwargs
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
            and call.logical_id not in ("ApiFunction", FLOOR)
            and (logical_id is None or call.logical_id == logical_id)
        ]

    # -- one data set ---------------------------------------------------------------------------------
    def run(self, size: Size) -> Row:
        row = Row(size.label, size.note)
        scope = Scope(CUSTOMER, size.administration, YEAR)
        say(f"[{size.label}] seeding {size.note}")
        spec = SeedSpec(
            customer=CUSTOMER,
            administrations=((size.administration, (YEAR,)),),
            entries_per_year=size.entries,
            documents_per_year=size.documents,
            document_bytes=size.document_bytes,
            proposals=0,
        )
        report = seed(self.store, spec, workers=8)
        row.seed_seconds = report.seconds
        head = self.store.head(scope)
        assert head
        objects = list(self.store.generation_objects(scope, head.generation))
        row.data_bytes = sum(obj.size for obj in objects)
        row.entries = len(objects) + 2
        say(
            f"[{size.label}] seeded {len(objects):,} objects, {row.data_bytes / MB:,.0f} MB "
            f"in {report.seconds:.0f} s"
        )
        try:
            job = self._backup(size, row)
            restore = self.restores and row.archive_bytes <= self.restore_max_bytes
            if self.restores and not restore:
                say(f"[{size.label}] restore skipped: above --restore-max-mb (moto reads all per range)")
            if self.verify or restore:
                with self._download(job) as path:
                    if self.verify:
                        self._verify(path, row)
                    if restore:
                        say(f"[{size.label}] restore: upload, validate, confirm, apply")
                        row.restore = self._restore(path)
                        say(
                            f"[{size.label}] restore: validated in {row.restore['validate_seconds']:.1f} s, "
                            f"confirm->restored {row.restore['apply_seconds']:.1f} s"
                        )
            self.s3.delete_object(
                Bucket=self.archives_bucket,
                Key=archive_key(
                    BackupJob(
                        job_id=job["jobId"],
                        customer=CUSTOMER,
                        status=Status.READY,
                        administration=size.administration,
                        year=YEAR,
                    )
                ),
            )
            # After the archive is gone: moto joins a multipart upload in memory on completion.
            self._floor(scope, head.generation, row)
        except Exception as error:  # one failed row must not lose the others
            row.errors.append(f"{type(error).__name__}: {error}")
            say(f"[{size.label}] FAILED: {error}")
        finally:
            self.store.delete_generation(scope, head.generation)  # moto keeps objects in memory
            row.host_peak_rss = peak_rss_bytes()
        return row

    def _backup(self, size: Size, row: Row) -> dict[str, Any]:
        say(f"[{size.label}] backup through POST /administrations/{size.administration}/years/{YEAR}/backups")
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
        if job["status"] != "ready":
            raise RuntimeError(f"backup ended {job['status']}: {job.get('reason')}")
        row.archive_bytes = int(job["archiveSize"])
        say(
            f"[{size.label}] backup ready: {row.archive_bytes / MB:,.0f} MB, build {row.build_seconds:.1f} s "
            f"({row.build_mbps:.0f} MB/s), peak {mib(row.build_peak_rss)} MiB"
        )
        return job

    def _floor(self, scope: Scope, generation: str, row: Row) -> None:
        key = f"bench/floor-{scope.administration}.bin"
        event = {
            "source_bucket": self.data_bucket,
            "prefix": self.store.generation_prefix(scope, generation),
            "target_bucket": self.archives_bucket,
            "target_key": key,
            "part_size": int(os.environ["S3_UPLOAD_PART_SIZE"]),
            "upload_workers": UPLOAD_WORKERS,
        }
        self.runtime.register(self.floor)
        headers: dict[str, str] = {}
        payload = json.loads(self.runtime.invoke(self.floor, event, headers))
        call = next(c for c in reversed(self.runtime.calls) if c.logical_id == FLOOR)
        self.s3.delete_object(Bucket=self.archives_bucket, Key=key)
        if headers:
            raise RuntimeError(f"floor copy failed: {payload}")
        row.floor_seconds = call.seconds
        row.floor_peak_rss = call.peak_rss_bytes
        say(
            f"[{row.size}] floor copy {payload['bytes'] / MB:,.0f} MB in {row.floor_seconds:.1f} s "
            f"({row.floor_mbps:.0f} MB/s): build/floor {row.ratio:.2f}"
        )

    @contextlib.contextmanager
    def _download(self, job: dict[str, Any]) -> Iterator[Path]:
        """The archive on disk, fetched through the job's presigned URL (one GET: moto reads the
        whole object for every ranged GET, so a ranged reader would be quadratic here)."""
        self.work.mkdir(parents=True, exist_ok=True)
        path = self.work / f"{job['jobId']}.zip"
        try:
            url = self.call("GET", f"/jobs/{job['jobId']}").json()["downloadUrl"]
            with requests.get(url, stream=True, timeout=600) as response, path.open("wb") as out:
                response.raise_for_status()
                for chunk in response.iter_content(8 * MIB):
                    out.write(chunk)
            yield path
        finally:
            path.unlink(missing_ok=True)

    def _verify(self, path: Path, row: Row) -> None:
        started = time.perf_counter()
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            bad = archive.testzip()  # reads every member and checks its CRC-32
        row.zipfile_ok = bad is None and len(infos) == row.entries
        row.zip64 = path.stat().st_size > 0xFFFFFFFF or len(infos) > 0xFFFF
        result = subprocess.run(["unzip", "-tqq", str(path)], capture_output=True, text=True, check=False)
        row.unzip_ok = result.returncode == 0
        if not row.unzip_ok:
            row.errors.append(f"unzip -t: {(result.stdout + result.stderr).strip()[-300:]}")
        row.verify_seconds = time.perf_counter() - started
        say(
            f"[{row.size}] zipfile {'ok' if row.zipfile_ok else 'FAILED'} ({len(infos):,} entries), "
            f"unzip -t {'ok' if row.unzip_ok else 'FAILED'}, {row.verify_seconds:.0f} s"
        )

    # -- restore (once the API has it) --------------------------------------------------------------
    def _restore(self, path: Path) -> dict[str, Any]:
        """Upload -> awaiting confirmation (validation + staging) -> confirm -> restored.

        The API as docs/flows.md describes it: POST /restores gives a presigned POST; the S3 event starts
        the state machine; the job's details carry the verification code.
        """
        size = path.stat().st_size
        response = self.call("POST", "/restores", json={"fileName": path.name, "size": size})
        response.raise_for_status()
        created = response.json()
        job_id = created["jobId"]
        upload = created.get("upload") or created
        since = time.time()
        started = time.perf_counter()
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
        return {
            "upload_seconds": upload_seconds,
            "validate_seconds": validate_seconds,  # upload start -> awaiting-confirmation
            "apply_seconds": apply_seconds,  # confirm -> restored
            "validate_peak_rss": max((s.peak_rss_bytes or 0 for s in validate_steps), default=0) or None,
            "apply_peak_rss": max((s.peak_rss_bytes or 0 for s in apply_steps), default=0) or None,
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


COLUMNS = (
    ("size", lambda r: r.size),
    ("entries", lambda r: f"{r.entries:,}"),
    ("data MB", lambda r: f"{r.data_bytes / MB:,.0f}"),
    ("zip MB", lambda r: f"{r.archive_bytes / MB:,.0f}" if r.archive_bytes else "-"),
    ("backup s", lambda r: seconds(r.backup_seconds)),
    ("build s", lambda r: seconds(r.build_seconds)),
    ("steps", lambda r: str(r.build_steps)),
    ("build MB/s", lambda r: f"{r.build_mbps:.0f}"),
    ("build RSS MiB", lambda r: mib(r.build_peak_rss)),
    ("floor s", lambda r: seconds(r.floor_seconds)),
    ("floor MB/s", lambda r: f"{r.floor_mbps:.0f}"),
    ("floor RSS MiB", lambda r: mib(r.floor_peak_rss)),
    ("build/floor", lambda r: f"{r.ratio:.2f}" if r.ratio else "-"),
    ("zipfile", lambda r: _check(r.zipfile_ok)),
    ("unzip -t", lambda r: _check(r.unzip_ok)),
)
RESTORE_COLUMNS = (
    ("validate s", lambda r: seconds(r.restore and r.restore["validate_seconds"])),
    ("validate RSS MiB", lambda r: mib(r.restore and r.restore["validate_peak_rss"])),
    ("confirm->restored s", lambda r: seconds(r.restore and r.restore["apply_seconds"])),
    ("apply RSS MiB", lambda r: mib(r.restore and r.restore["apply_peak_rss"])),
)


def _check(value: bool | None) -> str:
    return "-" if value is None else ("ok" if value else "FAIL")


def table(rows: list[Row], restores: bool) -> str:
    columns = COLUMNS + (RESTORE_COLUMNS if restores else ())
    cells = [[name for name, _ in columns]] + [[get(row) for _, get in columns] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = [
        "| " + " | ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)) + " |" for line in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument(
        "--sizes", default=",".join(SIZES), help=f"comma list of {', '.join(SIZES)} (default: all)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench", help="where the JSON goes")
    parser.add_argument("--no-verify", action="store_true", help="skip the zipfile / unzip -t checks")
    parser.add_argument(
        "--restore-max-mb",
        type=float,
        default=1200,
        help="restore only archives up to this size (default 1200): moto reads the whole object for "
        "every ranged GET, so validating a 4 GB upload against moto takes hours, not minutes",
    )
    args = parser.parse_args(argv)
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
        f"parts of {int(os.environ['S3_UPLOAD_PART_SIZE']) // MIB} MiB; "
        "restores included"
    )
    rows: list[Row] = []
    try:
        for label in chosen:
            rows.append(bench.run(SIZES[label]))
    finally:
        bench.stop()
    total = time.perf_counter() - started
    text = table(rows, bench.restores)
    print(text)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    result = {
        "created_at": stamp,
        "total_seconds": total,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "part_size": int(os.environ["S3_UPLOAD_PART_SIZE"]),
        "upload_workers": UPLOAD_WORKERS,
        "isolated": sorted(bench.runtime.isolate),
        "restores": bench.restores,
        "rows": [
            asdict(row) | {"build_mbps": row.build_mbps, "floor_mbps": row.floor_mbps, "ratio": row.ratio}
            for row in rows
        ],
        "table": text,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    for name in (f"{stamp}.json", "latest.json"):
        (args.out / name).write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"\n{len(rows)} row(s) in {total / 60:.1f} min; written to {args.out}/{stamp}.json (and latest.json)"
    )
    return 1 if any(row.errors for row in rows) else 0
