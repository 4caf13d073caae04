"""What every pytest run shares: at its end, the policy catalogue check over the AWS calls every
process recorded (tests.policy.session; its hooks are registered here, where every run loads them),
and the order in which pytest-xdist hands out the test files."""

from collections import Counter

import pytest

from tests.policy.session import pytest_configure, pytest_sessionfinish, pytest_testnodedown

__all__ = ["pytest_collection_modifyitems", "pytest_configure", "pytest_sessionfinish", "pytest_testnodedown"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules marked `minutes(n)` first, longest first, each test file's tests in their own order:
    pytest-xdist (`--dist loadfile --no-loadscope-reorder`) hands out whole files in this order, and a
    long file handed out last keeps one worker busy while the other idles. (Longest first is the
    classic rule for spreading jobs over machines.) And every test gets an id of its own."""

    def minutes(item: pytest.Item) -> float:
        marker = item.get_closest_marker("minutes")
        return float(marker.args[0]) if marker else 0.0

    for item in items:
        _with_params_in_its_id(item)
    repeated = sorted(nodeid for nodeid, count in Counter(item.nodeid for item in items).items() if count > 1)
    if repeated:  # pytest-xdist would run one test of each, and say nothing
        raise pytest.UsageError(f"tests with the same node id: {repeated}")
    items.sort(key=lambda item: -minutes(item))


def _with_params_in_its_id(item: pytest.Item) -> None:
    """schemathesis (4.32) names each API operation's test `test[GET /path]`, but under pytest 9 the
    operation is left out of the test's node id, so its 22 tests share one id. pytest-xdist schedules
    by node id and silently ran one of them. Put the name's brackets back into the id (pytest keeps
    it as a structured `NodeId`; there is no public setter)."""
    _, bracket, params = item.name.partition("[")
    if bracket and item._id.params is None:
        item._id = item._id.with_params(params.removesuffix("]"))
