"""`kluis ops`: the operators' commands for system backups (docs/operations.md).

    kluis ops requests [--status S]                      customers' system-restore requests
    kluis ops restore-points --customer C --administration A --year Y [--source primary|replica]
    kluis ops fulfil REQUEST_ID [--source primary|replica] [--wait]
    kluis ops drill [--sample N] [--customer C --administration A --year Y] [--source ...]
    kluis ops drills                                     recent drill results
    kluis ops audit show --customer C | verify --customer C    the audit log, and its check
    kluis ops retention list --customer C                 retained archives and their locks, as S3 says
    kluis ops retention hold|release --customer C ARCHIVE_ID    a legal hold on a retained archive

Run with the OperatorRole's credentials. Where things are comes from `--stack NAME` (the stack's
outputs and parameters) or from the environment: DATA_BUCKET, JOBS_TABLE,
SYSTEM_RESTORE_STATE_MACHINE_ARN, AUDIT_BUCKET, RETENTION_BUCKET, REPLICA_BUCKET, REPLICA_REGION.
Answers are JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import boto3

from kluis.audit import Action, Entry
from kluis.flows.system_restore.fulfilment import SOURCES
from kluis.flows.system_restore.requests import costs
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import SystemRestoreRequest
from kluis.runtime.resources import Resources
from kluis.scope import Scope
from kluis.settings import Settings

STACK_OUTPUTS = {
    "DataBucketName": "DATA_BUCKET",
    "JobsTableName": "JOBS_TABLE",
    "SystemRestoreStateMachineArn": "SYSTEM_RESTORE_STATE_MACHINE_ARN",
    "AuditBucketName": "AUDIT_BUCKET",
    "RetentionBucketName": "RETENTION_BUCKET",
}
STACK_PARAMETERS = {"ReplicaBucketName": "REPLICA_BUCKET", "ReplicaRegion": "REPLICA_REGION"}


def operator_view(request: SystemRestoreRequest) -> dict[str, Any]:
    """Everything about a request, for operators (version ids, generations, errors included)."""
    view = request.model_dump(mode="json")
    view["costs"] = costs(request.price_cents, len(request.items))
    return view


def _use_stack(name: str) -> None:
    stack = boto3.client("cloudformation").describe_stacks(StackName=name)["Stacks"][0]
    for output in stack.get("Outputs", []):
        if output["OutputKey"] in STACK_OUTPUTS:
            os.environ[STACK_OUTPUTS[output["OutputKey"]]] = output["OutputValue"]
    for parameter in stack.get("Parameters", []):
        if parameter["ParameterKey"] in STACK_PARAMETERS:
            os.environ[STACK_PARAMETERS[parameter["ParameterKey"]]] = parameter["ParameterValue"]


def _scope(args: argparse.Namespace) -> Scope:
    return Scope(args.customer, args.administration, args.year)


def cmd_requests(resources: Resources, args: argparse.Namespace) -> Any:
    status = Status(args.status) if args.status else None
    return {"requests": [operator_view(r) for r in resources.requests.all(status)]}


def cmd_restore_points(resources: Resources, args: argparse.Namespace) -> Any:
    reader = resources.sources.reader(args.source)
    points = reader.restore_points(_scope(args), limit=args.limit)
    return {"scope": str(_scope(args)), "source": args.source, "restorePoints": [p.view() for p in points]}


def operator(resources: Resources) -> str:
    """Who runs this command: the caller's AWS identity (the operator role's session)."""
    identity = resources.session.client("sts").get_caller_identity()
    return f"operator:{identity.get('Arn', identity.get('UserId', 'unknown'))}"


def log_action(resources: Resources, customer: str, detail: str, scope: Scope | None = None) -> None:
    """An operator's action on a customer's data, in that customer's audit log."""
    resources.audit.append(
        Entry(
            customer=customer,
            actor=operator(resources),
            action=Action.OPERATOR_ACTION,
            administration=scope.administration if scope else None,
            year=scope.year if scope else None,
            detail=detail,
        )
    )


def cmd_fulfil(resources: Resources, args: argparse.Namespace) -> Any:
    request = resources.requests.find(args.request_id)
    log_action(
        resources, request.customer, f"fulfil system-restore request {request.request_id} from {args.source}"
    )
    started = resources.fulfilment.fulfil(args.request_id, args.source)
    if not args.wait:
        return started
    while True:
        execution = resources.stepfunctions.describe_execution(executionArn=started["execution"])
        if execution["status"] != "RUNNING":
            break
        time.sleep(1)
    request = resources.requests.find(args.request_id)
    return started | {"executionStatus": execution["status"], "request": operator_view(request)}


def cmd_drill(resources: Resources, args: argparse.Namespace) -> Any:
    scopes = [_scope(args)] if args.customer else None
    result = resources.drill.run(scopes, sample=args.sample, source=args.source)
    for item in result["items"]:
        scope = Scope(item["customer"], item["administration"], item["year"])
        log_action(
            resources,
            scope.customer,
            f"restore drill {result['drill_id']} (scratch copy, HEAD untouched)",
            scope,
        )
    return result


