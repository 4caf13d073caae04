"""A small IAM policy evaluator: does AWS allow this request, given these policies?

Why our own: moto allows every call, and what PyPI offers does not evaluate a request against
policies with their conditions (checked when this was written):

- `policyuniverse`, `parliament`, `cloudsplaining`, `policy_sentry`: parse, lint, report or generate
  policies; none decides a request.
- `iam-ape`: merges a principal's policies into one summary; conditions are carried along, not
  evaluated against a request.
- `aws-why`, `sibyl-aws`: call IAM's own simulator (`iam:SimulatePrincipalPolicy`), which needs an
  account; sibyl's local engine knows three condition keys and skips the rest.
- `principalmapper` (AGPL-3.0, last release 2022): has a local simulator, but matches resources
  case-insensitively (S3 keys and ARNs are case-sensitive) and returns false for `StringNotLike` when
  the key is absent, where AWS returns true.

So this module implements the part of IAM's evaluation logic our policies use, after the IAM User
Guide, and `tests/policy/test_evaluator.py` checks it against the cases that guide documents:

- "Policy evaluation logic": an explicit Deny in any policy wins; otherwise an Allow in an identity
  policy or in the resource's policy allows (same account); otherwise the request is implicitly
  denied. KMS is the exception: the key policy must allow, either the principal itself or the
  account root, which delegates to IAM policies ("Key policies in AWS KMS", KMS Developer Guide).
- "IAM JSON policy elements: Condition operators": operators in a Condition block and keys within
  an operator are ANDed, values of one key are ORed; a key absent from the request makes a
  condition false, except for negated operators (`StringNotEquals`, `ArnNotLike`...), which are then
  true, `...IfExists` operators, which are then true, and `Null`; `ForAllValues` is true for an
  absent or empty key, `ForAnyValue` false.
- Actions match case-insensitively, resources and condition values case-sensitively (except the
  `IgnoreCase` operators), condition key names case-insensitively; `*` and `?` are wildcards in
  actions, resources and the `Like` operators.

What it refuses rather than guesses: policy variables (`${aws:username}`), unknown condition
operators, and a multivalued request key given to a single-valued operator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

Decision = Literal["allowed", "implicitly denied", "explicitly denied"]
ContextValue = str | Sequence[str]


class UnsupportedPolicy(Exception):
    """The policy uses something this evaluator does not implement: extend it, don't guess."""


@dataclass(frozen=True)
class Request:
    """One authorization request: a principal doing an action on a resource, with its context keys."""

    action: str  # e.g. "s3:GetObject"
    resource: str  # an ARN
    principal: str  # the calling principal's ARN (a role), or a service principal ("s3.amazonaws.com")
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    why: str = ""  # what made the call (shown when a test fails)

    def key(self, name: str) -> ContextValue | None:
        for key, value in self.context.items():
            if key.lower() == name.lower():
                return value
        return None


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    allowed_by: tuple[str, ...] = ()  # Sids (or indexes) of the statements that allowed
    denied_by: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"


# -- matching -------------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _pattern(glob: str, ignore_case: bool) -> re.Pattern[str]:
    if "${" in glob:
        raise UnsupportedPolicy(f"policy variables are not supported: {glob}")
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def glob_match(glob: str, value: str, *, ignore_case: bool = False) -> bool:
    return _pattern(glob, ignore_case).fullmatch(value) is not None


def arn_match(pattern: str, arn: str) -> bool:
    """The Arn condition operators: "Each of the six colon-delimited components of the ARN is checked
    separately" (IAM User Guide, condition operators), so a wildcard never spans a colon into the
    next component (the account of `arn:aws:events:*:111122223333:rule/x` stays 111122223333)."""
    patterns, parts = pattern.split(":", 5), arn.split(":", 5)
    return len(patterns) == len(parts) == 6 and all(
        glob_match(p, part) for p, part in zip(patterns, parts, strict=True)
    )


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _action_matches(statement: Mapping[str, Any], action: str) -> bool:
    if "Action" in statement:
        return any(glob_match(a, action, ignore_case=True) for a in _as_list(statement["Action"]))
    if "NotAction" in statement:
        return not any(glob_match(a, action, ignore_case=True) for a in _as_list(statement["NotAction"]))
    raise UnsupportedPolicy(f"statement without Action or NotAction: {statement}")


