"""What every pytest run shares: at its end, the policy catalogue check over the AWS calls every
process recorded (tests.policy.session; its hooks are registered here, where every run loads them)."""

from tests.policy.session import pytest_configure, pytest_sessionfinish, pytest_testnodedown

__all__ = ["pytest_configure", "pytest_sessionfinish", "pytest_testnodedown"]
