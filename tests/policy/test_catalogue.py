"""A recorded call is covered by a catalogued call of its shape that relied on no more than it."""

from __future__ import annotations

from infra.iam.calls import Call
from tests.policy.catalogue import uncovered

HEAD = Call("OperatorRole", "s3", "HeadObject", "RetentionBucket", key="retained/{n}/{job}.zip", version=True)


def test_a_read_of_fewer_lock_headers_is_covered_by_one_of_more():
    both = Call(**(HEAD.as_dict() | {"reads": ("retention", "legal-hold")}))
    retention = Call(**(HEAD.as_dict() | {"reads": ("retention",)}))
    assert uncovered([retention, HEAD], [both]) == []
    assert uncovered([both], [retention]) == [both]  # it relied on the legal hold header too


def test_a_read_that_found_its_key_missing_needs_a_catalogued_one_that_did():
    missing = Call(**(HEAD.as_dict() | {"missing": True}))
    assert uncovered([missing], [HEAD]) == [missing]  # s3:ListBucket would go unevaluated
    assert uncovered([HEAD], [missing]) == []


def test_another_shape_is_never_covered():
    other = Call(**(HEAD.as_dict() | {"key": "retained/other"}))
    assert uncovered([other], [HEAD]) == [other]
