"""What a real account needs of template.yaml and infra/replica.yaml that moto never notices
(issue 16): stateful resources survive a stack's deletion, lost events are kept, logs are kept for
a while and access is logged, the API is throttled, and the identity provider is named explicitly."""

from __future__ import annotations

import re
from typing import Any

import pytest

from infra.local.template import ROOT, load
from infra.preflight import MAX_BUCKET_NAME, longest_stack_name, uploads_bucket_name

MAIN = load()
REPLICA = load(ROOT / "infra" / "replica.yaml")
RESOURCES: dict[str, dict[str, Any]] = MAIN["Resources"]
FUNCTIONS = {n: s for n, s in RESOURCES.items() if s["Type"] == "AWS::Serverless::Function"}


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {n: s for n, s in template["Resources"].items() if s["Type"] == kind}


# -- finding 6: deleting or replacing a stack keeps the data and the keys that read it ----------------
RETAINED = [
    (MAIN, "DataKey"),  # encrypts the data bucket and the jobs table: without it both are unreadable
    (MAIN, "ManifestMacKey"),  # verifies the backups users hold: without it none can be restored
    (MAIN, "DataBucket"),
    (MAIN, "JobsTable"),
    (MAIN, "AuditBucket"),  # the audit log's copy nobody can rewrite
    (MAIN, "RetentionBucket"),  # closed years under Object Lock, for 7 or 10 years
    (MAIN, "RetentionKey"),  # the retention archives are unreadable without it
    (REPLICA, "ReplicaBucket"),
    (REPLICA, "ReplicaKey"),  # the Object-Locked replicas are unreadable without it
]


@pytest.mark.parametrize(("template", "logical_id"), RETAINED, ids=[r[1] for r in RETAINED])
def test_data_and_its_keys_are_retained_when_the_stack_is_deleted_or_replaces_them(template, logical_id):
    spec = template["Resources"][logical_id]
    assert spec.get("DeletionPolicy") == "Retain", logical_id
    assert spec.get("UpdateReplacePolicy") == "Retain", logical_id


def test_every_kms_key_and_stateful_store_is_in_the_retained_list():
    retained = {logical for _, logical in RETAINED}
    stateful = ("AWS::KMS::Key", "AWS::DynamoDB::Table")
    for template in (MAIN, REPLICA):
        for logical, spec in template["Resources"].items():
            if spec["Type"] in stateful and logical != "WebKey":  # the web client is re-published from git
                assert logical in retained, logical


# -- finding 7: events that could not be handled are kept, and someone is told ----------------------------
ASYNC_EVENTS = ("S3", "Schedule", "ScheduleV2")


def async_functions() -> dict[str, dict[str, Any]]:
    return {
        name: spec
        for name, spec in FUNCTIONS.items()
        if any(e["Type"] in ASYNC_EVENTS for e in spec["Properties"].get("Events", {}).values())
    }


def test_the_restore_trigger_and_the_drill_are_invoked_asynchronously():
    assert {"RestoreTriggerFunction", "DrillFunction"} <= set(async_functions())


@pytest.mark.parametrize("function", sorted(async_functions()))
def test_an_asynchronous_invocation_that_fails_lands_in_the_failed_events_queue(function):
    config = FUNCTIONS[function]["Properties"]["EventInvokeConfig"]
    on_failure = config["DestinationConfig"]["OnFailure"]
    assert on_failure["Type"] == "SQS"
    assert on_failure["Destination"] == {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]}
    assert 0 <= int(config["MaximumRetryAttempts"]) <= 2
    for event in FUNCTIONS[function]["Properties"]["Events"].values():
        if event["Type"] in ("Schedule", "ScheduleV2"):  # EventBridge could not invoke at all
            assert event["Properties"]["DeadLetterConfig"] == {
                "Arn": {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]}
            }


