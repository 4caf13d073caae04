"""Every grant of every role is needed by some call the product makes (tests/policy/unneeded.py):
a statement or action that no recorded call needs is removed, or justified there."""

from __future__ import annotations

import copy

from infra.iam.deployment import Deployment
from tests.policy.unneeded import Unneeded, unjustified, unneeded


def test_no_role_holds_a_grant_no_call_needs():
    found = unjustified(Deployment())
    assert found == [], "unneeded (remove, or justify in tests/policy/unneeded.py):\n" + "\n".join(
        map(str, found)
    )


def test_a_grant_no_call_needs_is_found():
    """The command finds what it should: a statement added to a role, and one action added to a
    statement the role needs."""
    deployment = Deployment()
    api = deployment.principals["ApiFunction"]
    api.policies = copy.deepcopy(api.policies)
    api.policies[0]["Statement"].append(
        {"Sid": "Extra", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::elsewhere/*"}
    )
    first = api.policies[0]["Statement"][0]
    first["Action"] = [
        *([first["Action"]] if isinstance(first["Action"], str) else first["Action"]),
        "s3:PutObjectAcl",
    ]
    found = set(unneeded(deployment))
    assert Unneeded("ApiFunction", "Extra") in found
    assert Unneeded("ApiFunction", str(first["Sid"]), "s3:PutObjectAcl") in found
