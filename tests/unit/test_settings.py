"""Settings are read and checked once, at a function's cold start: what template.yaml gives each
function is what its handler requires, and a missing or malformed variable stops it by name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.local.template import Resolver, load
from kluis.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]


def function_environments() -> dict[str, tuple[str, dict[str, str]]]:
    """Each function of template.yaml: its code directory and its environment (Globals merged)."""
    template = load()
    resolver = Resolver(
        parameters={name: spec.get("Default") for name, spec in template["Parameters"].items()},
        refs={name: f"{name.lower()}-name" for name in template["Resources"]},
        attributes=lambda logical, attribute: f"arn:aws:states:eu-west-1:123456789012:stateMachine:{logical}",
        pseudo={
            "AWS::Region": "eu-west-1",
            "AWS::AccountId": "123456789012",
            "AWS::StackName": "kluis",
            "AWS::Partition": "aws",
        },
        conditions=template.get("Conditions", {}),
    )
    # A state machine's Ref is its ARN; other resources' Refs are names.
    for name, spec in template["Resources"].items():
        if spec["Type"] == "AWS::Serverless::StateMachine":
            resolver.refs[name] = f"arn:aws:states:eu-west-1:123456789012:stateMachine:{name}"
    common = template["Globals"]["Function"]["Environment"]["Variables"]
    found = {}
    for name, spec in template["Resources"].items():
        if spec["Type"] == "AWS::Serverless::Function":
            own = spec["Properties"].get("Environment", {}).get("Variables", {})
            environment = {key: str(value) for key, value in resolver.resolve({**common, **own}).items()}
            found[name] = (spec["Properties"]["CodeUri"], environment)
    return found


@pytest.mark.parametrize("function", sorted(function_environments()))
def test_every_function_starts_with_exactly_the_environment_the_template_gives_it(function):
    code_uri, environment = function_environments()[function]
    child = {k: v for k, v in os.environ.items() if not k.isupper() or k in ("PATH", "HOME", "LANG")}
    child |= environment | {
        "PYTHONPATH": str(ROOT / "layers" / "kluis"),  # the layer only: no tools, no tests
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
    }
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('handler', {str(ROOT / code_uri / 'app.py')!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "assert callable(module.handler)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=child, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_missing_variable_is_named():
    with pytest.raises(SettingsError, match="JOBS_TABLE"):
        Settings.from_env({"DATA_BUCKET": "data"}, require=("DATA_BUCKET", "JOBS_TABLE"))


def test_an_empty_variable_is_an_unset_one():
    with pytest.raises(SettingsError, match="REPLICA_BUCKET"):
        Settings.from_env({"REPLICA_BUCKET": ""}, require=("REPLICA_BUCKET",))
    assert Settings.from_env({"REPLICA_BUCKET": ""}).replica_bucket is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MAX_UPLOAD_BYTES", "lots"),
        ("CONFIRMATION_ATTEMPTS", "0"),
        ("DOWNLOAD_URL_SECONDS", "-5"),
        ("BACKUP_STATE_MACHINE_ARN", "not-an-arn"),
        ("DATA_BUCKET", "bucket with spaces"),
        ("STAGE_TIME_BUDGET_SECONDS", "soon"),
    ],
)
def test_a_malformed_variable_stops_the_cold_start_by_name(variable, value):
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({variable: value})


def test_a_resource_the_function_was_not_given_is_named_where_it_is_needed():
    settings = Settings.from_env({})
    with pytest.raises(SettingsError, match="ARCHIVES_BUCKET"):
        settings.given(settings.archives_bucket, "ARCHIVES_BUCKET")


def test_the_time_budget_leaves_the_margin_and_honours_a_cap():
    settings = Settings.from_env({"BUILD_SAFETY_MARGIN_SECONDS": "60", "STAGE_TIME_BUDGET_SECONDS": "0"})
    assert settings.time_budget(900_000, "build") == 840
    assert settings.time_budget(900_000, "stage") == 0
