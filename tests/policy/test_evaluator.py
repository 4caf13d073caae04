"""The evaluator against the cases the IAM User Guide documents (the pages named in evaluator.py)."""

from __future__ import annotations

import pytest

from infra.iam.evaluator import Request, UnsupportedPolicy, condition_holds, evaluate, evaluate_kms

ROLE = "arn:aws:iam::111122223333:role/kluis-ApiFunctionRole-1"
ROOT = "arn:aws:iam::111122223333:root"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def request(action="s3:GetObject", resource="arn:aws:s3:::b/k", **context):
    return Request(action, resource, ROLE, {k.replace("__", ":"): v for k, v in context.items()})


def allow(action="s3:GetObject", resource="arn:aws:s3:::b/*", condition=None, effect="Allow"):
    statement = {"Sid": "S", "Effect": effect, "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


@pytest.mark.parametrize(
    ("policy_action", "action", "matches"),
    [
        ("s3:GetObject", "s3:GetObject", True),
        ("S3:getobject", "s3:GetObject", True),  # actions are case-insensitive
        ("s3:Get*", "s3:GetObjectVersion", True),
        ("s3:GetObject", "s3:GetObjectVersion", False),
        ("kms:GenerateDataKey*", "kms:GenerateDataKey", True),
        ("kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", False),
    ],
)
def test_actions_match_with_wildcards_and_without_case(policy_action, action, matches):
    verdict = evaluate(request(action), [allow(policy_action, "*")])
    assert verdict.allowed is matches


@pytest.mark.parametrize(
    ("pattern", "resource", "matches"),
    [
        ("arn:aws:s3:::b/data/*", "arn:aws:s3:::b/data/1/2/3/HEAD", True),
        ("arn:aws:s3:::b/data/*/HEAD", "arn:aws:s3:::b/data/1/2/3/HEAD", True),
        ("arn:aws:s3:::b/data/*/HEAD", "arn:aws:s3:::b/data/1/2/3/gen/x", False),
        ("arn:aws:s3:::b/Data/*", "arn:aws:s3:::b/data/x", False),  # resources are case-sensitive
        ("arn:aws:s3:::b/data/?", "arn:aws:s3:::b/data/x", True),
        ("arn:aws:s3:::b", "arn:aws:s3:::b/k", False),  # the bucket is not its objects
    ],
)
def test_resources_match_case_sensitively(pattern, resource, matches):
    assert evaluate(request(resource=resource), [allow(resource=pattern)]).allowed is matches


def test_an_explicit_deny_wins_over_any_allow():
    deny = allow(effect="Deny", condition={"Bool": {"aws:SecureTransport": "false"}})
    assert evaluate(request(aws__SecureTransport="false"), [allow()], deny).decision == "explicitly denied"
    assert evaluate(request(aws__SecureTransport="true"), [allow()], deny).allowed
    assert evaluate(request(aws__SecureTransport="true"), [], deny).decision == "implicitly denied"


@pytest.mark.parametrize(
    ("condition", "context", "holds"),
    [
        # operators and keys are ANDed, values ORed
        ({"StringEquals": {"k": ["a", "b"]}}, {"k": "b"}, True),
        ({"StringEquals": {"k": "a", "j": "b"}}, {"k": "a", "j": "c"}, False),
        ({"StringEquals": {"k": "a"}, "StringLike": {"j": "x*"}}, {"k": "a", "j": "xyz"}, True),
        # an absent key: false, except for negated operators and ...IfExists
        ({"StringEquals": {"k": "a"}}, {}, False),
        ({"StringLike": {"k": "a*"}}, {}, False),
        ({"StringNotEquals": {"k": "a"}}, {}, True),
        ({"StringNotLike": {"k": "a*"}}, {}, True),
        ({"ArnNotLike": {"k": "arn:aws:s3:::b/*"}}, {}, True),
        ({"StringEqualsIfExists": {"k": "a"}}, {}, True),
        ({"StringEqualsIfExists": {"k": "a"}}, {"k": "b"}, False),
        # Null: is the key absent?
        ({"Null": {"k": "true"}}, {}, True),
        ({"Null": {"k": "false"}}, {}, False),
        ({"Null": {"k": "false"}}, {"k": "x"}, True),
        # names of keys are case-insensitive, values are not (except IgnoreCase)
        (
            {"StringEquals": {"KMS:ViaService": "s3.eu-west-1.amazonaws.com"}},
            {"kms:viaservice": "s3.eu-west-1.amazonaws.com"},
            True,
        ),
        ({"StringEquals": {"k": "ABC"}}, {"k": "abc"}, False),
        ({"StringEqualsIgnoreCase": {"k": "ABC"}}, {"k": "abc"}, True),
        ({"StringLike": {"k": "arn:aws:s3:::b/data/*"}}, {"k": "arn:aws:s3:::b"}, False),
        ({"ArnLike": {"k": "arn:aws:s3:::b*"}}, {"k": "arn:aws:s3:::b"}, True),
        # ARNs match per colon-separated part: a wildcard never reaches into the account
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:events:*:111122223333:rule/kluis-*"}},
            {"aws:SourceArn": "arn:aws:events:eu-west-1:111122223333:rule/kluis-sweep"},
            True,
        ),
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:events:*:111122223333:rule/kluis-*"}},
            {"aws:SourceArn": "arn:aws:events:eu-west-1:999999999999:rule/x:111122223333:rule/kluis-a"},
            False,
        ),
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:events:*"}},
            {"aws:SourceArn": "arn:aws:events:eu-west-1:999999999999:rule/x"},
            False,
        ),
        (
            {"ArnNotLike": {"aws:SourceArn": "arn:aws:events:*:111122223333:*"}},
            {"aws:SourceArn": "arn:aws:events:eu-west-1:999999999999:rule/x"},
            True,
        ),
        ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": "true"}, False),
        ({"NumericLessThanEquals": {"n": "10"}}, {"n": "7"}, True),
        # multivalued keys: ForAllValues is true for an absent or empty set; ForAnyValue is not
        (
            {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["ops"]}},
            {"dynamodb:LeadingKeys": ["ops"]},
            True,
        ),
        (
            {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["ops"]}},
            {"dynamodb:LeadingKeys": ["ops", "10234"]},
            False,
        ),
        ({"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["ops"]}}, {}, True),
        ({"ForAnyValue:StringEquals": {"k": ["a"]}}, {}, False),
        ({"ForAnyValue:StringEquals": {"k": ["a"]}}, {"k": ["b", "a"]}, True),
    ],
)
def test_conditions_follow_the_documented_operators(condition, context, holds):
    assert condition_holds(condition, Request("s3:GetObject", "arn:aws:s3:::b/k", ROLE, context)) is holds


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEqualsFancy": {"k": "a"}},
        {"ForSomeValues:StringEquals": {"k": "a"}},
        {"StringEquals": {"k": "a"}},  # given a multivalued key below
    ],
)
def test_what_it_does_not_implement_is_refused_not_guessed(condition):
    with pytest.raises(UnsupportedPolicy):
        condition_holds(condition, Request("s3:GetObject", "arn:aws:s3:::b/k", ROLE, {"k": ["a", "b"]}))
    with pytest.raises(UnsupportedPolicy):
        evaluate(request(), [allow(resource="arn:aws:s3:::b/${aws:username}/*")])


