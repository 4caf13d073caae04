"""Bad input gets a clear 4xx and changes nothing, on every route of the API, through the local stack:
bodies that are not UTF-8 or not JSON or nested a thousand deep, bodies where a route takes none,
identifiers with a final newline, a NUL or non-ASCII digits, and odd headers and query strings.

Schemathesis (test_schemathesis.py) generates valid-looking JSON only; these are the bytes it never
sends."""

from __future__ import annotations

import re

import pytest
import requests

from kluis.scope import Scope
from tests.integration.harness import Harness, seed_scope
from tests.integration.test_events_and_tenants import BODIES, ROUTES, everything

CUSTOMER = "31006"
SCOPE = Scope(CUSTOMER, "00042", "2025")
BODY_ROUTES = sorted(path for path in BODIES if any(p == path for _, p in ROUTES))
ODD_BODIES = {
    "not UTF-8": b"\xff",
    "latin-1": "é".encode("latin-1"),
    "nested 1,000 deep": b"[" * 1000,
    "nested objects 10,000 deep": b'{"a":' * 10_000,
    "truncated JSON": b'{"includeDocuments": tr',
    "a NUL": b"\x00",
}
# Each is a well-formed value with one flaw a lax check lets through.
ODD_IDENTIFIERS = {
    "final newline": "{}\n",
    "final CRLF": "{}\r\n",
    "NUL": "{}\x00",
    "leading space": " {}",
}
# Fullwidth digits: `\d` matches them, `[0-9]` does not.
NON_ASCII_DIGITS = {"00042": "\uff10\uff10\uff10\uff14\uff12", "2025": "\uff12\uff10\uff12\uff15"}


@pytest.fixture(scope="module")
def job_ids(harness: Harness) -> dict[str, str]:
    seed_scope(harness, SCOPE, documents=0)
    backup = harness.backup("00042", "2025", documents=False, customer=CUSTOMER)
    restore = harness.call("POST", "/restores", CUSTOMER).json()
    return {"backup": backup["jobId"], "restore": restore["jobId"]}


def concrete(path: str, job_id: str, administration: str = "00042", year: str = "2025") -> str:
    path = path.replace("{administration}", administration).replace("{year}", year)
    # A retained archive is named by the id of the job that wrote it.
    return path.replace("{job_id}", job_id).replace("{archive_id}", job_id)


def raw_call(harness: Harness, method: str, path: str, body: bytes | None = None, **headers: str | bytes):
    headers = {"Authorization": f"Bearer {harness.token(CUSTOMER)}", **headers}
    if body is not None:
        headers.setdefault("Content-Type", "application/json")
    return requests.request(
        method, f"{harness.gateway.url}/api{path}", data=body, headers=headers, timeout=30
    )


def assert_clear_refusal(response: requests.Response, statuses: tuple[int, ...] = (400,)) -> None:
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    body = response.json()
    assert isinstance(body.get("message"), str) and body["message"], body
    assert re.fullmatch(r"[a-z_]+(\.[a-z_0-9]+)+", body.get("reasonCode", "")), body


@pytest.mark.parametrize("path", BODY_ROUTES)
@pytest.mark.parametrize("kind", sorted(ODD_BODIES))
def test_a_body_that_is_not_json_is_a_clear_400(harness, job_ids, path, kind):
    before = everything(harness, CUSTOMER)
    response = raw_call(harness, "POST", concrete(path, job_ids["restore"]), ODD_BODIES[kind])
    assert_clear_refusal(response)
    assert response.json()["reasonCode"] == "request.body_not_json"
    assert everything(harness, CUSTOMER) == before


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r[1] not in BODIES])
@pytest.mark.parametrize("body", [b"\xff", b"x" * (5 * 1024 * 1024), b'{"anything": 1}', b"[]"])
def test_a_route_that_takes_no_body_refuses_one(harness, job_ids, method, path, body):
    before = everything(harness, CUSTOMER)
    response = raw_call(harness, method, concrete(path, job_ids["restore"]), body)
    assert_clear_refusal(response, (400, 413))
    assert everything(harness, CUSTOMER) == before


