"""Checks a stack name and region before `sam deploy` (docs/operations.md, first deploy).

    python -m infra.preflight --stack kluis --region eu-west-1 [--account 123456789012]

The uploads bucket has a fixed name, `${AWS::StackName}-uploads-${AWS::AccountId}-${AWS::Region}`
(template.yaml says why), and S3 bucket names are 3-63 characters of lowercase letters, digits, dots
and hyphens. So the stack name may hold no capitals or underscores, and it is at most
63 - len("-uploads-") - 12 - 1 - len(region) characters long: 32 in eu-west-1, 27 in the longest region
names. CloudFormation cannot check this itself (its Rules have no string length), and a bad name only
fails half way through the deploy, when S3 refuses the bucket.
"""

from __future__ import annotations

import argparse
import re
import sys

MAX_BUCKET_NAME = 63
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
EXAMPLE_ACCOUNT = "123456789012"  # every account id has 12 digits


def uploads_bucket_name(stack: str, account: str, region: str) -> str:
    return f"{stack}-uploads-{account}-{region}"


def longest_stack_name(region: str) -> int:
    return MAX_BUCKET_NAME - len(uploads_bucket_name("", EXAMPLE_ACCOUNT, region))


def problems(stack: str, region: str, account: str = EXAMPLE_ACCOUNT) -> list[str]:
    found = []
    name = uploads_bucket_name(stack, account, region)
    if len(stack) > longest_stack_name(region):
        found.append(
            f"stack name {stack!r} is {len(stack)} characters; in {region} it may be at most "
            f"{longest_stack_name(region)}, or the uploads bucket's name {name!r} exceeds 63"
        )
    if not BUCKET_NAME.match(name) or ".." in name:
        found.append(
            f"stack name {stack!r} makes the uploads bucket {name!r}: use lowercase letters, digits, '-'"
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stack", required=True)
    parser.add_argument("--region", required=True)
    parser.add_argument("--account", default=EXAMPLE_ACCOUNT)
    args = parser.parse_args(argv)
    found = problems(args.stack, args.region, args.account)
    for problem in found:
        print(problem, file=sys.stderr)
    if not found:
        print(f"ok: uploads bucket {uploads_bucket_name(args.stack, args.account, args.region)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
