"""The tools' tests use moto's in-process mock, as the unit tests do (see `in_process_aws_only`)."""

from tests.unit.conftest import in_process_aws_only

__all__ = ["in_process_aws_only"]