def _resource_matches(statement: Mapping[str, Any], resource: str) -> bool:
    if "Resource" in statement:
        return any(glob_match(r, resource) for r in _as_list(statement["Resource"]))
    if "NotResource" in statement:
        return not any(glob_match(r, resource) for r in _as_list(statement["NotResource"]))
    return True  # resource policies (key, bucket) may omit it only where the resource is implied


def _principal_matches(statement: Mapping[str, Any], principal: str) -> bool:
    """For resource policies. `arn:aws:iam::ACCOUNT:root` is the account: see `evaluate_kms`."""
    if "NotPrincipal" in statement:
        raise UnsupportedPolicy("NotPrincipal is not supported")
    named = statement.get("Principal")
    if named is None:
        return True  # an identity policy
    if named == "*":
        return True
    found = []
    for kind, values in named.items():
        for value in _as_list(values):
            found.append((kind, value))
    return any(
        value == "*" or value == principal or (kind == "AWS" and _is_root_of(value, principal))
        for kind, value in found
    )


def _is_root_of(root: str, principal: str) -> bool:
    """The account root names every principal of that account (the delegation to IAM)."""
    match = re.fullmatch(r"arn:aws[a-z-]*:iam::(\d{12}):root", root)
    return bool(match) and f"::{match.group(1)}:" in principal


