"""The reviewed baseline of `make lint`'s static checks (checkov, cfn-lint with the serverless rules):
every suppression sits on its resource in the template's Metadata with its reason, none is a blanket
skip, and the set of suppressions is exactly the one reviewed here, so a new one is a reviewed change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from infra.local.template import ROOT, load

TEMPLATES = {"template.yaml": load(), "infra/replica.yaml": load(ROOT / "infra" / "replica.yaml")}
FUNCTIONS = {
    n for n, s in TEMPLATES["template.yaml"]["Resources"].items() if s["Type"] == "AWS::Serverless::Function"
}
LOG_GROUPS = {
    n for n, s in TEMPLATES["template.yaml"]["Resources"].items() if s["Type"] == "AWS::Logs::LogGroup"
}

BASELINE = {
    # every function: no VPC, no KMS key for plain settings, no reserved concurrency, and a DLQ only
    # where the invocation is asynchronous (there: an OnFailure destination instead)
    "CKV_AWS_117": FUNCTIONS,
    "CKV_AWS_173": FUNCTIONS,
    "CKV_AWS_115": FUNCTIONS - {"ApiFunction"},  # the API holds concurrency of its own (issue 20)
    "CKV_AWS_116": FUNCTIONS,
    "CKV_AWS_158": LOG_GROUPS,  # log groups encrypted by CloudWatch Logs, not by a KMS key of ours
    # unversioned
    "CKV_AWS_21": {
        "ArchivesBucket",
        "UploadsBucket",
        "WebBucket",
        "AccessLogsBucket",
        "ReplicaAccessLogsBucket",
    },
    "CKV_AWS_18": {"AccessLogsBucket", "ReplicaAccessLogsBucket"},  # access-log buckets log nowhere
    "CKV_AWS_26": {"AlarmTopic"},  # alarm names and states, no customer data; CloudWatch needs a CMK
    "ES7000": {"AlarmEmailSubscription"},  # an undelivered alarm mail loses no state
    "CKV_AWS_7": {"ManifestMacKey"},  # an HMAC key cannot rotate automatically
    "CKV_AWS_68": {"WebDistribution"},  # no WAF in front of static files
    "CKV_AWS_174": {"WebDistribution"},  # the default CloudFront certificate
    "CKV_AWS_27": {"FailedEventsQueue"},  # SSE-SQS, which checkov 3.3.30 does not recognise
    "ES6000": {"FailedEventsQueue"},  # the dead-letter queue has no redrive of its own
}


def suppressions() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for template in TEMPLATES.values():
        for name, spec in template["Resources"].items():
            metadata: dict[str, Any] = spec.get("Metadata", {})
            for skip in metadata.get("checkov", {}).get("skip", []):
                found.setdefault(skip["id"], set()).add(name)
            for check in metadata.get("cfn-lint", {}).get("config", {}).get("ignore_checks", []):
                found.setdefault(check, set()).add(name)
    return found


def test_the_suppressions_are_exactly_the_reviewed_baseline():
    assert suppressions() == BASELINE


def test_every_suppression_says_why_on_its_resource():
    for path, template in TEMPLATES.items():
        for name, spec in template["Resources"].items():
            metadata = spec.get("Metadata", {})
            for skip in metadata.get("checkov", {}).get("skip", []):
                assert len(str(skip.get("comment", ""))) > 30, (path, name, skip)
            reasons = metadata.get("suppressions", {})
            for check in metadata.get("cfn-lint", {}).get("config", {}).get("ignore_checks", []):
                assert len(str(reasons.get(check, ""))) > 30, (path, name, check)


def test_make_lint_runs_both_checkers_over_both_templates_without_blanket_skips():
    makefile = (ROOT / "Makefile").read_text()
    assert "cfn-lint template.yaml infra/replica.yaml -a cfn_lint_serverless.rules" in makefile
    assert "--framework cloudformation -f template.yaml -f infra/replica.yaml" in makefile
    assert "--skip-check" not in makefile and "--ignore-checks" not in makefile
    for config in (".checkov.yaml", ".checkov.yml", ".cfnlintrc", ".cfnlintrc.yaml"):
        assert not Path(ROOT / config).exists(), config


def test_the_pre_commit_hook_runs_make_check_and_nothing_from_the_network():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    hooks = config["repos"][0]["hooks"]
    assert [(hook["entry"], hook["pass_filenames"]) for hook in hooks] == [("make check", False)]
    assert "\ncheck: " in (ROOT / "Makefile").read_text()
