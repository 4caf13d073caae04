"""Publishing the web client to a deployed stack: every file of web/ and a config.json for the cloud."""

from __future__ import annotations

import json

import boto3
from moto import mock_aws

from infra import deploy_web

STACK_TEMPLATE = {
    "Resources": {"WebBucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "kluis-web-test"}}},
    "Outputs": {
        "WebBucketName": {"Value": {"Ref": "WebBucket"}},
        "ApiUrl": {"Value": "https://abc123.execute-api.eu-west-1.amazonaws.com"},
        "WebUrl": {"Value": "https://d111111abcdef8.cloudfront.net/"},
    },
}


@mock_aws
def test_the_page_and_a_cloud_config_are_published(capsys):
    boto3.client("cloudformation", region_name="eu-west-1").create_stack(
        StackName="kluis", TemplateBody=json.dumps(STACK_TEMPLATE)
    )
    assert (
        deploy_web.main(["--stack", "kluis", "--region", "eu-west-1", "--sign-in-url", "https://id/login"])
        == 0
    )
    s3 = boto3.client("s3", region_name="eu-west-1")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="kluis-web-test")["Contents"]}
    web = deploy_web.WEB
    files = {path.relative_to(web).as_posix() for path in web.rglob("*") if path.is_file()}
    assert {"index.html", "app.js", "i18n.js", "i18n/nl.json", "i18n/en.json", "styles.css"} <= files
    assert keys == files | {"config.json"}  # every module of the page, not a fixed list
    for key in sorted(key for key in files if key.endswith(".js")):
        # a browser runs an ES module only when it is served with a JavaScript type
        content_type = s3.head_object(Bucket="kluis-web-test", Key=key)["ContentType"]
        assert "javascript" in content_type, (key, content_type)
    for key in sorted(key for key in files if key.endswith(".json")):
        # and imports a JSON module (the texts) only when it is served as JSON
        content_type = s3.head_object(Bucket="kluis-web-test", Key=key)["ContentType"]
        assert content_type == "application/json", (key, content_type)
    config = json.loads(s3.get_object(Bucket="kluis-web-test", Key="config.json")["Body"].read())
    assert config == {
        "apiBase": "https://abc123.execute-api.eu-west-1.amazonaws.com",
        "local": False,
        "customerClaim": "custom:customer",
        "roleClaim": "custom:kluis_role",
        "signInUrl": "https://id/login",
    }
    page = s3.get_object(Bucket="kluis-web-test", Key="index.html")
    assert page["ContentType"].startswith("text/html") and page["CacheControl"] == "no-cache"
    assert "https://d111111abcdef8.cloudfront.net/" in capsys.readouterr().out


@mock_aws
def test_the_role_claim_is_the_templates_default_or_as_given():
    """The page makes itself read-only from the role claim; it must name the claim the API checks."""
    import re
    from pathlib import Path

    template = (Path(deploy_web.__file__).resolve().parents[1] / "template.yaml").read_text()
    default = re.search(r"^  RoleClaim:\n(?:    .*\n)*?    Default: (\S+)$", template, re.M)
    assert default and default.group(1) == "custom:kluis_role"

    boto3.client("cloudformation", region_name="eu-west-1").create_stack(
        StackName="kluis", TemplateBody=json.dumps(STACK_TEMPLATE)
    )
    s3 = boto3.client("s3", region_name="eu-west-1")

    def published(*extra: str) -> dict:
        assert deploy_web.main(["--stack", "kluis", "--region", "eu-west-1", *extra]) == 0
        return json.loads(s3.get_object(Bucket="kluis-web-test", Key="config.json")["Body"].read())

    assert published()["roleClaim"] == default.group(1)
    assert published("--role-claim", "custom:role")["roleClaim"] == "custom:role"
