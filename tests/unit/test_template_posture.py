"""Security posture of template.yaml, read as CloudFormation reads it (infra.local.template.load()).

What this proves is that the *template asks for* the posture; that AWS enforces it (TLS-only, Block
Public Access, key policies, presigned POST conditions) only a real account can show:
tests/real_account/check_posture.py, docs/security.md.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local.template import load

TEMPLATE = load()
ROOT = Path(__file__).resolve().parents[2]
RESOURCES: dict[str, dict[str, Any]] = TEMPLATE["Resources"]
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")


def of_type(*types: str) -> dict[str, dict[str, Any]]:
    return {name: spec for name, spec in RESOURCES.items() if spec["Type"] in types}


BUCKETS = of_type("AWS::S3::Bucket")
FUNCTIONS = of_type(*FUNCTION_TYPES)
KEYS = of_type("AWS::KMS::Key")


def branches(value: Any) -> Iterator[Any]:
    """Every value a (possibly Fn::If-wrapped) template value can take; AWS::NoValue is dropped."""
    if isinstance(value, dict) and set(value) == {"Fn::If"}:
        _, when_true, when_false = value["Fn::If"]
        yield from branches(when_true)
        yield from branches(when_false)
    elif value == {"Ref": "AWS::NoValue"}:
        return
    else:
        yield value


def as_list(value: Any) -> list[Any]:
    items = value if isinstance(value, list) else [value]
    return [branch for item in items for branch in branches(item)]


def refers_to(value: Any, logical_id: str) -> bool:
    """Whether a template value names the resource (Ref, GetAtt, or ${Name...} in a Sub)."""
    text = json.dumps(value)
    return (
        f'"Ref": "{logical_id}"' in text
        or f'"Fn::GetAtt": ["{logical_id}"' in text
        or "${" + logical_id + "." in text
        or "${" + logical_id + "}" in text
    )


# -- statements of every identity policy in the template ----------------------------------------
def policy_statements() -> Iterator[tuple[str, dict[str, Any]]]:
    """(owner, statement) for every statement of every identity policy (not key/bucket policies)."""
    for name, spec in RESOURCES.items():
        properties = spec.get("Properties", {})
        kind = spec["Type"]
        documents: list[Any] = []
        if kind in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            documents = [p for p in as_list(properties.get("Policies", [])) if isinstance(p, dict)]
        elif kind == "AWS::IAM::Role":
            documents = [p["PolicyDocument"] for p in as_list(properties.get("Policies", []))]
        elif kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            documents = [properties["PolicyDocument"]]
        for document in documents:
            for statement in as_list(document.get("Statement", [])):
                yield name, statement


STATEMENTS = list(policy_statements())


def test_the_template_has_the_resources_these_checks_are_about():
    assert {"DataBucket", "ArchivesBucket", "UploadsBucket"} <= set(BUCKETS)
    assert "JobsTable" in RESOURCES and "ApiFunction" in FUNCTIONS
    assert len(STATEMENTS) > 20


@pytest.mark.parametrize("bucket", sorted(BUCKETS))
def test_every_bucket_blocks_public_access(bucket):
    block = BUCKETS[bucket]["Properties"]["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }


# S3 server access logs are delivered only to a bucket whose default encryption is SSE-S3 (S3 User
# Guide, "Enabling Amazon S3 server access logging"); the access-logs bucket holds no customer data.
SSE_S3_ONLY = {"AccessLogsBucket"}


@pytest.mark.parametrize("bucket", sorted(BUCKETS))
def test_every_bucket_encrypts_with_a_kms_key(bucket):
    rules = BUCKETS[bucket]["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rules
    if bucket in SSE_S3_ONLY:
        assert [r["ServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in rules] == ["AES256"]
        return
    for rule in rules:
        default = rule["ServerSideEncryptionByDefault"]
        assert default["SSEAlgorithm"] == "aws:kms"
        key = default["KMSMasterKeyID"]
        assert key, "SSE-KMS with AWS's default key is not the posture: name our key"
        assert any(refers_to(key, name) for name in KEYS) or "Ref" in json.dumps(key), key


def bucket_policies(bucket: str) -> list[dict[str, Any]]:
    spec = BUCKETS[bucket]
    physical = spec["Properties"].get("BucketName")
    found = []
    for policy in of_type("AWS::S3::BucketPolicy").values():
        target = policy["Properties"]["Bucket"]
        if refers_to(target, bucket) or (physical is not None and target == physical):
            found.append(policy["Properties"]["PolicyDocument"])
    return found


def _arn_forms(bucket: str) -> tuple[list[str], list[str]]:
    """How a statement may name the bucket and its objects (GetAtt Arn, or the fixed-name Sub)."""
    physical = BUCKETS[bucket]["Properties"].get("BucketName")
    bucket_forms = [json.dumps({"Fn::GetAtt": [bucket, "Arn"]})]
    object_forms = [json.dumps({"Fn::Sub": "${" + bucket + ".Arn}/*"})]
    if isinstance(physical, dict) and "Fn::Sub" in physical:
        name = physical["Fn::Sub"]
        bucket_forms.append(json.dumps({"Fn::Sub": "arn:${AWS::Partition}:s3:::" + name}))
        object_forms.append(json.dumps({"Fn::Sub": "arn:${AWS::Partition}:s3:::" + name + "/*"}))
    return bucket_forms, object_forms


@pytest.mark.parametrize("bucket", sorted(BUCKETS))
def test_every_bucket_denies_plain_http_to_the_bucket_and_its_objects(bucket):
    documents = bucket_policies(bucket)
    assert documents, f"{bucket} has no bucket policy"
    bucket_forms, object_forms = _arn_forms(bucket)
    tls_only = [
        statement
        for document in documents
        for statement in as_list(document["Statement"])
        if statement["Effect"] == "Deny"
        and statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert tls_only, f"{bucket} has no TLS-only Deny"
    for statement in tls_only:
        assert statement["Principal"] == "*"
        assert statement["Action"] in ("s3:*", ["s3:*"])
        resources = [json.dumps(r) for r in as_list(statement["Resource"])]
        assert any(form in resources for form in bucket_forms), resources
        assert any(form in resources for form in object_forms), resources


def test_the_data_bucket_is_versioned_and_keeps_old_versions_for_a_while():
    properties = RESOURCES["DataBucket"]["Properties"]
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = properties["LifecycleConfiguration"]["Rules"]
    for rule in rules:  # live data never expires: an expiry rule must be scoped away from data/
        if "ExpirationInDays" in rule or "ExpirationDate" in rule:
            prefix = rule.get("Prefix") or rule.get("Filter", {}).get("Prefix") or ""
            assert prefix and not "data/".startswith(prefix), rule
    noncurrent = [r["NoncurrentVersionExpiration"] for r in rules if "NoncurrentVersionExpiration" in r]
    assert any(n.get("NoncurrentDays") == {"Ref": "NoncurrentVersionRetentionDays"} for n in noncurrent)


def test_the_jobs_table_has_point_in_time_recovery_and_kms_encryption():
    properties = RESOURCES["JobsTable"]["Properties"]
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    sse = properties["SSESpecification"]
    assert sse["SSEEnabled"] is True and sse["SSEType"] == "KMS"
    assert refers_to(sse["KMSMasterKeyId"], "DataKey")


@pytest.mark.parametrize("key", sorted(KEYS))
def test_key_policies_grant_only_the_account_root_and_keys_rotate_where_they_can(key):
    properties = KEYS[key]["Properties"]
    if properties.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT":
        assert properties["EnableKeyRotation"] is True
    statements = as_list(properties["KeyPolicy"]["Statement"])
    wildcard = [s for s in statements if s.get("Resource") == "*" or "*" in as_list(s.get("Action", []))]
    # Resource "*" means "this key" in a key policy. Two shapes are allowed: the statement that hands
    # the key to the account's IAM, and (web key only) CloudFront decrypting for this account's
    # distributions, nothing more.
    for statement in wildcard:
        assert statement["Effect"] == "Allow"
        if statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}:
            assert key == "WebKey", "only the web client's files are read by CloudFront"
            assert statement["Action"] == "kms:Decrypt" and statement["Resource"] == "*"
            assert statement["Condition"] == {
                "StringEquals": {"AWS:SourceAccount": {"Ref": "AWS::AccountId"}}
            }
            continue
        assert statement["Principal"] == {
            "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
        }, statement
        assert statement["Action"] == "kms:*" and statement["Resource"] == "*"
        assert "Condition" not in statement


def test_no_identity_policy_statement_has_a_wildcard_action_or_resource():
    offenders = []
    for owner, statement in STATEMENTS:
        actions = as_list(statement.get("Action", []))
        resources = as_list(statement.get("Resource", []))
        if any(a == "*" or (isinstance(a, str) and a.endswith(":*")) for a in actions):
            offenders.append((owner, statement.get("Sid"), "action", actions))
        if any(r == "*" for r in resources):
            offenders.append((owner, statement.get("Sid"), "resource", resources))
        if "NotAction" in statement or "NotResource" in statement:
            offenders.append((owner, statement.get("Sid"), "Not*", statement))
    assert not offenders, offenders


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_every_function_has_an_explicit_policy_of_its_own(function):
    properties = FUNCTIONS[function]["Properties"]
    if "Role" in properties:  # a role of its own, defined in the template with its statements
        role = properties["Role"]
        assert any(refers_to(role, name) for name in of_type("AWS::IAM::Role")), role
        return
    policies = as_list(properties.get("Policies", []))
    assert policies, f"{function} has no Policies: SAM would give it only the basic execution role"
    inline = [p for p in policies if isinstance(p, dict) and "Statement" in p]
    assert inline, f"{function} uses no inline statements (only managed/SAM policy templates)"
    assert not [p for p in policies if isinstance(p, str)], "no broad AWS managed policies"


def test_every_statement_names_a_sid_and_allows_or_denies_explicitly():
    for owner, statement in STATEMENTS:
        assert statement.get("Effect") in ("Allow", "Deny"), (owner, statement)
        assert statement.get("Sid"), (owner, statement)


# -- the presigned POST a restore uploads with -----------------------------------------------------
def test_the_presigned_post_fixes_the_key_the_size_range_and_the_encryption():
    from kluis.flows.restore.uploads import RestoreUploads, upload_key
    from tests.unit.conftest import world

    with world() as w:
        uploads = RestoreUploads(
            w.jobs, w.s3, w.stepfunctions, bucket="uploads-bucket", max_bytes=1048576, url_seconds=900
        )
        job, offer = uploads.create("10234")
    fields = offer["upload"]["fields"]
    assert fields["key"] == upload_key("10234", job.job_id)
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert ["eq", "$key", upload_key("10234", job.job_id)] in conditions
    assert ["content-length-range", 1, 1048576] in conditions
    assert {"bucket": "uploads-bucket"} in conditions
    # No encryption field: the bucket default (the data key) applies; `aws:kms` without a key id
    # would mean the AWS-managed key (issue 16, finding 4), and any field not in the policy is refused.
    assert not any("server-side-encryption" in str(c) for c in conditions)
    assert not any("server-side-encryption" in name for name in fields)
    assert not any(c[0] == "starts-with" for c in conditions if isinstance(c, list)), "no key prefixes"
    assert "expiration" in policy


# -- the Lambda layer ships what the functions run, and nothing else -----------------------------------
def test_the_layer_holds_no_development_tools_or_demo_data():
    layer = ROOT / TEMPLATE["Resources"]["KluisLayer"]["Properties"]["ContentUri"]
    modules = [path for path in layer.rglob("*.py")]
    assert modules, layer
    for path in modules:
        text = path.read_text()
        assert "kluis_tools" not in text and "fpdf" not in text, path
        assert path.stem not in ("seed", "ops", "cli"), path


def test_the_layer_requirements_are_the_projects_runtime_dependencies():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    text = (ROOT / "layers" / "kluis" / "requirements.txt").read_text()
    layer = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert sorted(layer) == sorted(project["dependencies"])


# -- the sweeper and the audit log ---------------------------------------------------------------------
def _writes(logical_id: str) -> list[str]:
    """The S3 resources a function may write or delete (Fn::Sub strings), from its inline policy."""
    statements = TEMPLATE["Resources"][logical_id]["Properties"]["Policies"][0]["Statement"]
    found = []
    for statement in statements:
        if "Action" not in statement:  # a statement under a condition (Fn::If)
            continue
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if any(action in ("s3:PutObject", "s3:DeleteObject") for action in actions):
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            found += [r["Fn::Sub"] if isinstance(r, dict) else r for r in resources]
    return found


def test_the_sweeper_may_write_generations_but_never_head():
    import fnmatch

    writes = _writes("SweepGenerationsFunction")
    assert writes == ["${DataBucket.Arn}/data/*/gen/*"]
    pattern = writes[0].replace("${DataBucket.Arn}/", "")
    assert not fnmatch.fnmatchcase("data/10234/00017/2025/HEAD", pattern)
    assert fnmatch.fnmatchcase("data/10234/00017/2025/gen/20261126T095823Z-7994d5bf/records/x.jsonl", pattern)


def test_only_the_export_writes_the_audit_bucket_and_it_is_object_locked():
    bucket = TEMPLATE["Resources"]["AuditBucket"]
    assert bucket["Properties"]["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]["Mode"] == "COMPLIANCE"
    assert bucket["DeletionPolicy"] == "Retain"
    writers = [
        logical
        for logical, spec in TEMPLATE["Resources"].items()
        if spec["Type"] == "AWS::Serverless::Function" and any("AuditBucket" in w for w in _writes(logical))
    ]
    assert writers == ["AuditExportFunction"]


# -- KMS through the services only (issue 16: tests/policy evaluates these against each call) -----------
def test_every_grant_on_the_data_key_is_bound_to_a_service_and_to_our_buckets_or_table():
    """No role may use the data key directly, only S3 or DynamoDB on its behalf, and only for our
    buckets (the encryption context of an S3 Bucket Key is the bucket ARN) or the jobs table."""
    grants = [(o, s) for o, s in STATEMENTS if refers_to(s.get("Resource"), "DataKey")]
    assert grants
    for owner, statement in grants:
        condition = statement.get("Condition", {}).get("StringEquals", {})
        service = json.dumps(condition.get("kms:ViaService"))
        assert "s3.${AWS::Region}" in service or "dynamodb.${AWS::Region}" in service, (owner, statement)
        context = condition.get("kms:EncryptionContext:aws:s3:arn") or condition.get(
            "kms:EncryptionContext:aws:dynamodb:tableName"
        )
        assert context, (owner, statement.get("Sid"))


# -- year-end retention archives (issue 15) --------------------------------------------------------------
def test_retention_archives_are_locked_in_compliance_mode_under_a_key_of_their_own():
    bucket = TEMPLATE["Resources"]["RetentionBucket"]
    properties = bucket["Properties"]
    assert bucket["DeletionPolicy"] == "Retain" and properties["ObjectLockEnabled"] is True
    assert properties["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]["Mode"] == "COMPLIANCE"
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    [rule] = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {"Fn::GetAtt": ["RetentionKey", "Arn"]}
    key = TEMPLATE["Resources"]["RetentionKey"]
    assert key["DeletionPolicy"] == "Retain" and key["Properties"]["EnableKeyRotation"] is True
    assert TEMPLATE["Parameters"]["RetentionYears"]["AllowedValues"] == [7, 10]


def test_only_the_retention_writer_may_write_the_retention_bucket():
    writers = [
        logical
        for logical, spec in TEMPLATE["Resources"].items()
        if spec["Type"] == "AWS::Serverless::Function"
        and any("RetentionBucket" in w for w in _writes(logical))
    ]
    assert writers == ["RetainArchiveFunction"]
    assert _writes("RetainArchiveFunction") == ["${RetentionBucket.Arn}/retained/*"]


def test_the_retention_sweep_and_the_api_read_records_but_never_documents_or_write_data():
    import fnmatch

    for function in ("RetainClosedYearsFunction", "RetainArchiveFunction", "ApiFunction"):
        assert not [w for w in _writes(function) if "DataBucket" in w], function
    pattern = "data/*/records/*.jsonl"
    assert fnmatch.fnmatchcase(
        "data/10234/00017/2023/gen/20261126T095823Z-7994d5bf/records/fiscal_year.jsonl", pattern
    )
    assert not fnmatch.fnmatchcase(
        "data/10234/00017/2023/gen/20261126T095823Z-7994d5bf/documents/d1.pdf", pattern
    )
