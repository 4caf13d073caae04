"""Every 4xx a client can get has one of two shapes, told apart by the presence of `reasonCode`:

- the API function's: {"message", "reasonCode", "reasonParams"} (+ `errors` for validation, one
  reason per field, + `attemptsLeft` after a wrong code);
- API Gateway's own, before any function runs (the JWT authorizer's 401, a route the API does not
  have): {"message"} only. HTTP APIs cannot change these answers, so the local gateway gives exactly
  them too, and clients tell them by their status (the web client: 401 = sign in again, 404 = the
  reason `request.not_found`). docs/reasons.md says so.
"""

from __future__ import annotations

import requests

from tests.integration.harness import CUSTOMER


def test_api_gateways_own_answers_carry_only_a_message(harness):
    unauthorized = harness.call("GET", "/administrations", customer=None)
    assert unauthorized.status_code == 401
    assert unauthorized.json() == {"message": "Unauthorized"}
    no_route = harness.call("GET", "/no/such/route", CUSTOMER)
    assert no_route.status_code == 404
    assert no_route.json() == {"message": "Not Found"}


def test_the_functions_answers_carry_a_reason(harness):
    missing = harness.call("POST", "/administrations/00017/years/2025/backups", CUSTOMER)
    assert missing.status_code in (400, 422), missing.text
    body = missing.json()
    assert set(body) >= {"message", "reasonCode", "reasonParams"}, body
    wrong_type = harness.call(
        "POST", "/administrations/00017/years/2025/backups", CUSTOMER, json={"includeDocuments": "yes"}
    )
    assert wrong_type.status_code == 422, wrong_type.text
    body = wrong_type.json()
    assert body["reasonCode"] == "request.field_not_boolean"
    assert body["errors"] == [
        {
            "message": body["message"],
            "reasonCode": "request.field_not_boolean",
            "reasonParams": body["reasonParams"],
        }
    ]
    no_job = harness.call("GET", "/jobs/20260101T000000-000000000000", CUSTOMER)
    assert no_job.status_code == 404
    assert no_job.json()["reasonCode"] == "job.not_found"


def test_the_answers_are_compact_json_as_the_curl_recipe_expects(harness):
    token = harness.token(CUSTOMER)
    response = requests.get(
        f"{harness.gateway.url}/api/administrations", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert response.headers["Content-Type"].startswith("application/json")
    assert '": ' not in response.text  # compact: the recipe reads fields with a JSON parser, not grep
