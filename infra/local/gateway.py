"""The HTTP API, served locally: template.yaml's HttpApi routes, its JWT authorizer, and the web
client's static files, on one port.

API Gateway's JWT authorizer checks a token's signature, issuer, audience and expiry before any
function runs, and hands the claims over in the event. Locally the issuer is this process: it signs
tokens with a key it makes at start (HS256; the cloud uses the identity provider's keys), and
`POST /local/token` hands one out for a customer, the local stand-in for signing in.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from infra.local.lambdas import Runtime
from infra.local.stack import ACCOUNT, LocalStack, Route
from infra.local.template import ROOT
from kluis.api.auth import READ_ONLY

# Not under "kluis": that is the functions' Powertools logger, whose records carry a function's context.
LOG = logging.getLogger("local.gateway")
ISSUER = "https://kluis.local/issuer"
AUDIENCE = "kluis-web"
WEB_ROOT = ROOT / "web"
STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


class Turns:
    """One at a time, in the order they came. threading.Lock wakes any one waiter, so under a burst of
    requests (pages polling while a hundred restores start) one could wait out its client's timeout
    while later ones went first; API Gateway starves none. (The standard library has no fair lock.)"""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._issued = 0  # tickets handed out
        self._serving = 0  # the ticket whose turn it is

    @contextmanager
    def take(self) -> Iterator[None]:
        with self._changed:
            ticket = self._issued
            self._issued += 1
            self._changed.wait_for(lambda: self._serving == ticket)
        try:
            yield
        finally:
            with self._changed:
                self._serving += 1
                self._changed.notify_all()


@dataclass
class TokenIssuer:
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    claim: str = "custom:customer"
    role_claim: str = "custom:kluis_role"

    def issue(
        self,
        customer: str,
        *,
        name: str = "Demo bookkeeper",
        lifetime: int = 8 * 3600,
        role: str | None = None,
    ) -> str:
        """A token for `customer`; `role="read-only"` is a sign-in that may only look and download."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": f"user-{customer}" if role is None else f"user-{customer}-{role}",
            "name": name,
            self.claim: customer,
            "iat": now,
            "exp": now + lifetime,
        }
        if role is not None:
            claims[self.role_claim] = role
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def verify(self, token: str) -> dict[str, Any]:
        return jwt.decode(
            token,
            self.secret,
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp"]},
        )


class _CompiledRoute:
    def __init__(self, route: Route) -> None:
        self.route = route
        pattern = re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", r"(?P<\1>[^/]+)", route.path)
        self.regex = re.compile(pattern)  # whole path: fullmatch (`$` would let a final newline through)