def test_a_failed_event_raises_an_alarm_and_is_kept_long_enough_to_be_handled():
    queue = RESOURCES["FailedEventsQueue"]["Properties"]
    assert int(queue["MessageRetentionPeriod"]) == 14 * 86400  # SQS's maximum
    alarms = [
        spec["Properties"]
        for spec in of_type(MAIN, "AWS::CloudWatch::Alarm").values()
        if spec["Properties"].get("Namespace") == "AWS/SQS"
    ]
    assert any(
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["FailedEventsQueue", "QueueName"]}} in a["Dimensions"]
        and a["MetricName"] == "ApproximateNumberOfMessagesVisible"
        for a in alarms
    )


def test_stale_restores_are_expired_on_a_schedule():
    spec = FUNCTIONS["ExpireStaleRestoresFunction"]["Properties"]
    events = [e for e in spec["Events"].values() if e["Type"] in ("Schedule", "ScheduleV2")]
    assert events, "the sweeper runs on a schedule"
    assert spec["Environment"]["Variables"]["RESTORE_UPLOAD_WAIT_SECONDS"] == {
        "Ref": "RestoreUploadWaitSeconds"
    }


# -- finding 8: logs with retention, access logs, throttling ------------------------------------------------
def test_every_function_has_a_log_group_with_retention():
    groups = {
        re.sub(r"^/aws/lambda/\$\{(\w+)\}$", r"\1", spec["Properties"]["LogGroupName"]["Fn::Sub"]): spec
        for spec in of_type(MAIN, "AWS::Logs::LogGroup").values()
        if "/aws/lambda/" in str(spec["Properties"].get("LogGroupName"))
    }
    assert set(groups) == set(FUNCTIONS), set(FUNCTIONS) ^ set(groups)
    for spec in of_type(MAIN, "AWS::Logs::LogGroup").values():
        assert spec["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_the_http_api_logs_access_and_is_throttled_by_parameters():
    api = RESOURCES["HttpApi"]["Properties"]
    assert api["AccessLogSettings"]["DestinationArn"] == {"Fn::GetAtt": ["HttpApiAccessLogs", "Arn"]}
    fmt = api["AccessLogSettings"]["Format"]
    for field in ("$context.requestId", "$context.status", "$context.routeKey", "$context.identity.sourceIp"):
        assert field in fmt
    route = api["DefaultRouteSettings"]
    assert route["ThrottlingBurstLimit"] == {"Ref": "ApiThrottlingBurstLimit"}
    assert route["ThrottlingRateLimit"] == {"Ref": "ApiThrottlingRateLimit"}


def test_cloudfront_and_every_bucket_log_access_to_the_access_logs_bucket():
    logging = RESOURCES["WebDistribution"]["Properties"]["DistributionConfig"]["Logging"]
    assert logging["Bucket"] == {"Fn::GetAtt": ["AccessLogsBucket", "DomainName"]}
    for name, spec in of_type(MAIN, "AWS::S3::Bucket").items():
        if name == "AccessLogsBucket":
            continue
        config = spec["Properties"]["LoggingConfiguration"]
        assert config["DestinationBucketName"] == {"Ref": "AccessLogsBucket"}, name
        assert config["LogFilePrefix"].startswith("s3/"), name
    logs = RESOURCES["AccessLogsBucket"]["Properties"]
    assert any("ExpirationInDays" in rule for rule in logs["LifecycleConfiguration"]["Rules"])


@pytest.mark.parametrize("parameter", ["JwtIssuer", "JwtAudience"])
def test_the_identity_provider_must_be_named_at_deploy_time(parameter):
    """A placeholder issuer deploys a stack that answers 401 to everything: no default, so the deploy
    fails without one."""
    assert "Default" not in MAIN["Parameters"][parameter]


def test_the_template_says_how_the_uploads_bucket_name_limits_the_stack_name():
    name = RESOURCES["UploadsBucket"]["Properties"]["BucketName"]["Fn::Sub"]
    assert name == "${AWS::StackName}-uploads-${AWS::AccountId}-${AWS::Region}"
    assert uploads_bucket_name("kluis", "123456789012", "eu-west-1") == "kluis-uploads-123456789012-eu-west-1"
    assert longest_stack_name("eu-west-1") == MAX_BUCKET_NAME - len("-uploads-123456789012-eu-west-1") == 32
    text = (ROOT / "template.yaml").read_text()
    assert "at most 32 characters in eu-west-1" in text
    assert "python -m infra.preflight" in text


@pytest.mark.parametrize(
    ("stack", "region", "ok"),
    [
        ("kluis", "eu-west-1", True),
        ("k" * 32, "eu-west-1", True),
        ("k" * 33, "eu-west-1", False),
        ("k" * 28, "ap-southeast-4", False),  # 14-character region names leave 27
        ("Kluis", "eu-west-1", False),  # bucket names are lowercase; stack names need not be
        ("kluis_prod", "eu-west-1", False),
    ],
)
def test_preflight_refuses_a_stack_name_the_uploads_bucket_cannot_carry(stack, region, ok):
    from infra.preflight import main, problems

    assert (problems(stack, region) == []) is ok
    assert main(["--stack", stack, "--region", region]) == (0 if ok else 1)


def test_the_local_stack_passes_the_required_identity_parameters_its_gateway_checks():
    from infra.local import gateway
    from infra.local.stack import LOCAL_PARAMETERS

    required = {name for name, spec in MAIN["Parameters"].items() if "Default" not in spec}
    assert required == set(LOCAL_PARAMETERS)
    assert LOCAL_PARAMETERS["JwtIssuer"] == gateway.ISSUER
    assert LOCAL_PARAMETERS["JwtAudience"] == gateway.AUDIENCE


def test_every_documented_non_guided_sam_deploy_names_where_its_code_goes():
    """Without samconfig.toml (not committed) a non-guided `sam deploy` needs `--resolve-s3` or
    `--s3-bucket`, or it stops with "S3 Bucket not specified"."""
    commands = []
    for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        text = path.read_text().replace("\\\n", " ")  # a command continued over lines is one line
        text = re.sub(r"`[^`]*`", lambda code: code.group(0).replace("\n", " "), text)  # so is inline code
        commands += [(path.name, line) for line in text.splitlines() if re.search(r"\bsam deploy\b", line)]
    deploys = [(name, line) for name, line in commands if "--stack-name" in line and "--guided" not in line]
    assert deploys, "no documented sam deploy command found"
    for name, line in deploys:
        assert "--resolve-s3" in line or "--s3-bucket" in line, f"{name}: {line.strip()}"


@pytest.mark.parametrize("given", ["", "arn:aws:sns:eu-west-1:111122223333:ours"], ids=["made", "given"])
def test_every_alarm_notifies_a_topic_the_stack_makes_unless_one_is_given(given):
    from infra.iam.deployment import Deployment

    main = Deployment(parameters={"AlarmTopicArn": given, "AlarmEmail": "ops@example.nl"}).main
    topic = given or main.attribute("AlarmTopic", "Arn")
    alarms = main.resources("AWS::CloudWatch::Alarm")
    assert alarms
    for alarm in alarms:
        assert main.properties(alarm)["AlarmActions"] == [topic], alarm
    assert main.exists("AlarmTopic") is (given == "")
    assert main.exists("AlarmEmailSubscription") is (given == "")


def test_the_api_holds_concurrency_of_its_own_so_long_builds_cannot_starve_it():
    from infra.iam.deployment import Deployment

    assert int(MAIN["Parameters"]["ApiReservedConcurrency"]["Default"]) >= 10
    reserved = Deployment().main.properties("ApiFunction")["ReservedConcurrentExecutions"]
    assert int(reserved) == int(MAIN["Parameters"]["ApiReservedConcurrency"]["Default"])
    none = Deployment(parameters={"ApiReservedConcurrency": "0"}).main.properties("ApiFunction")
    assert "ReservedConcurrentExecutions" not in none  # an account too small to reserve any
