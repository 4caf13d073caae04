"""Writing a seed spec into a data bucket: each administration/year as a new generation, then HEAD."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import closing
from dataclasses import dataclass, field

from kluis.scope import Scope
from kluis.storage.data import DataStore, new_generation_id
from kluis_tools.seed.books import build_scope
from kluis_tools.seed.documents import DocumentPlan
from kluis_tools.seed.spec import AdministrationSpec, SeedSpec


# -- writing ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScopeReport:
    scope: str
    generation: str
    previous: str | None
    records: dict[str, int]
    record_bytes: int
    documents: int
    document_bytes: int
    proposals: int
    seconds: float


@dataclass
class SeedReport:
    scopes: list[ScopeReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def document_bytes(self) -> int:
        return sum(s.document_bytes for s in self.scopes)

    def summary(self) -> str:
        lines = []
        for s in self.scopes:
            counts = ", ".join(f"{name} {count}" for name, count in s.records.items())
            was = f" (was {s.previous})" if s.previous else ""
            lines.append(
                f"{s.scope}: HEAD -> {s.generation}{was}\n"
                f"    records: {counts}\n"
                f"    documents: {s.documents} ({_size(s.document_bytes)}), proposals: {s.proposals}, "
                f"{s.seconds:.1f} s"
            )
        rate = self.document_bytes / self.seconds / 1e6 if self.seconds else 0.0
        lines.append(
            f"seeded {len(self.scopes)} administration/year(s), {sum(s.documents for s in self.scopes)} "
            f"documents ({_size(self.document_bytes)}) in {self.seconds:.1f} s ({rate:.0f} MB/s of documents)"
        )
        return "\n".join(lines)


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _bounded(pool: ThreadPoolExecutor, tasks: Iterable[Callable[[], int]], window: int) -> Generator[int]:
    """Run tasks with at most `window` in flight, yielding results: memory stays bounded by the
    window, whatever the number of documents."""
    pending: set[Future[int]] = set()
    try:
        for task in tasks:
            if len(pending) >= window:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (future.result() for future in done)
            pending.add(pool.submit(task))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from (future.result() for future in done)
    finally:
        # On failure, let uploads already running finish before the caller deletes the generation,
        # or they would write objects into it afterwards.
        for future in pending:
            future.cancel()
        wait(pending)


def seed(
    store: DataStore,
    spec: SeedSpec,
    *,
    workers: int = 8,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Write every administration/year of `spec` as a new generation and flip `HEAD` to it.

    A failure half way deletes the partial generation and leaves `HEAD` (the live data) as it was.
    Proposals are written under proposals/ with fixed names, so re-seeding overwrites rather than piles up.
    """
    say = progress or (lambda _message: None)
    report = SeedReport()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="kluis-seed") as pool:
        for scope, adm in spec.scopes():
            report.scopes.append(_seed_scope(store, spec, scope, adm, pool, max(1, workers) * 2, say))
    report.seconds = time.perf_counter() - started
    return report


def _seed_scope(
    store: DataStore,
    spec: SeedSpec,
    scope: Scope,
    adm: AdministrationSpec,
    pool: ThreadPoolExecutor,
    window: int,
    say: Callable[[str], None],
) -> ScopeReport:
    started = time.perf_counter()
    data = build_scope(spec, adm, scope.year)
    generation = new_generation_id()
    say(f"{scope}: writing generation {generation}")
    document_bytes = 0
    try:
        for name, body in data.records.items():
            store.put(scope, generation, f"records/{name}.jsonl", body)

        def upload(plan: DocumentPlan) -> Callable[[], int]:
            def run() -> int:
                body = plan.render()
                store.put(scope, generation, f"documents/{plan.document_id}.pdf", body)
                return len(body)

            return run

        total = len(data.documents)
        step = max(1, total // 10)
        with closing(_bounded(pool, map(upload, data.documents), window)) as sizes:
            for done, size in enumerate(sizes, start=1):
                document_bytes += size
                if done % step == 0 or done == total:
                    say(f"{scope}: documents {done}/{total} ({_size(document_bytes)})")
    except BaseException:
        store.delete_generation(scope, generation)
        raise
    for proposal_id, plan, body in data.proposals:
        store.put_proposal(scope, f"{proposal_id}.pdf", plan.render())
        store.put_proposal(scope, f"{proposal_id}.json", body)
    previous = store.head(scope)
    store.flip_head(scope, generation, expected=previous, source="seed", seed=spec.seed)
    say(f"{scope}: HEAD -> {generation}")
    return ScopeReport(
        scope=str(scope),
        generation=generation,
        previous=previous.generation if previous else None,
        records=data.counts,
        record_bytes=sum(len(body) for body in data.records.values()),
        documents=len(data.documents),
        document_bytes=document_bytes,
        proposals=len(data.proposals),
        seconds=time.perf_counter() - started,
    )
