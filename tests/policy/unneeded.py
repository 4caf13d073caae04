"""Least privilege, the other way round: every statement of every role, and every action in it, is
needed by some call the product makes.

For each principal of the deployed template, each Allow statement is taken out in turn (then each of
its actions), and the calls that principal makes are evaluated again: the catalogue of calls the
integration runs recorded (calls.json), the state machines' tasks, the failure destinations and S3
replication, each with what S3 and DynamoDB ask KMS on its behalf (infra.iam.calls). A statement or
action whose removal denies nothing is unneeded. No stack runs: each removal is a re-evaluation.

A grant no recorded call needs but that must stay (a call no test can make) is named, with its reason,
in `JUSTIFIED` below; everything else it prints should be removed from template.yaml.

    .venv/bin/python -m tests.policy.unneeded     # prints what is unneeded; exit status 1 if anything
"""

from __future__ import annotations

import copy
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from infra.iam.calls import (
    expand,
    failure_destination_calls,
    replication_requests,
    requests,
    state_machine_calls,
)
from infra.iam.deployment import Deployment
from infra.iam.evaluator import Request
from tests.policy.catalogue import load_catalogue

# (principal, Sid) or (principal, Sid, action) -> why it stays though no recorded call needs it.
JUSTIFIED: dict[tuple[str, ...], str] = {
    ("ValidateRestoreFunction", "StageGenerations", "s3:AbortMultipartUpload"): (
        "DataStore.put stages a large member with boto3's managed upload, which aborts its multipart"
        " upload when a part fails: a failure path no recorded run takes"
    ),
    ("RetainArchiveFunction", "WriteLockedCopies", "s3:AbortMultipartUpload"): (
        "the locked copy is made with boto3's managed copy, which aborts its multipart upload when a"
        " part fails: a failure path no recorded run takes"
    ),
    ("SystemRestoreFunction", "CopyVersionsAndFlipHeads", "s3:DeleteObject"): (
        "a system restore item that fails after its copy removes the copied generation"
        " (flows/system_restore/fulfilment.py, item_failed): a failure path no recorded run takes"
    ),
    ("OperatorRole", "StackOutputs"): (
        "`kluis ops --stack NAME` reads the stack's outputs (cloudformation:DescribeStacks); the local"
        " stack has no CloudFormation, so no recorded run makes the call"
    ),
}


@dataclass(frozen=True)
class Unneeded:
    principal: str
    statement: str  # its Sid (or #index within its document)
    action: str = ""  # empty: the whole statement

    def __str__(self) -> str:
        what = (
            f"action {self.action} of statement {self.statement}"
            if self.action
            else f"statement {self.statement}"
        )
        return f"{self.principal}: {what}"


def requests_by_principal(deployment: Deployment) -> dict[str, list[Request]]:
    found: dict[str, list[Request]] = defaultdict(list)
    calls = (
        set(load_catalogue())
        | set(state_machine_calls(deployment))
        | set(failure_destination_calls(deployment))
    )
    for call in sorted(calls):
        for each in expand(deployment, call):
            found[each.principal].extend(requests(deployment, each))
    found["ReplicationRole"].extend(replication_requests(deployment))
    return found


def _allows_all(
    deployment: Deployment, principal: str, identity: list[dict[str, Any]], made: list[Request]
) -> bool:
    return all(deployment.judge(principal, request, identity).allowed for request in made)


def _variants(policies: list[dict[str, Any]]) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    """(statement, action, the policies without it) for each Allow statement, then each of its actions."""
    for d, document in enumerate(policies):
        statements = document.get("Statement", [])
        statements = statements if isinstance(statements, list) else [statements]
        for i, statement in enumerate(statements):
            if statement.get("Effect") != "Allow":
                continue  # a Deny grants nothing: removing it can deny no call
            name = str(statement.get("Sid") or f"#{i}")
            without = copy.deepcopy(policies)
            without[d]["Statement"] = [s for j, s in enumerate(statements) if j != i]
            yield name, "", without
            actions = statement.get("Action", [])
            if isinstance(actions, list) and len(actions) > 1:
                for action in actions:
                    fewer = copy.deepcopy(policies)
                    fewer[d]["Statement"][i]["Action"] = [a for a in actions if a != action]
                    yield name, action, fewer


def unneeded(deployment: Deployment) -> list[Unneeded]:
    made = requests_by_principal(deployment)
    found = []
    for principal, spec in deployment.principals.items():
        whole: set[str] = set()
        for statement, action, identity in _variants(spec.policies):
            if statement in whole:
                continue  # the whole statement is unneeded: its actions are not listed again
            if _allows_all(deployment, principal, identity, made.get(principal, [])):
                if not action:
                    whole.add(statement)
                found.append(Unneeded(principal, statement, action))
    return found


def unjustified(deployment: Deployment) -> list[Unneeded]:
    return [
        each
        for each in unneeded(deployment)
        if (each.principal, each.statement) not in JUSTIFIED
        and (each.principal, each.statement, each.action) not in JUSTIFIED
    ]


def main() -> int:
    found = unjustified(Deployment())
    for each in found:
        print(each)
    print(f"{len(found)} unneeded statements or actions (justified ones: {len(JUSTIFIED)})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