class Gateway:
    def __init__(
        self, stack: LocalStack, issuer: TokenIssuer | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.stack = stack
        self.runtime: Runtime = stack.runtime
        self.issuer = issuer or TokenIssuer(
            claim=stack.environment.get("CUSTOMER_CLAIM", "custom:customer"),
            role_claim=stack.environment.get("ROLE_CLAIM", "custom:kluis_role"),
        )
        self.routes = [_CompiledRoute(route) for route in stack.routes]
        # Lambda gives an execution environment one request at a time, and the API's resolver counts on
        # it (its per-request context is module-wide): the threaded server hands it one at a time, in turn.
        self._api_turns = Turns()
        self.server: BaseWSGIServer = make_server(host, port, self.wsgi, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.server.host}:{self.server.port}"

    def start(self) -> Gateway:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    # -- WSGI -------------------------------------------------------------------------------------
    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if request.path == "/local/token":
            return self._token(request)
        if request.path == "/local/config.json":
            config = {"apiBase": "/api", "issuer": ISSUER, "local": True}
            claims = {"customerClaim": self.issuer.claim, "roleClaim": self.issuer.role_claim}
            return _json(200, config | claims)
        if request.path.startswith("/api/"):
            return self._api(request, request.path[len("/api") :])
        return self._static(request.path)

    def _token(self, request: Request) -> Response:
        """POST {"customer": "10234"} gives JSON; GET ?customer=10234 gives the bare token (for curl).
        `"role": "read-only"` (or ?role=read-only) signs in as a customer whose licence ended."""
        fields = (request.get_json(silent=True) or {}) if request.method == "POST" else request.args
        customer = str(fields.get("customer", ""))
        role = fields.get("role")
        if not re.fullmatch(r"[0-9]{1,10}", customer):
            return _json(400, {"message": 'Give a customer number, e.g. {"customer": "10234"}.'})
        if role not in (None, "", READ_ONLY):
            return _json(400, {"message": f'The only role is "{READ_ONLY}" (or none).'})
        token = self.issuer.issue(customer, role=role or None)
        if request.method == "GET":
            return Response(token + "\n", content_type="text/plain")
        return _json(200, {"token": token, "customer": customer, "role": role or None})

    def _api(self, request: Request, path: str) -> Response:
        for compiled in self.routes:
            match = compiled.regex.fullmatch(path)
            if match and compiled.route.method == request.method:
                break
        else:
            return _json(404, {"message": "Not Found"})
        claims = self._authorize(request)
        if claims is None:
            return _json(401, {"message": "Unauthorized"})
        event = self._event(request, path, compiled.route, match.groupdict(), claims)
        function = self.runtime.by_logical_id(compiled.route.function)
        headers: dict[str, str] = {}
        with self._api_turns.take():
            payload = json.loads(self.runtime.invoke(function, event, headers))
        if "x-amz-function-error" in headers:
            LOG.error(
                "%s failed: %s: %s",
                compiled.route.function,
                payload.get("errorType"),
                payload.get("errorMessage"),
            )
            LOG.error("".join(payload.get("stackTrace", [])))
            return _json(500, {"message": "Internal Server Error"})
        return _lambda_response(payload)

    def _authorize(self, request: Request) -> dict[str, Any] | None:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip()
        if not token:
            return None
        try:
            claims = self.issuer.verify(token)
        except jwt.PyJWTError:
            return None
        return {key: str(value) for key, value in claims.items()}  # API Gateway passes claims as strings

    def _event(
        self, request: Request, path: str, route: Route, parameters: dict[str, str], claims: dict[str, Any]
    ) -> dict[str, Any]:
        raw = request.get_data()
        try:
            body, encoded = raw.decode("utf-8"), False
        except UnicodeDecodeError:
            body, encoded = base64.b64encode(raw).decode(), True
        route_key = f"{route.method} {route.path}"
        now = time.time()
        return {
            "version": "2.0",
            "routeKey": route_key,
            "rawPath": path,
            "rawQueryString": request.query_string.decode(),
            "headers": {key.lower(): value for key, value in request.headers.items()},
            "queryStringParameters": dict(request.args) or None,
            "pathParameters": parameters or None,
            "requestContext": {
                "accountId": ACCOUNT,
                "apiId": "local",
                "authorizer": {"jwt": {"claims": claims, "scopes": None}},
                "domainName": request.host,
                "domainPrefix": "local",
                "http": {
                    "method": request.method,
                    "path": path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": request.remote_addr or "127.0.0.1",
                    "userAgent": request.headers.get("User-Agent", ""),
                },
                "requestId": str(uuid.uuid4()),
                "routeKey": route_key,
                "stage": "$default",
                "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                "timeEpoch": int(now * 1000),
            },
            "body": body or None,
            "isBase64Encoded": encoded,
        }

    def _static(self, path: str) -> Response:
        relative = "index.html" if path in ("", "/") else path.lstrip("/")
        target = (WEB_ROOT / relative).resolve()
        if not target.is_relative_to(WEB_ROOT.resolve()) or not target.is_file():
            return _json(404, {"message": "Not Found"})
        return Response(
            target.read_bytes(), content_type=STATIC_TYPES.get(target.suffix, "application/octet-stream")
        )


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def _lambda_response(payload: dict[str, Any]) -> Response:
    body = payload.get("body") or ""
    data = base64.b64decode(body) if payload.get("isBase64Encoded") else body.encode()
    response = Response(data, status=int(payload.get("statusCode", 200)))
    for key, value in (payload.get("headers") or {}).items():
        response.headers[key] = value
    for key, values in (payload.get("multiValueHeaders") or {}).items():
        for value in values:
            response.headers.add(key, value)
    return response
