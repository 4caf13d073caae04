"""Every AWS request a function makes is answered as AWS would answer it under the function's role.

moto allows every call. So a role that lacks a permission (or a call that needs one more than the
code's author thought, such as `s3:ListBucket` to tell a missing key from a forbidden one) passes
every local test and fails on the first deploy. This middleware sits in front of moto's services and
decides each request with the same model of the deployed template the policy tests use
(`infra.iam`): the caller's identity policies, the bucket policy, the key policy, and what S3 and
DynamoDB ask KMS on the caller's behalf.

Who calls is read from the request's SigV4 credential, as AWS reads it: the `Authorization` header,
a presigned URL's `X-Amz-Credential`, or a POST upload's `x-amz-credential` field (put in the environ
by `infra.local.post_policy`). Every function's role has an access key of its own
(`Roles.access_key`); the local stack gives it to the function's session when the handler is loaded
and to an isolated function's process. A key the stack did not hand out to a role (the stack's own
set-up, the tests' harness standing in for an administrator, the Step Functions interpreter) is not
checked.

What AWS answers, and so what this answers:
- a denied request: the service's own AccessDenied error, in its protocol's shape, so botocore
  raises what it raises on AWS (S3: 403 `AccessDenied`, a HEAD's 403 without a body; DynamoDB,
  KMS and Step Functions: 400 `AccessDeniedException`);
- GetObject or HeadObject of a missing key: 404 only if the caller may `s3:ListBucket` the bucket,
  otherwise 403 AccessDenied (S3 API Reference, GetObject and HeadObject, "Permissions").

Written by hand: moto's own IAM enforcement (`INITIAL_NO_AUTH_ACTION_COUNT`) evaluates neither
bucket nor key policies, conditions such as `kms:ViaService`, nor the KMS requests S3 and DynamoDB
make on the caller's behalf; `infra.iam` does, and is the one evaluator the policy tests use too.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property
from typing import Any
from urllib.parse import parse_qs, unquote
from xml.etree import ElementTree

from infra.iam.calls import S3_SETTING_HEADERS, Call, UnknownCall, expand, requests, s3_settings
from infra.iam.deployment import Deployment
from infra.iam.evaluator import Request, Verdict
from infra.local.atomic import POST_KEY
from infra.local.s3_request import bucket_and_key, s3_error

# The access key id of a POST upload's signed form (infra.local.post_policy puts it here).
POST_ACCESS_KEY = "kluis.local.post_access_key"
CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/[^/]+/([^/]+)/aws4_request")
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Roles:
    """The access key of each principal (function, state machine or role of the template)."""

    def __init__(self, principals: Iterable[str]) -> None:
        self.by_key = {self.access_key(principal): principal for principal in principals}

    @staticmethod
    def access_key(principal: str) -> str:
        # The shape of a role session's key (ASIA + 16), derived so that a restart keeps it.
        return "ASIA" + hashlib.sha256(principal.encode()).hexdigest()[:16].upper()

    def principal_of(self, access_key: str | None) -> str | None:
        return self.by_key.get(access_key or "")


class Denied(Exception):
    def __init__(self, request: Request | None, verdict: Verdict | None, message: str) -> None:
        super().__init__(message)
        self.request = request
        self.verdict = verdict


class Enforcement:
    """WSGI middleware: each request of a role's key is allowed by the role's policies, or refused."""

    def __init__(
        self, app: WsgiApp, roles: Roles, names: Callable[[], Mapping[str, str]], deployment: Deployment
    ) -> None:
        self.app = app
        self.roles = roles
        self._names = names  # physical name, id or ARN -> logical id (resources exist once asked)
        self.deployment = deployment

    @cached_property
    def names(self) -> Mapping[str, str]:
        return self._names()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        access_key, service = _credential(environ)
        principal = self.roles.principal_of(access_key)
        # A browser's CORS preflight is no request of the signer's: S3 answers it from the bucket's
        # CORS configuration alone, whatever URL it names (S3 User Guide, "Using CORS").
        if principal is None or environ.get("REQUEST_METHOD") == "OPTIONS":
            return self.app(environ, start_response)
        try:
            calls = list(self.calls(principal, service, environ))
            for call in calls:
                self.authorize(call)
        except Denied as denied:
            return _deny(service, environ, start_response, self._message(principal, denied))
        if service == "s3" and len(calls) == 1 and calls[0].operation in ("GetObject", "HeadObject"):
            return self._read(calls[0], environ, start_response)
        return self.app(environ, start_response)

    # -- deciding ------------------------------------------------------------------------------------
    def authorize(self, call: Call) -> None:
        try:
            for each in expand(self.deployment, call):
                for request in requests(self.deployment, each):
                    verdict = self.deployment.judge(each.principal, request)
                    if not verdict.allowed:
                        raise Denied(request, verdict, "")
        except (UnknownCall, KeyError, StopIteration) as unknown:
            # AWS would decide it; the model does not know it yet (infra/iam/calls.py): refuse loudly.
            raise Denied(
                None, None, f"the local stack does not model this call: {call} ({unknown!r})"
            ) from None

    def may_list(self, principal: str, bucket: str) -> bool:
        return self.may(Call(principal, "s3", "ListObjectsV2", bucket))

    def _message(self, principal: str, denied: Denied) -> str:
        request, verdict = denied.request, denied.verdict
        if request is None or verdict is None:
            return str(denied)
        who = self.deployment.principals[principal].arn
        why = (
            "with an explicit deny in a policy"
            if verdict.decision == "explicitly denied"
            else f"because no identity-based policy allows the {request.action} action"
        )
        return (
            f"User: {who} is not authorized to perform: {request.action} "
            f'on resource: "{request.resource}" {why}'
        )

    def may(self, call: Call) -> bool:
        try:
            self.authorize(call)
        except Denied:
            return False
        return True

    def _read(
        self, call: Call, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """S3's answer to a read depends on more than the read's own permission (S3 API Reference,
        GetObject and HeadObject): a missing key is 404 only to a caller who may list the bucket, to
        others 403; the Object Lock headers are returned only to a caller who may read them."""
        answered: list[Any] = []

        def start(status: str, headers: list[tuple[str, str]], *info: Any) -> Any:
            answered[:] = [status, headers, info]
            return lambda data: None  # the body is returned, not written

        body = b"".join(self.app(environ, start))
        status, headers, info = answered
        if status.startswith("404") and not self.may_list(call.principal, call.resource):
            who = self.deployment.principals[call.principal].arn
            message = (
                f"User: {who} is not authorized to perform: s3:ListBucket on the bucket, so S3 does not "
                "say whether the key exists"
            )
            return _deny("s3", environ, start_response, message)
        start_response(status, [h for h in headers if self._shown(call, h[0])], *info)
        return [body]

    def _shown(self, call: Call, header: str) -> bool:
        name = header.lower()
        if name in ("x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date"):
            return self.may(Call(call.principal, "s3", "GetObjectRetention", call.resource, key=call.key))
        if name == "x-amz-object-lock-legal-hold":
            return self.may(Call(call.principal, "s3", "GetObjectLegalHold", call.resource, key=call.key))
        return True

    # -- reading the request ---------------------------------------------------------------------------
    def calls(self, principal: str, service: str, environ: dict[str, Any]) -> Iterator[Call]:
        if service == "s3":
            yield from self._s3(principal, environ)
        elif service in ("dynamodb", "kms", "states", "sqs"):
            target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
            yield from self._json(principal, service, target.rsplit(".", 1)[-1], _json_body(environ))
        elif service == "lambda":
            match = re.fullmatch(r"/2015-03-31/functions/([^/]+)/invocations", environ.get("PATH_INFO", ""))
            if match is None:
                raise Denied(
                    None, None, f"the local stack does not model this Lambda call: {environ['PATH_INFO']}"
                )
            yield Call(principal, "lambda", "Invoke", self._logical(unquote(match.group(1))))
        elif service in ("sts", "cloudformation"):  # the query protocol: the form names the action
            action = parse_qs(_body(environ).decode()).get("Action", [""])[0]
            yield Call(principal, service, action)
        else:
            raise Denied(None, None, f"the local stack does not model calls to {service or 'this service'}")

    def _logical(self, physical: str) -> str:
        return self.names.get(physical, physical)

    def _json(self, principal: str, service: str, operation: str, body: dict[str, Any]) -> Iterator[Call]:
        if service == "dynamodb":
            item = body.get("Key") or body.get("Item") or {}
            leading = item.get("pk", {}).get("S", "") if isinstance(item.get("pk"), dict) else ""
            yield Call(
                principal,
                "dynamodb",
                operation,
                self._logical(body.get("TableName", "")),
                leading_key=leading,
            )
        elif service == "kms":
            yield Call(principal, "kms", operation, self._logical(body.get("KeyId", "")))
        elif service == "states":
            if "stateMachineArn" in body:
                resource = self._logical(body["stateMachineArn"])
            elif "executionArn" in body:
                machine = body["executionArn"].replace(":execution:", ":stateMachine:").rsplit(":", 1)[0]
                resource = self._logical(machine)
            else:
                resource = "{task-token}" if "taskToken" in body else ""
            yield Call(principal, "stepfunctions", operation, resource)
        else:
            yield Call(
                principal, service, operation, self._logical(body.get("QueueUrl", "").rsplit("/", 1)[-1])
            )

    def _s3(self, principal: str, environ: dict[str, Any]) -> Iterator[Call]:
        method = str(environ.get("REQUEST_METHOD", ""))
        bucket, key = bucket_and_key(environ)
        query = parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
        resource = self._logical(bucket)
        if not key and method == "POST" and "delete" in query:
            for name, version in _deleted_keys(environ):
                yield Call(principal, "s3", "DeleteObjects", resource, key=name, version=version)
            return
        if not key and method == "POST" and environ.get(POST_KEY) is not None:
            yield Call(principal, "s3", "PostObject", resource, key=str(environ[POST_KEY]), presigned=True)
            return
        operation = _s3_operation(method, bool(key), query, environ)
        source = ""
        copy_source = environ.get("HTTP_X_AMZ_COPY_SOURCE")
        version = "versionId" in query
        if copy_source:
            path, _, source_query = unquote(str(copy_source)).lstrip("/").partition("?")
            source_bucket, _, source_key = path.partition("/")
            source = f"{self._logical(source_bucket)}/{source_key}"
            version = version or "versionId=" in source_query
        yield Call(
            principal,
            "s3",
            operation,
            resource,
            key=key,
            source=source,
            version=version,
            presigned="X-Amz-Credential" in query,
            sets=_s3_settings(environ, operation),
        )


# -- S3's REST API: which operation a request is (S3 API Reference, each operation's request syntax) ----
_OBJECT_READS = {
    "uploadId": "ListParts",
    "legal-hold": "GetObjectLegalHold",
    "retention": "GetObjectRetention",
    "tagging": "GetObjectTagging",
}
_OBJECT_PUTS = {
    "tagging": "PutObjectTagging",
    "legal-hold": "PutObjectLegalHold",
    "retention": "PutObjectRetention",
}
_BUCKET_READS = {"versions": "ListObjectVersions", "uploads": "ListMultipartUploads"}


def _s3_operation(method: str, has_key: bool, query: Mapping[str, Any], environ: Mapping[str, Any]) -> str:
    copy = bool(environ.get("HTTP_X_AMZ_COPY_SOURCE"))
    if not has_key:
        if method == "GET" and query.get("list-type") == ["2"]:
            return "ListObjectsV2"
        if method == "GET":
            found = [operation for name, operation in _BUCKET_READS.items() if name in query]
            return found[0] if found else ("ListObjects" if not query else f"GET bucket ?{sorted(query)}")
        return f"{method} bucket ?{sorted(query)}"
    if method == "GET":
        return next((operation for name, operation in _OBJECT_READS.items() if name in query), "GetObject")
    if method == "HEAD":
        return "HeadObject"
    if method == "PUT":
        if "uploadId" in query:
            return "UploadPartCopy" if copy else "UploadPart"
        found = [operation for name, operation in _OBJECT_PUTS.items() if name in query]
        return found[0] if found else ("CopyObject" if copy else "PutObject")
    if method == "DELETE":
        return "AbortMultipartUpload" if "uploadId" in query else "DeleteObject"
    if method == "POST" and "uploads" in query:
        return "CreateMultipartUpload"
    if method == "POST" and "uploadId" in query:
        return "CompleteMultipartUpload"
    return f"{method} object ?{sorted(query)}"


def _s3_settings(environ: Mapping[str, Any], operation: str) -> tuple[str, ...]:
    """What a write sets besides the object, each with its own permission, read from its headers."""
    params = {
        name: environ.get("HTTP_" + header.upper().replace("-", "_"))
        for name, header in S3_SETTING_HEADERS.items()
    }
    return s3_settings(operation, params)


def _deleted_keys(environ: dict[str, Any]) -> list[tuple[str, bool]]:
    body = _body(environ)
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return []  # moto answers the malformed request itself
    found = []
    for item in root.iter():
        if item.tag.rsplit("}", 1)[-1] != "Object":
            continue
        fields = {child.tag.rsplit("}", 1)[-1]: child.text or "" for child in item}
        found.append((fields.get("Key", ""), bool(fields.get("VersionId"))))
    return found


# -- the request's parts -------------------------------------------------------------------------------
def _credential(environ: Mapping[str, Any]) -> tuple[str | None, str]:
    """(access key id, service) of the request's SigV4 credential."""
    if environ.get(POST_ACCESS_KEY):
        return str(environ[POST_ACCESS_KEY]), "s3"
    found = CREDENTIAL.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    if found:
        return found.group(1), found.group(2)
    credential = parse_qs(str(environ.get("QUERY_STRING", ""))).get("X-Amz-Credential", [""])[0].split("/")
    if len(credential) == 5:
        return credential[0], credential[3]
    return None, ""


