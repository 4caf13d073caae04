"""Many restores at once, through the local stack's API, as a busy morning would bring them: 100
restores from four customers started together, the API's read path reading each job on its way and
pages polling every job while validation writes its progress and the books preview, wrong codes typed
in two tabs at once, two undos and the sweeper running beside them. Whatever the interleaving, every
guarantee the product takes from conditional writes holds:

- no job is ever seen awaiting its code without the code;
- no field one step wrote is lost by another (a job's details never shrink while it waits);
- every wrong code answered "wrong" is counted (two at once both count, none is lost);
- each customer's audit chain stays whole: every record written, none overwritten.

It finds the local stack's torn reads once their window is as wide as on AWS. moto applies an
UpdateItem's actions to the stored item one after another, microseconds apart, so a read between two
of them (a restore `awaiting-confirmation` whose code is not yet set) came about once in a whole
`make test`. On AWS a write takes milliseconds, with reads running beside it; so here an update's
first action (a move's status) is followed by a pause (`applied_slowly`) in which every other thread
may run. That changes no outcome a faithful store could give (the local stack holds its request lock
through the pause), only how often a race that can happen does. Without infra.local.atomic the
readers saw restores awaiting their code without it in every run (docs/operations.md, "The local
stack is atomic per request").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from moto.dynamodb.parsing import executors

from kluis.audit import Action, Entry, Outcome, verify
from kluis.flows.restore.confirmation import WrongCode
from kluis.runtime.resources import Resources
from kluis.scope import Scope
from kluis.settings import Settings
from kluis.storage.audit import AuditLog
from kluis.storage.jobs import JobStateConflict, JobStore
from tests.integration.harness import Harness, change_live_data, confirm_code, seed_scope

# A burst of 100 restores and a sweep: on a stack of its own.
pytestmark = [pytest.mark.own_stack, pytest.mark.minutes(3)]

CUSTOMERS = ("41001", "41002", "41003", "41004")
UNDONE = CUSTOMERS[:2]  # customers whose earlier restore is undone during the burst
ADMINISTRATION, YEAR = "00071", "2025"
RESTORES_PER_CUSTOMER = 25  # 100 in all
POLLERS = 3  # pages, through the API
POLL_PACE = 0.05  # seconds between a page's requests: the local gateway takes one at a time
READERS = 2  # the API's read path, directly (see poll_all)
READ_PACE = 0.005  # seconds between a reader's rounds
WRONG_CODES_FOR = 16  # restores of the burst in which two wrong codes are typed at once
WAITING = {"awaiting-confirmation"}
PAUSE = 0.005  # seconds between an UpdateItem's first action and the rest: see applied_slowly
PATIENCE = 300  # seconds for the whole burst to reach its codes on a loaded 2-core machine


@dataclass
class Watch:
    """The jobs of the burst, as each is started, and what the polling pages (and the direct readers)
    saw of each."""

    jobs: dict[str, str] = field(default_factory=dict)  # job id: its customer
    views: dict[tuple[str, bool], list[dict[str, Any]]] = field(default_factory=dict)
    without_code: list[dict[str, Any]] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # a poll or the sweeper that failed
    polls: int = 0
    guard: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, job_id: str, view: dict[str, Any], *, polled: bool = True) -> None:
        """A view of the job: polled by a page, or read by the API's read path directly (whose view
        lacks what the route adds, so each source is compared with itself)."""
        details = view.get("details", {})
        with self.guard:
            self.polls += polled
            earlier = self.views.setdefault((job_id, polled), [])
            if view.get("status") == "awaiting-confirmation" and not details.get("verificationCode"):
                self.without_code.append(view)
            if earlier and not view.get("final"):
                before = set(earlier[-1].get("details", {}))
                if not before <= set(details):
                    self.lost.append(f"{job_id}: {sorted(before - set(details))} gone ({view['status']})")
            earlier.append(view)

    def started(self, job_id: str, customer: str) -> None:
        with self.guard:
            self.jobs[job_id] = customer

    def started_jobs(self) -> list[tuple[str, str]]:
        with self.guard:
            return sorted(self.jobs.items())

    def on_their_way(self) -> list[tuple[str, str]]:
        """The started jobs not yet awaiting their code (nor ended)."""
        return [job for job in self.started_jobs() if not self.waiting(job[0])]

    def last(self, job_id: str) -> dict[str, Any]:
        with self.guard:
            seen = self.views.get((job_id, True), []) + self.views.get((job_id, False), [])
            return seen[-1] if seen else {}

    def waiting(self, job_id: str) -> bool:
        view = self.last(job_id)
        return view.get("status") in WAITING or view.get("final", False)


def poll_all(harness: Harness, watch: Watch, started: threading.Event, stop: threading.Event) -> None:
    """Readers of each job from the moment it is started, and pages polling every job once all are
    started, until told to stop. (The local gateway takes one request at a time: pages polling
    through it during the starts would queue the starts past their clients' timeout.) Each page asks
    as the job's owner; as a page stops polling once it has the code, the jobs still on their way are
    polled most."""

    def poll(offset: int) -> None:
        started.wait()
        while not stop.is_set():
            for job_id, customer in (watch.on_their_way() or watch.started_jobs())[offset::POLLERS]:
                answer = harness.call("GET", f"/jobs/{job_id}", customer)
                if answer.status_code != 200:
                    watch.errors.append(f"GET /jobs/{job_id}: {answer.status_code} {answer.text}")
                    continue
                watch.saw(job_id, answer.json())
                time.sleep(POLL_PACE)

    def read(offset: int) -> None:
        """The read path of GET /jobs/{id} itself, without the local gateway, which hands the API
        function one request at a time (as one Lambda environment takes them): on AWS many
        environments read at once, so these readers do too. They read the jobs still on their way,
        whose move to their code may come any moment."""
        store = JobStore(harness.stack.resource("dynamodb"), harness.stack.name_of("JobsTable"))
        while not stop.is_set():
            for job_id, customer in watch.on_their_way()[offset::READERS]:
                watch.saw(job_id, store.get(customer, job_id).view(), polled=False)
            time.sleep(READ_PACE)

    threads = [threading.Thread(target=poll, args=(i,), daemon=True) for i in range(POLLERS)]
    threads += [threading.Thread(target=read, args=(i,), daemon=True) for i in range(READERS)]
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join(timeout=60)


def prepared(harness: Harness, customer: str) -> tuple[bytes, str | None]:
    """A backup of the customer's scope, and (for those in UNDONE) a restored restore of it, which
    the burst undoes."""
    scope = Scope(customer, ADMINISTRATION, YEAR)
    seed_scope(harness, scope, documents=1)
    data = harness.download(harness.backup(ADMINISTRATION, YEAR, customer=customer)).content
    if customer not in UNDONE:
        return data, None
    change_live_data(harness.store, scope, "after the backup")
    job = harness.wait_until(harness.start_restore(data, customer=customer)["jobId"], WAITING, customer)
    assert confirm_code(harness, job, customer).status_code == 202
    assert harness.wait_for(job["jobId"], customer)["status"] == "restored"
    return data, job["jobId"]


def sweep(harness: Harness, watch: Watch) -> None:
    try:
        harness.stack.run_scheduled("SweepGenerationsFunction")
    except Exception as error:
        watch.errors.append(f"the sweeper: {error}")


def at_once(actions: list[Callable[[], Any]], threads: int = 16) -> list[Any]:
    with ThreadPoolExecutor(threads) as pool:
        return [future.result() for future in [pool.submit(action) for action in actions]]


@contextmanager
def applied_slowly() -> Iterator[None]:
    """Between the first action of an UpdateItem and the rest, a pause in which other requests may
    run: on AWS a write is not over in microseconds, and reads run beside it. (One pause an update, and
    short: the local stack holds its DynamoDB lock through it, so every pause delays every request.)"""
    update = threading.local()

    def begin(init: Callable[..., None]) -> Callable[..., None]:
        def a_new_update(self: Any, *args: Any, **kwargs: Any) -> None:
            init(self, *args, **kwargs)
            update.applied = 0

        return a_new_update

    def paused(execute: Callable[..., None]) -> Callable[..., None]:
        def pause_then_execute(self: Any, item: Any) -> None:
            update.applied += 1
            if update.applied == 2:  # one pause an update, after its first action (the status)
                time.sleep(PAUSE)
            execute(self, item)

        return pause_then_execute

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            executors.UpdateExpressionExecutor, "__init__", begin(executors.UpdateExpressionExecutor.__init__)
        )
        for action in (executors.SetExecutor, executors.RemoveExecutor):
            patch.setattr(action, "execute", paused(action.execute))
        yield


@pytest.fixture(scope="module")
def burst(harness: Harness) -> Iterator[dict[str, Any]]:
    """100 restores and 2 undos started at once, polled, with the sweeper running beside them, until
    each awaits its code; the module's tests go on under the same pauses."""
    ready = {customer: prepared(harness, customer) for customer in CUSTOMERS}
    watch, started, stop = Watch(), threading.Event(), threading.Event()
    pages = threading.Thread(target=poll_all, args=(harness, watch, started, stop), daemon=True)

    def start_restore(customer: str) -> None:
        watch.started(harness.start_restore(ready[customer][0], customer=customer)["jobId"], customer)

    def start_undo(customer: str) -> None:
        asked = harness.call("POST", f"/restores/{ready[customer][1]}/undo", customer)
        assert asked.status_code == 201, asked.text
        watch.started(asked.json()["jobId"], customer)

    starts = [lambda c=c: start_restore(c) for c in CUSTOMERS for _ in range(RESTORES_PER_CUSTOMER)]
    undos = [lambda c=c: start_undo(c) for c in CUSTOMERS if c in UNDONE]
    sweeper = threading.Thread(target=sweep, args=(harness, watch))
    with applied_slowly():  # from the burst on: the races are its, not the preparation's
        pages.start()  # each job is read from the moment it is started
        sweeper.start()
        at_once(starts + undos)  # (the local gateway takes one API request at a time: see environment)
        started.set()
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline and not all(watch.waiting(job) for job, _ in watch.started_jobs()):
            time.sleep(0.5)
        sweeper.join(timeout=PATIENCE)
        stop.set()
        pages.join(timeout=60)
        yield {"jobs": watch.jobs, "watch": watch}


def test_every_restore_of_the_burst_reaches_its_code_with_its_summary_and_books(harness, burst):
    views = {
        job_id: harness.call("GET", f"/jobs/{job_id}", customer).json()
        for job_id, customer in burst["jobs"].items()
    }

    assert len(views) == len(CUSTOMERS) * RESTORES_PER_CUSTOMER + len(UNDONE)
    assert {view["status"] for view in views.values()} == {"awaiting-confirmation"}, {
        job_id: view["status"] for job_id, view in views.items() if view["status"] != "awaiting-confirmation"
    }
    for view in views.values():
        details = view["details"]
        assert details["verificationCode"].isdigit() and details["attemptsLeft"] == 5, view
        assert details["summary"]["records"] > 0 and "books" in details, view


def test_no_page_ever_saw_a_job_awaiting_its_code_without_it_nor_a_field_lost(burst):
    watch: Watch = burst["watch"]

    # Every job was watched on its way, and pages polled. (How often depends on how fast the burst
    # reaches its codes, which is no guarantee of the product's.)
    assert {job_id for job_id, _ in watch.views} == set(burst["jobs"]) and watch.polls > 0
    assert watch.without_code == []
    assert watch.lost == []
    assert watch.errors == []


def environment() -> Resources:
    """What one API Lambda environment holds: its own session and clients, the function's settings.

    The local gateway hands the API function one request at a time (its resolver keeps the request in
    module state, in this one process), where AWS runs many environments at once; so the confirm
    route's own steps run here on many threads, one environment each, as they would on AWS."""
    import boto3

    return Resources(Settings.from_env(), boto3.session.Session())


def type_wrong_code(job_id: str, customer: str, code: str) -> bool:
    """POST /restores/{id}/confirm with a wrong code, as the route does it: True if it was counted
    (and logged), False if another request changed the job first (the route's 409)."""
    resources = environment()
    try:
        resources.confirmations.confirm(customer, job_id, code)
    except WrongCode as wrong:
        entry = Entry(customer=customer, actor=f"user-{customer}", action=Action.RESTORE_CODE_WRONG)
        resources.audit.append(entry.model_copy(update={"outcome": Outcome.REFUSED, "job_id": job_id}))
        assert wrong.attempts_left >= 0
        return True
    except JobStateConflict:
        return False
    raise AssertionError(f"{job_id}: a wrong code was accepted")


def test_two_wrong_codes_typed_at_once_both_count(harness, burst):
    """Two tabs, one wrong code each, at the same moment: each is counted, or told that the other got
    there first; none is lost."""
    jobs = sorted(burst["jobs"].items())[:WRONG_CODES_FOR]
    attempts = []
    for job_id, customer in jobs:
        code = harness.call("GET", f"/jobs/{job_id}", customer).json()["details"]["verificationCode"]
        attempts += [(job_id, customer, "000000" if code != "000000" else "111111")] * 2
    counted_now = at_once([lambda a=a: type_wrong_code(*a) for a in attempts])

    counted = dict.fromkeys(dict(jobs), 0)
    for (job_id, _, _), was_counted in zip(attempts, counted_now, strict=True):
        counted[job_id] += was_counted
    for job_id, customer in jobs:
        left = harness.call("GET", f"/jobs/{job_id}", customer).json()["details"]["attemptsLeft"]
        assert left == 5 - counted[job_id], f"{job_id}: {counted[job_id]} wrong codes told, {left} left"


def test_every_customers_audit_chain_is_whole_after_the_burst(harness, burst):
    log = AuditLog(harness.stack.resource("dynamodb"), harness.stack.name_of("JobsTable"))
    for job_id, customer in burst["jobs"].items():  # and they end: nothing is left waiting
        assert harness.call("POST", f"/restores/{job_id}/cancel", customer).status_code == 200

    for customer in CUSTOMERS:
        records = list(log.records(customer))
        assert verify(records) == [], customer
        cancelled = {r.job_id for r in records if r.action == "restore.cancelled"}
        theirs = {job_id for job_id, owner in burst["jobs"].items() if owner == customer}
        assert theirs <= cancelled, f"{customer}: no record of {sorted(theirs - cancelled)} being cancelled"