def test_an_empty_object_or_no_body_is_what_a_restore_may_be_created_with(harness, job_ids):
    assert raw_call(harness, "POST", "/restores").status_code == 201
    assert raw_call(harness, "POST", "/restores", b"{}").status_code == 201


def test_a_body_over_the_limit_is_413(harness, job_ids):
    body = b'{"code": "' + b"1" * (1024 * 1024) + b'"}'
    response = raw_call(harness, "POST", f"/restores/{job_ids['restore']}/confirm", body)
    assert_clear_refusal(response, (413,))


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
@pytest.mark.parametrize("kind", sorted(ODD_IDENTIFIERS))
def test_an_identifier_with_a_flaw_is_refused_on_every_route(harness, job_ids, method, path, kind):
    flaw = ODD_IDENTIFIERS[kind]
    variants = []
    if "{administration}" in path:
        variants.append(concrete(path, "", administration=flaw.format("00042")))
        variants.append(concrete(path, "", year=flaw.format("2025")))
    if "{job_id}" in path or "{archive_id}" in path:
        variants += [concrete(path, flaw.format(job_id)) for job_id in job_ids.values()]
    for variant in variants:
        before = everything(harness, CUSTOMER)
        body = BODIES.get(path)
        response = harness.call(method, requests.utils.quote(variant), CUSTOMER, json=body)
        assert response.status_code in (400, 404), (variant, response.status_code, response.text[:200])
        assert_clear_refusal(response, (400, 404))
        assert everything(harness, CUSTOMER) == before


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if "{administration}" in r[1]])
def test_non_ascii_digits_are_not_digits(harness, job_ids, method, path):
    for plain, fancy in NON_ASCII_DIGITS.items():
        variant = concrete(path, "").replace(plain, fancy)
        response = harness.call(method, requests.utils.quote(variant), CUSTOMER, json=BODIES.get(path))
        assert_clear_refusal(response, (400, 404))


@pytest.mark.parametrize("field", ["administration", "year"])
@pytest.mark.parametrize("kind", [*sorted(ODD_IDENTIFIERS), "non-ASCII digits"])
def test_a_system_restore_request_item_with_a_flaw_is_refused(harness, job_ids, field, kind):
    item = {"administration": "00042", "year": "2025"}
    item[field] = (
        NON_ASCII_DIGITS[item[field]]
        if kind == "non-ASCII digits"
        else ODD_IDENTIFIERS[kind].format(item[field])
    )
    body = {**BODIES["/system-restore-requests"], "items": [item]}
    before = harness.call("GET", "/system-restore-requests", CUSTOMER).json()["requests"]
    response = harness.call("POST", "/system-restore-requests", CUSTOMER, json=body)
    assert_clear_refusal(response)
    assert harness.call("GET", "/system-restore-requests", CUSTOMER).json()["requests"] == before


def test_a_confirmation_code_with_a_flaw_is_a_wrong_code_or_refused(harness, job_ids):
    for code in ("12345\x00", "\uff11\uff12\uff13\uff14\uff15\uff16", "\n"):
        response = harness.call(
            "POST", f"/restores/{job_ids['restore']}/confirm", CUSTOMER, json={"code": code}
        )
        assert_clear_refusal(response, (400, 409, 422))


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_odd_headers_and_query_strings_never_make_a_server_error(harness, job_ids, method, path):
    url = concrete(path, job_ids["restore"])
    body = BODIES.get(path)
    for query in (
        "?x=%FF%FE",
        "?%00=%00",
        "?a=" + "%5B" * 500,
        "?" + "&".join(f"k{i}=v" for i in range(200)),
    ):
        response = harness.call(method, url + query, CUSTOMER, json=body)
        assert response.status_code < 500, (query, response.text[:200])
    for header in (b"\xff\xfe", "é".encode("latin-1"), b"x" * 4000):
        response = raw_call(harness, method, url, None if body is None else b"{}", **{"X-Odd": header})
        assert response.status_code < 500, (header[:20], response.text[:200])
