"""A job's life is declared once (kluis.jobs.lifecycle), and everything that moves a job keeps to it:
the jobs table refuses every move the declaration does not make, and the state machines' own
DynamoDB writes are the declared moves."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kluis.errors import KluisError
from kluis.flows.restore.confirmation import CANCELLED_ERROR, TOO_MANY_ATTEMPTS_ERROR
from kluis.jobs.lifecycle import (
    INITIAL,
    ITEM_MOVES,
    MOVES,
    ItemStatus,
    Kind,
    Status,
    allowed,
    sources,
    statuses,
)
from kluis.jobs.model import RequestItem, SystemRestoreRequest, new_backup, new_job_id, new_restore
from kluis.scope import Scope
from kluis.storage.jobs import JOB_PREFIX, JobStateConflict
from kluis.storage.requests import RequestBusy
from kluis.transient import TransientError
from tests.unit.conftest import World

ROOT = Path(__file__).resolve().parents[3]
SCOPE = Scope("10234", "00017", "2025")
MACHINES = {"backup.asl.json": Kind.BACKUP, "restore.asl.json": Kind.RESTORE}
PAIRS = [
    (kind, source, target)
    for kind in (Kind.BACKUP, Kind.RESTORE)
    for source in sorted(statuses(kind))
    for target in sorted(statuses(kind))
]


def job_in(w: World, kind: Kind, status: Status):
    """A job created in `status` (creation is not a move: this sets up any starting point)."""
    job = new_backup(SCOPE, True) if kind is Kind.BACKUP else new_restore(SCOPE.customer)
    return w.jobs.create(job.model_copy(update={"status": status}))


@pytest.mark.parametrize(("kind", "source", "target"), PAIRS, ids=lambda v: str(v))
def test_the_jobs_table_makes_exactly_the_declared_moves(deployment, kind, source, target):
    job = job_in(deployment, kind, source)
    if not any(target in targets for targets in MOVES[kind].values()):
        with pytest.raises(ValueError, match="ever moves to"):
            deployment.jobs.move(job, target)
    elif allowed(kind, source, target):
        assert deployment.jobs.move(job, target).status is target
    else:
        with pytest.raises(JobStateConflict):
            deployment.jobs.move(job, target)
        assert deployment.jobs.get(job.customer, job.job_id).status is source


def test_every_status_of_a_kind_is_reachable_from_its_start_and_final_ones_lead_nowhere():
    for kind, moves in MOVES.items():
        start = INITIAL[kind]
        seen, frontier = {start}, [start]
        while frontier:
            for target in moves[frontier.pop()]:
                if target not in seen:
                    seen.add(target)
                    frontier.append(target)
        assert seen == set(moves), (kind, set(moves) - seen)


def request_in(
    w: World, status: Status, item_status: ItemStatus = ItemStatus.PENDING
) -> SystemRestoreRequest:
    request = SystemRestoreRequest(
        request_id=new_job_id(),
        customer=SCOPE.customer,
        point_in_time="2026-11-20T10:00:00Z",
        items=(RequestItem(administration="00017", year="2025", status=item_status),),
        status=status,
    )
    return w.requests.create(request)


@pytest.mark.parametrize("source", sorted(statuses(Kind.SYSTEM_RESTORE)))
@pytest.mark.parametrize("target", sorted(statuses(Kind.SYSTEM_RESTORE)))
def test_requests_make_exactly_the_declared_moves(deployment, source, target):
    request = request_in(deployment, source)
    if allowed(Kind.SYSTEM_RESTORE, source, target):
        assert deployment.requests.finish(request, target).status is target
    else:
        with pytest.raises((RequestBusy, ValueError)):
            deployment.requests.finish(request, target)


@pytest.mark.parametrize("source", sorted(ItemStatus))
@pytest.mark.parametrize("target", sorted(ItemStatus))
def test_request_items_make_exactly_the_declared_moves(deployment, source, target):
    request = request_in(deployment, Status.IN_PROGRESS, source)
    moved = request.items[0].model_copy(update={"status": target})
    if target in ITEM_MOVES[source]:
        deployment.requests.move_item(request, 0, moved)
        assert deployment.requests.get(request.customer, request.request_id).items[0].status is target
    else:
        with pytest.raises((RequestBusy, ValueError)):
            deployment.requests.move_item(request, 0, moved)


# -- the state machines --------------------------------------------------------------------------
def direct_writes() -> list[tuple[str, Kind, dict]]:
    found = []
    for name, kind in MACHINES.items():
        definition = json.loads((ROOT / "infra" / "statemachines" / name).read_text())
        for state_name, state in definition["States"].items():
            if state.get("Resource") == "arn:aws:states:::dynamodb:updateItem":
                found.append((f"{name}:{state_name}", kind, state["Parameters"]))
    return found


@pytest.mark.parametrize(("where", "kind", "parameters"), direct_writes(), ids=lambda v: str(v)[:40])
def test_the_state_machines_own_status_writes_are_declared_moves(where, kind, parameters):
    assert parameters["Key"]["sk"]["S.$"] == f"States.Format('{JOB_PREFIX}{{}}', $.jobId)", where
    values = {
        name: value["S"] for name, value in parameters["ExpressionAttributeValues"].items() if "S" in value
    }
    target = re.search(r"#status = (:\w+)", parameters["UpdateExpression"])
    condition = re.fullmatch(r"#status IN \(([^)]*)\)", parameters["ConditionExpression"])
    assert target and condition, where
    written = Status(values[target.group(1)])
    required = {Status(values[name.strip()]) for name in condition.group(1).split(",")}
    assert required == sources(kind, written), f"{where} moves to {written} from {required}"


def test_every_error_name_the_state_machines_match_is_one_the_code_raises():
    """Retry and Catch match errors by name: each of ours must be a class or a task-failure name."""
    ours = {cls.__name__ for cls in _subclasses(KluisError)} | {TransientError.__name__}
    ours |= {CANCELLED_ERROR, TOO_MANY_ATTEMPTS_ERROR}
    for path in (ROOT / "infra" / "statemachines").glob("*.asl.json"):
        names = set(re.findall(r'"ErrorEquals":\s*\[([^\]]*)\]', path.read_text()))
        for group in names:
            for name in re.findall(r'"([^"]+)"', group):
                if name.split(".")[0] not in ("States", "Lambda", "DynamoDB"):
                    assert name in ours, f"{path.name} matches {name!r}, which nothing raises"


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found
