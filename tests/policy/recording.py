"""Records the AWS calls of each function of the local stack (and of `kluis ops`) as `Call` shapes.

A handler's `resources` holds one boto3 session; every client it makes copies the session's event
emitter when it is created, so hooks registered on the session right after the handler is loaded
(`Runtime.load_hooks`, before its first invocation) see every call of every client of that function,
whichever thread makes it. `before-parameter-build` carries the API parameters of each call and of
each presigned URL; a presigned POST is seen by wrapping `generate_presigned_post` as S3's client
class is made.
"""

from __future__ import annotations

import inspect
import threading
from dataclasses import replace
from functools import partial
from typing import Any

from infra.iam.calls import Call, key_shape, s3_settings

SERVICES = {"sfn": "stepfunctions"}


class Recorder:
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names  # physical name, id or ARN -> logical id
        self.calls: set[Call] = set()
        self._lock = threading.Lock()

    # -- hooks -------------------------------------------------------------------------------------
    def watch(self, principal: str, session: Any) -> None:
        events = session.events
        events.register("before-parameter-build", partial(self._parameters, principal))
        events.register("after-call.s3.GetObject", partial(self._answered, principal))
        events.register("after-call.s3.HeadObject", partial(self._answered, principal))
        events.register("creating-client-class.s3", partial(self._wrap_presigned_post, principal))

    def on_load(self, function: Any, handler: Any) -> None:
        """`Runtime.load_hooks`: watch a freshly loaded handler's session."""
        resources = inspect.unwrap(handler).__globals__.get("resources")
        if resources is not None:
            self.watch(function.logical_id, resources.session)

    def _parameters(
        self,
        principal: str,
        params: dict[str, Any],
        model: Any,
        context: dict[str, Any],
        event_name: str,
        **_: Any,
    ) -> None:
        presigned = bool(context.get("is_presign_request"))
        context["kluis_params"] = dict(params)  # for _missing, which sees the answer, not the request
        if presigned and model.name == "CreateBucket":
            return  # the stand-in operation of a presigned POST: recorded by the wrapper below
        service = SERVICES.get(event_name.split(".")[1], event_name.split(".")[1])
        if service == "s3" and model.name == "DeleteObjects":  # one call per key shape of the batch
            for item in params.get("Delete", {}).get("Objects", []):
                self.add(self.shape(principal, service, model.name, {"Bucket": params["Bucket"], **item}))
            return
        self.add(self.shape(principal, service, model.name, params, presigned))

    def _answered(
        self, principal: str, http_response: Any, parsed: Any, model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        """What a read's answer shows the code relies on: telling a missing key from a forbidden one
        (a 404), or the version's Object Lock headers (S3 returns them only to some callers)."""
        call = self.shape(principal, "s3", model.name, context.get("kluis_params", {}))
        if http_response.status_code == 404:
            self.add(replace(call, missing=True))
        else:
            reads = []
            if {"ObjectLockMode", "ObjectLockRetainUntilDate"} & set(parsed or {}):
                reads.append("retention")
            if "ObjectLockLegalHoldStatus" in (parsed or {}):
                reads.append("legal-hold")
            if reads:
                self.add(replace(call, reads=tuple(reads)))

    def _wrap_presigned_post(self, principal: str, class_attributes: dict[str, Any], **_: Any) -> None:
        original = class_attributes.get("generate_presigned_post")
        if original is None:
            return
        recorder = self

        def generate_presigned_post(client: Any, Bucket: str, Key: str, *args: Any, **kwargs: Any) -> Any:
            recorder.add(recorder.shape(principal, "s3", "PostObject", {"Bucket": Bucket, "Key": Key}, True))
            return original(client, Bucket, Key, *args, **kwargs)

        class_attributes["generate_presigned_post"] = generate_presigned_post

    def add(self, call: Call) -> None:
        with self._lock:
            self.calls.add(call)

    # -- shapes ------------------------------------------------------------------------------------
    def logical(self, value: str) -> str:
        return self.names.get(value, value)

    def shape(
        self, principal: str, service: str, operation: str, params: dict[str, Any], presigned: bool = False
    ) -> Call:
        fields: dict[str, Any] = {
            "principal": principal,
            "service": service,
            "operation": operation,
            "presigned": presigned,
        }
        if service == "s3":
            fields["resource"] = self.logical(params.get("Bucket", ""))
            if "Key" in params:
                fields["key"] = key_shape(params["Key"])
            fields["version"] = bool(params.get("VersionId"))
            fields["sets"] = s3_settings(operation, params)
            source = params.get("CopySource")
            if source:
                if isinstance(source, str):
                    path, _, query = source.lstrip("/").partition("?")
                    bucket, _, key = path.partition("/")
                    fields["version"] = fields["version"] or "versionId=" in query
                else:
                    bucket, key = source["Bucket"], source["Key"]
                    fields["version"] = fields["version"] or bool(source.get("VersionId"))
                fields["source"] = f"{self.logical(bucket)}/{key_shape(key)}"
        elif service == "dynamodb":
            fields["resource"] = self.logical(params.get("TableName", ""))
            item = params.get("Key") or params.get("Item") or {}
            pk = item.get("pk")
            if isinstance(pk, dict):
                pk = pk.get("S")
            if isinstance(pk, str):
                fields["leading_key"] = key_shape(pk)
        elif service == "kms":
            fields["resource"] = self.logical(params.get("KeyId", ""))
        elif service == "stepfunctions":
            if "stateMachineArn" in params:
                fields["resource"] = self.logical(params["stateMachineArn"])
            elif "executionArn" in params:
                machine = params["executionArn"].replace(":execution:", ":stateMachine:").rsplit(":", 1)[0]
                fields["resource"] = self.logical(machine)
            elif "taskToken" in params:
                fields["resource"] = "{task-token}"
        elif service == "lambda":
            fields["resource"] = self.logical(params.get("FunctionName", ""))
        return Call(**fields)