def cmd_audit_show(resources: Resources, args: argparse.Namespace) -> Any:
    log_action(resources, args.customer, "read the audit log")
    return {"records": [r.model_dump(mode="json") for r in resources.audit.records(args.customer)]}


def cmd_audit_verify(resources: Resources, args: argparse.Namespace) -> Any:
    problems = resources.audit_export.check(args.customer)
    return {"customer": args.customer, "ok": not problems, "problems": problems}


def cmd_retention_list(resources: Resources, args: argparse.Namespace) -> Any:
    """The index beside what S3 itself says of each version's lock: they must agree."""
    archives = []
    for archive in resources.retained.of_customer(args.customer):
        lock = resources.retained.lock_of(archive)
        agrees = (
            lock["mode"] == "COMPLIANCE"
            and lock["retainUntil"] == archive.retain_until
            and lock["legalHold"] == archive.legal_hold
        )
        archives.append(archive.model_dump(mode="json") | {"lock": lock, "ok": agrees})
    return {"customer": args.customer, "ok": all(a["ok"] for a in archives), "archives": archives}


def cmd_retention_hold(resources: Resources, args: argparse.Namespace) -> Any:
    archive = resources.retained.get(args.customer, args.archive_id)
    on = args.retention_command == "hold"
    log_action(
        resources,
        archive.customer,
        f"legal hold {'set on' if on else 'lifted from'} retained archive {archive.archive_id}",
        archive.scope,
    )
    archive = resources.retained.set_legal_hold(archive, on)
    return archive.model_dump(mode="json") | {"lock": resources.retained.lock_of(archive)}


def cmd_drills(resources: Resources, args: argparse.Namespace) -> Any:
    return {"drills": resources.drill.log.recent(args.limit)}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="kluis ops", description=__doc__.split("\n\n")[0])
    top.add_argument("--stack", help="read buckets, table and state machine from this stack")
    commands = top.add_subparsers(dest="command", required=True)

    requests = commands.add_parser("requests", help="customers' system-restore requests, newest first")
    requests.add_argument("--status", help="only requests in this status (e.g. received)")
    requests.set_defaults(run=cmd_requests)

    points = commands.add_parser("restore-points", help="HEAD versions of an administration/year")
    _scope_arguments(points, required=True)
    points.add_argument("--source", choices=SOURCES, default="primary")
    points.add_argument("--limit", type=int, default=50)
    points.set_defaults(run=cmd_restore_points)

    fulfil = commands.add_parser("fulfil", help="start the system restore of a request")
    fulfil.add_argument("request_id")
    fulfil.add_argument("--source", choices=SOURCES, default="primary")
    fulfil.add_argument("--wait", action="store_true", help="wait for the outcome and print it")
    fulfil.set_defaults(run=cmd_fulfil)

    drill = commands.add_parser("drill", help="restore a sample into a scratch prefix and verify it")
    _scope_arguments(drill, required=False)
    drill.add_argument("--sample", type=int, default=3, help="how many administration/years (random)")
    drill.add_argument("--source", choices=SOURCES, default="primary")
    drill.set_defaults(run=cmd_drill)

    drills = commands.add_parser("drills", help="recent drill results")
    drills.add_argument("--limit", type=int, default=20)
    drills.set_defaults(run=cmd_drills)

    audit = commands.add_parser("audit", help="the audit log: show, verify (AuditExportFunction exports it)")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    show = audit_commands.add_parser("show", help="a customer's whole log, oldest first")
    show.add_argument("--customer", required=True)
    show.set_defaults(run=cmd_audit_show)
    verify = audit_commands.add_parser(
        "verify", help="check a customer's chain and compare it with the export"
    )
    verify.add_argument("--customer", required=True)
    verify.set_defaults(run=cmd_audit_verify)

    retention = commands.add_parser("retention", help="retention archives: list, legal holds")
    retention_commands = retention.add_subparsers(dest="retention_command", required=True)
    listing = retention_commands.add_parser("list", help="a customer's retained archives and their locks")
    listing.add_argument("--customer", required=True)
    listing.set_defaults(run=cmd_retention_list)
    for name, text in (("hold", "set a legal hold"), ("release", "lift a legal hold")):
        hold = retention_commands.add_parser(name, help=f"{text} on a retained archive")
        hold.add_argument("--customer", required=True)
        hold.add_argument("archive_id")
        hold.set_defaults(run=cmd_retention_hold)
    return top


def _scope_arguments(command: argparse.ArgumentParser, required: bool) -> None:
    command.add_argument("--customer", required=required)
    command.add_argument("--administration", required=required)
    command.add_argument("--year", required=required)


def main(argv: list[str], out: Callable[[str], Any] = print) -> int:
    args = parser().parse_args(argv)
    if args.stack:
        _use_stack(args.stack)
    result = args.run(Resources(Settings.from_env(require=("DATA_BUCKET", "JOBS_TABLE"))), args)
    out(json.dumps(result, indent=2, default=str))
    if args.command in ("drill", "audit", "retention") and result.get("ok") is False:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