# -- conditions ----------------------------------------------------------------------------------
_STRING = {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"}
_LIKE = {"StringLike", "StringNotLike", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"}
_NUMERIC = {
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
}
_OTHER = {"Bool", "Null"}


def _single(operator: str, policy_values: list[Any], value: str) -> bool:
    """One request value against a non-negated operator's policy values (ORed)."""
    if operator in ("StringEquals", "StringNotEquals"):
        return any(str(v) == value for v in policy_values)
    if operator in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        return any(str(v).lower() == value.lower() for v in policy_values)
    if operator.startswith("Arn"):
        return any(arn_match(str(v), value) for v in policy_values)
    if operator in _LIKE:
        return any(glob_match(str(v), value) for v in policy_values)
    if operator == "Bool":
        return any(str(v).lower() == value.lower() for v in policy_values)
    if operator in _NUMERIC:
        number = float(value)
        compare = {
            "NumericEquals": lambda a: number == a,
            "NumericNotEquals": lambda a: number == a,
            "NumericLessThan": lambda a: number < a,
            "NumericLessThanEquals": lambda a: number <= a,
            "NumericGreaterThan": lambda a: number > a,
            "NumericGreaterThanEquals": lambda a: number >= a,
        }[operator]
        return any(compare(float(v)) for v in policy_values)
    raise UnsupportedPolicy(f"condition operator {operator}")


def _negated(operator: str) -> bool:
    return "Not" in operator


def condition_holds(condition: Mapping[str, Mapping[str, Any]], request: Request) -> bool:
    for full_operator, keys in condition.items():
        qualifier, _, operator = full_operator.rpartition(":")
        if_exists = operator.endswith("IfExists")
        operator = operator.removesuffix("IfExists")
        if operator not in _STRING | _LIKE | _NUMERIC | _OTHER:
            raise UnsupportedPolicy(f"condition operator {full_operator}")
        if qualifier not in ("", "ForAllValues", "ForAnyValue"):
            raise UnsupportedPolicy(f"condition set operator {qualifier}")
        for key, values in keys.items():
            policy_values = _as_list(values)
            present = request.key(key)
            if operator == "Null":
                absent = present is None or present == "" or present == []
                if not any(str(v).lower() == str(absent).lower() for v in policy_values):
                    return False
                continue
            if qualifier:
                request_values = [] if present is None else _as_list(present)
                results = [
                    _single(operator, policy_values, str(v)) != _negated(operator) for v in request_values
                ]
                holds = all(results) if qualifier == "ForAllValues" else any(results)
            elif present is None:
                holds = if_exists or _negated(operator)
            elif isinstance(present, list | tuple):
                raise UnsupportedPolicy(f"{key} is multivalued: use ForAllValues/ForAnyValue with {operator}")
            else:
                holds = _single(operator, policy_values, str(present)) != _negated(operator)
            if not holds:
                return False
    return True


# -- statements and policies ---------------------------------------------------------------------
def statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [s for s in _as_list(document.get("Statement", [])) if s]


def statement_applies(statement: Mapping[str, Any], request: Request) -> bool:
    return (
        _principal_matches(statement, request.principal)
        and _action_matches(statement, request.action)
        and _resource_matches(statement, request.resource)
        and condition_holds(statement.get("Condition", {}), request)
    )


def _name(statement: Mapping[str, Any], index: int) -> str:
    return str(statement.get("Sid") or f"#{index}")


def _matching(documents: Iterable[Mapping[str, Any]], request: Request, effect: str) -> list[str]:
    found = []
    for document in documents:
        for index, statement in enumerate(statements(document)):
            if statement.get("Effect") == effect and statement_applies(statement, request):
                found.append(_name(statement, index))
    return found


def evaluate(
    request: Request,
    identity: Sequence[Mapping[str, Any]],
    resource_policy: Mapping[str, Any] | None = None,
) -> Verdict:
    """Same-account evaluation: explicit Deny anywhere, else an Allow in either policy, else implicit Deny."""
    documents = [*identity, *([resource_policy] if resource_policy else [])]
    denied = _matching(documents, request, "Deny")
    if denied:
        return Verdict("explicitly denied", denied_by=tuple(denied))
    allowed = _matching(identity, request, "Allow")
    if resource_policy:
        allowed += [
            f"resource:{name}"
            for name in _matching([_direct_grants(resource_policy, request)], request, "Allow")
        ]
    return Verdict("allowed", allowed_by=tuple(allowed)) if allowed else Verdict("implicitly denied")


def _direct_grants(policy: Mapping[str, Any], request: Request) -> Mapping[str, Any]:
    """A resource policy's statements as they grant to the principal itself (or everyone), not to
    its account: an account-root principal delegates to IAM and allows nothing by itself, so it is
    taken out of each statement's Principal; a statement that named only roots is left out."""
    kept = []
    for statement in statements(policy):
        principal = statement.get("Principal")
        if not isinstance(principal, dict):
            kept.append(statement)
            continue
        named = {
            kind: [v for v in _as_list(values) if not (kind == "AWS" and _is_root_of(v, request.principal))]
            for kind, values in principal.items()
        }
        named = {kind: values for kind, values in named.items() if values}
        if named:
            kept.append({**statement, "Principal": named})
    return {"Statement": kept}


def evaluate_kms(
    request: Request, identity: Sequence[Mapping[str, Any]], key_policy: Mapping[str, Any]
) -> Verdict:
    """KMS: the key policy must allow the principal directly, or allow the account root (delegating to
    IAM) while an identity policy allows; an explicit Deny in either wins."""
    denied = _matching([*identity, key_policy], request, "Deny")
    if denied:
        return Verdict("explicitly denied", denied_by=tuple(denied))
    direct = _matching([_direct_grants(key_policy, request)], request, "Allow")
    if direct:
        return Verdict("allowed", allowed_by=tuple(f"key:{name}" for name in direct))
    delegating = _matching([key_policy], request, "Allow")  # only root statements are left to match
    if delegating:
        allowed = _matching(identity, request, "Allow")
        if allowed:
            return Verdict("allowed", allowed_by=tuple(allowed))
    return Verdict("implicitly denied")
