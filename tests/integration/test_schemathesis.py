"""Fuzz the HTTP API from its own OpenAPI document (Powertools' resolver in kluis.api.app)
against the local gateway with a valid token: no input may produce a server error (5xx)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from kluis.api.app import app

pytestmark = pytest.mark.slow  # schemathesis: `make test` runs it, `make check` does not

CUSTOMER = "31005"


def openapi() -> dict[str, Any]:
    document = app.get_openapi_json_schema()
    raw = json.loads(document) if isinstance(document, str) else document
    # The document lacks what API Gateway adds: the base path and the JWT authorizer.
    raw.setdefault("servers", [{"url": "/api"}])
    raw.setdefault("components", {}).setdefault("securitySchemes", {})["jwt"] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    raw.setdefault("security", [{"jwt": []}])
    return raw


SCHEMA = schemathesis.openapi.from_dict(openapi())


def test_the_document_covers_the_routes_of_the_template():
    from infra.local.template import load

    routes = {
        (event["Properties"]["Method"].lower(), event["Properties"]["Path"])
        for spec in load()["Resources"].values()
        for event in (spec.get("Properties") or {}).get("Events", {}).values()
        if event["Type"] == "HttpApi"
    }
    documented = {(method, path) for path, item in SCHEMA.raw_schema["paths"].items() for method in item}
    assert routes <= documented, routes - documented


@SCHEMA.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
    derandomize=True,
)
def test_no_input_makes_the_api_fail_with_a_server_error(case, harness):
    token = harness.token(CUSTOMER)
    case.call_and_validate(
        base_url=f"{harness.gateway.url}/api",
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error],
        timeout=30,
    )
