"""One embedded local stack for the integration tests: moto's server, resources from template.yaml,
our handlers in-process, Step Functions running the real ASL files."""

from __future__ import annotations

import os

# Small multipart parts so that test archives span several parts (moto's minimum is 5 MiB unless
# lowered before moto is imported).
os.environ.setdefault("S3_UPLOAD_PART_MIN_SIZE", str(256 * 1024))
os.environ.setdefault("S3_UPLOAD_PART_SIZE", str(256 * 1024))

import pytest

from tests.integration.harness import Harness
from tests.policy.recording import Recorder
from tests.policy.session import RECORDER

HOURLY_LIMITS = (
    "BACKUPS_PER_HOUR_PER_CUSTOMER",
    "BACKUPS_PER_HOUR_PER_ADMINISTRATION",
    "RESTORES_PER_HOUR_PER_CUSTOMER",
    "RESTORES_PER_HOUR_PER_ADMINISTRATION",
)


@pytest.fixture(scope="session")
def harness(request: pytest.FixtureRequest) -> Harness:
    harness = Harness.start()
    # The suite backs up and restores the same few administrations far more often in an hour than
    # people do; the hourly limits have their own tests (test_limits.py), which set them low.
    harness.stack.configure(**{name: "10000" for name in HOURLY_LIMITS})
    harness.recorder = record_calls(harness)
    request.config.stash[RECORDER] = harness.recorder
    yield harness
    harness.stop()


def record_calls(harness: Harness) -> Recorder:
    """Every AWS call of every function (and of `kluis ops`, as the OperatorRole) on these tests' code
    paths, for the policy tests (infra/iam/calls.py); the end of the run checks them
    (tests.policy.session)."""
    from kluis_tools import ops

    recorder = Recorder(harness.stack.logical_ids())
    harness.stack.runtime.load_hooks.append(recorder.on_load)
    resources = ops.Resources

    operator = harness.stack.credentials_of("OperatorRole")

    class OperatorResources(resources):  # type: ignore[misc,valid-type]
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            # An operator runs `kluis ops` in a session of the OperatorRole: answered under its policy.
            self.session._session.set_credentials(
                operator["aws_access_key_id"], operator["aws_secret_access_key"]
            )
            recorder.watch("OperatorRole", self.session)

    ops.Resources = OperatorResources
    return recorder


@pytest.fixture
def configure(harness: Harness):
    """`configure(NAME=value, ...)`: a configuration update of the functions (they start cold and read
    their settings anew), put back after the test."""
    before: dict[str, str | None] = {}

    def apply(**variables: str | None) -> None:
        previous = harness.stack.configure(**variables)
        for name, value in previous.items():
            before.setdefault(name, value)

    yield apply
    if before:
        harness.stack.configure(**before)