def test_a_kms_key_policy_must_allow_directly_or_delegate_to_iam():
    root = {
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}]
    }
    nobody = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:role/other"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ]
    }
    decrypt = Request("kms:Decrypt", KEY, ROLE)
    iam = allow("kms:Decrypt", KEY)
    assert evaluate_kms(decrypt, [iam], root).allowed  # delegated to IAM, and IAM allows
    assert not evaluate_kms(decrypt, [], root).allowed  # delegated, but no IAM allow
    assert not evaluate_kms(decrypt, [iam], nobody).allowed  # IAM alone is not enough
    direct = {
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:Decrypt", "Resource": "*"}
        ]
    }
    assert evaluate_kms(decrypt, [], direct).allowed


def test_a_resource_policy_naming_the_account_root_allows_nothing_by_itself():
    root = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "s3:*", "Resource": "*"}]}
    assert not evaluate(request(), [], root).allowed
    assert evaluate(request(), [allow()], root).allowed


def test_a_statement_naming_the_account_root_and_a_role_grants_to_the_role():
    both = {
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": [ROOT, ROLE]}, "Action": "s3:GetObject", "Resource": "*"}
        ]
    }
    assert evaluate(request(), [], both).allowed  # the role, named, is granted directly
    other = Request("s3:GetObject", "arn:aws:s3:::b/k", "arn:aws:iam::111122223333:role/other")
    assert not evaluate(other, [], both).allowed  # the root part grants the rest of the account nothing
    grant = {"Effect": "Allow", "Principal": {"AWS": [ROOT, ROLE]}, "Action": "kms:*", "Resource": "*"}
    assert evaluate_kms(Request("kms:Decrypt", KEY, ROLE), [], {"Statement": [grant]}).allowed
