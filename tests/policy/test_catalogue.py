"""A recorded call is covered by a catalogued call of its shape that relied on no more than it."""

from __future__ import annotations

import json

from infra.iam.calls import Call
from tests.policy.catalogue import check_recorded, load_catalogue, uncovered

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


def test_the_end_of_a_run_reports_each_call_outside_the_catalogue_and_nothing_else(monkeypatch):
    monkeypatch.delenv("KLUIS_RECORD_CALLS", raising=False)
    catalogued = set(load_catalogue())
    new = Call("ApiFunction", "s3", "DeleteBucket", "DataBucket")
    assert new not in catalogued
    assert check_recorded(catalogued) == []
    assert check_recorded(catalogued | {new}) == [json.dumps(new.as_dict(), sort_keys=True)]
