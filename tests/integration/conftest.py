"""The embedded local stack for the integration tests: moto's server, resources from template.yaml,
our handlers in-process, Step Functions running the real ASL files."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

# Small multipart parts so that test archives span several parts (moto's minimum is 5 MiB unless
# lowered before moto is imported).
os.environ.setdefault("S3_UPLOAD_PART_MIN_SIZE", str(256 * 1024))
os.environ.setdefault("S3_UPLOAD_PART_SIZE", str(256 * 1024))

import pytest

from tests.integration.harness import HOURLY_LIMITS, Harness
from tests.policy.recording import Recorder
from tests.policy.session import RECORDER


class Stacks:
    """The local stacks of this process, one at a time: moto's backends belong to the process, so a
    stack is stopped (and its state reset) before the next starts. Modules share one stack, except a
    module marked `own_stack`, whose tests walk the whole fleet (the sweeper, a burst of restores):
    it gets a fresh stack, so that what other modules left neither slows nor changes what it sees.
    Every stack's functions report their AWS calls to the one recorder of the run."""

    def __init__(self, config: pytest.Config) -> None:
        self.recorder = Recorder({})
        config.stash[RECORDER] = self.recorder
        self.current: Harness | None = None
        self.own = False
        self._unpatch: Callable[[], None] = lambda: None

    def shared(self) -> Harness:
        if self.current is None or self.own:
            self._start(own=False)
        assert self.current is not None
        return self.current

    def fresh(self) -> Harness:
        self._start(own=True)
        assert self.current is not None
        return self.current

    def release(self) -> None:
        """A module's own stack is stopped once the module is done."""
        if self.own:
            self.stop()

    def stop(self) -> None:
        if self.current is not None:
            self._unpatch()
            self.current.stop()
            self.current = None

    def _start(self, *, own: bool) -> None:
        self.stop()
        harness = Harness.start()
        harness.stack.configure(**{name: "10000" for name in HOURLY_LIMITS})
        self._unpatch = record_calls(harness, self.recorder)
        self.current, self.own = harness, own


@pytest.fixture(scope="session")
def stacks(request: pytest.FixtureRequest) -> Iterator[Stacks]:
    stacks = Stacks(request.config)
    yield stacks
    stacks.stop()


@pytest.fixture(scope="module")
def harness(request: pytest.FixtureRequest, stacks: Stacks) -> Iterator[Harness]:
    if request.node.get_closest_marker("own_stack") is None:
        yield stacks.shared()
        return
    yield stacks.fresh()
    stacks.release()


def record_calls(harness: Harness, recorder: Recorder) -> Callable[[], None]:
    """Every AWS call of every function (and of `kluis ops`, as the OperatorRole) on these tests' code
    paths, for the policy tests (infra/iam/calls.py); the end of the run checks them
    (tests.policy.session). Returns what puts `kluis ops` back as it was."""
    from kluis_tools import ops

    recorder.names.update(harness.stack.logical_ids())
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

    def unpatch() -> None:
        ops.Resources = resources

    return unpatch


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