def _body(environ: dict[str, Any]) -> bytes:
    """The request body, read once and put back for moto to read as it came."""
    raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    environ["wsgi.input"] = io.BytesIO(raw)
    return bytes(raw)


def _json_body(environ: dict[str, Any]) -> dict[str, Any]:
    try:
        body = json.loads(_body(environ) or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


# -- AWS's answer --------------------------------------------------------------------------------------
JSON_TYPES = {
    "dynamodb": "com.amazon.coral.service#AccessDeniedException",
    "kms": "AccessDeniedException",
    "states": "AccessDeniedException",
    "sqs": "com.amazon.coral.service#AccessDeniedException",
}


def _deny(
    service: str, environ: Mapping[str, Any], start_response: Callable[..., Any], message: str
) -> Iterable[bytes]:
    if service == "s3":
        if environ.get("REQUEST_METHOD") == "HEAD":  # a HEAD's error has no body (S3 API Reference)
            start_response("403 Forbidden", [("Content-Length", "0")])
            return [b""]
        return s3_error(start_response, 403, "AccessDenied", message, environ.get("HTTP_ORIGIN"))
    if service == "lambda":
        body = json.dumps({"Type": "User", "Message": message}).encode()
        headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", "AccessDeniedException")]
        start_response("403 Forbidden", [*headers, ("Content-Length", str(len(body)))])
        return [body]
    if service in ("sts", "cloudformation"):
        body = (
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
            f"<Message>{message}</Message></Error></ErrorResponse>"
        ).encode()
        start_response("403 Forbidden", [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
        return [body]
    body = json.dumps(
        {"__type": JSON_TYPES.get(service, "AccessDeniedException"), "message": message}
    ).encode()
    headers = [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(body)))]
    start_response("400 Bad Request", headers)
    return [body]
