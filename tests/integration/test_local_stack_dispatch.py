"""The local stack's moto server finds each request's backend as moto does, at less CPU per request:
it asks moto once per host (moto lists its own package directory every time), and its Flask apps run
without debug mode's per-request class (infra.local.stack._Dispatcher)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from flask import Flask
from moto import backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from infra.local.stack import _Dispatcher

HOSTS = [
    None,
    "moto_api",
    "s3",
    "s3.eu-west-1.amazonaws.com",
    "kluis-local-data.s3.eu-west-1.amazonaws.com",
    "dynamodb.eu-west-1.amazonaws.com",
    "kms.eu-west-1.amazonaws.com",
    "lambda.eu-west-1.amazonaws.com",
    "states.eu-west-1.amazonaws.com",
    "not-a-service.example",
]


@pytest.fixture
def listings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How often moto lists its package directory (one element per listing)."""
    calls: list[int] = []
    original = backends.list_of_moto_modules

    def counted() -> Iterable[str]:
        calls.append(1)
        return original()

    monkeypatch.setattr(backends, "list_of_moto_modules", counted)
    return calls


def endpoints(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()}


def test_every_host_goes_to_the_backend_moto_itself_chooses():
    ours, moto = _Dispatcher(create_backend_app), DomainDispatcherApplication(create_backend_app)

    assert [ours.get_backend_for_host(host) for host in HOSTS] == [
        moto.get_backend_for_host(host) for host in HOSTS
    ]


def test_moto_is_asked_once_per_host_however_many_requests_come(listings: list[int]):
    dispatcher = _Dispatcher(create_backend_app)

    for _ in range(50):
        for host in HOSTS:
            dispatcher.get_backend_for_host(host)

    assert len(listings) <= len(HOSTS)


def test_an_s3_request_is_served_by_an_app_without_debug_mode_whose_errors_reach_the_server():
    environ = {
        "PATH_INFO": "/kluis-local-data/some/key",
        "REQUEST_METHOD": "GET",
        "HTTP_HOST": "s3.eu-west-1.amazonaws.com",
        "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=kluis-local/20261126/eu-west-1/s3/aws4_request, "
        "SignedHeaders=host, Signature=0",
    }

    app = _Dispatcher(create_backend_app).get_application(environ)
    moto_app = DomainDispatcherApplication(create_backend_app).get_application(dict(environ))

    assert endpoints(app) == endpoints(moto_app) and "type.key_dispatch" in endpoints(app)  # S3's routes
    assert moto_app.debug is True  # moto's own choice, which this dispatcher undoes
    assert app.debug is False
    assert app.config["PROPAGATE_EXCEPTIONS"] is True
