"""Every task of every state machine retries the transient faults AWS sends, bounded and with jitter.

Step Functions does not retry a task by itself: a Lambda invocation refused with
`Lambda.TooManyRequestsException`, a function's `TransientError` (kluis.transient) or a
throttled DynamoDB write fails the state unless its Retry names the error. A state without one ends
a customer's job at the first throttle (found by tests/integration/test_transient_faults.py: the
restore's AwaitConfirmation had none). The Step Functions developer guide recommends retrying
Lambda's service exceptions on every Lambda task ("Handle transient Lambda service exceptions"),
and jitter so that many executions throttled at once do not retry in step.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

MACHINES = Path(__file__).resolve().parents[2] / "infra" / "statemachines"
LAMBDA_TRANSIENT = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "TransientError",
}
DYNAMODB_TRANSIENT = {"DynamoDB.ProvisionedThroughputExceededException", "DynamoDB.ThrottlingException"}
MOST_SECONDS = 60  # a throttled task waits at most a minute between tries


def tasks(states: dict[str, Any], machine: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for name, state in states.items():
        if state["Type"] == "Task":
            yield machine, name, state
        for nested in (state.get("Iterator"), state.get("ItemProcessor"), *state.get("Branches", [])):
            if nested:
                yield from tasks(nested["States"], machine)


TASKS = [
    task
    for path in sorted(MACHINES.glob("*.asl.json"))
    for task in tasks(json.loads(path.read_text())["States"], path.name)
]


def transient_retriers(state: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = LAMBDA_TRANSIENT if ":lambda:" in state["Resource"] else DYNAMODB_TRANSIENT
    return [
        retrier
        for retrier in state.get("Retry", [])
        if "States.ALL" in retrier["ErrorEquals"] or wanted <= set(retrier["ErrorEquals"])
    ]


def test_the_machines_have_lambda_and_dynamodb_tasks():
    resources = {state["Resource"].split(":::")[1].split(".")[0] for _, _, state in TASKS}
    assert {"lambda:invoke", "dynamodb:updateItem"} <= resources


@pytest.mark.parametrize(("machine", "name", "state"), TASKS, ids=[f"{m}:{n}" for m, n, _ in TASKS])
def test_every_task_retries_the_transient_faults_of_its_service(machine, name, state):
    assert transient_retriers(state), f"{machine} {name} fails its job at the first throttle"


@pytest.mark.parametrize(("machine", "name", "state"), TASKS, ids=[f"{m}:{n}" for m, n, _ in TASKS])
def test_every_transient_retry_is_bounded_and_jittered(machine, name, state):
    for retrier in transient_retriers(state):
        assert retrier.get("JitterStrategy") == "FULL", (machine, name)
        assert 1 <= retrier["MaxAttempts"] <= 8, (machine, name)
        assert retrier.get("MaxDelaySeconds", 0) <= MOST_SECONDS and "MaxDelaySeconds" in retrier, (
            machine,
            name,
        )
