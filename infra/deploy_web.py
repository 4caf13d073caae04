"""Publish the web client to a deployed stack: `python -m infra.deploy_web --stack NAME`.

Uploads `web/` to the stack's WebBucket (served by its CloudFront distribution) and writes the
`config.json` the page reads: where the API is, which claims hold the customer and the user's role
(the template's CustomerClaim and RoleClaim: a `read-only` role makes the page read-only), and where
to sign in (the identity provider's hosted sign-in, which returns to the page with a token).
"""

from __future__ import annotations

import argparse
import json
import mimetypes
from pathlib import Path
from typing import Any

import boto3

WEB = Path(__file__).resolve().parents[1] / "web"
SHORT_CACHE = "no-cache"  # the page and its config must change with a deployment
LONG_CACHE = "public, max-age=300"


def outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def publish(s3: Any, bucket: str, config: dict[str, Any]) -> list[str]:
    uploaded = []
    for path in sorted(WEB.rglob("*")):
        if path.is_file():
            key = path.relative_to(WEB).as_posix()
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            cache = SHORT_CACHE if key == "index.html" else LONG_CACHE
            extra = {"ContentType": content_type, "CacheControl": cache}
            s3.upload_file(str(path), bucket, key, ExtraArgs=extra)
            uploaded.append(key)
    s3.put_object(
        Bucket=bucket,
        Key="config.json",
        Body=json.dumps(config, indent=1).encode(),
        ContentType="application/json",
        CacheControl=SHORT_CACHE,
    )
    return [*uploaded, "config.json"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack", required=True, help="the deployed SAM stack's name")
    parser.add_argument("--region", default=None)
    parser.add_argument("--sign-in-url", default="", help="hosted sign-in URL (e.g. Cognito's /login?...)")
    parser.add_argument("--customer-claim", default="custom:customer")
    parser.add_argument(
        "--role-claim",
        default="custom:kluis_role",
        help="the JWT claim with the user's role, as the stack's RoleClaim parameter",
    )
    args = parser.parse_args(argv)
    session = boto3.session.Session(region_name=args.region)
    found = outputs(session.client("cloudformation"), args.stack)
    config = {
        "apiBase": found["ApiUrl"],
        "local": False,
        "customerClaim": args.customer_claim,
        "roleClaim": args.role_claim,
        "signInUrl": args.sign_in_url,
    }
    keys = publish(session.client("s3"), found["WebBucketName"], config)
    print(f"published {len(keys)} files; the web client is at {found['WebUrl']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
