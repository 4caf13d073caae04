"""Events that are lost do not leave a restore waiting forever (issue 16, finding 7), through the
local stack: S3 invokes the restore trigger asynchronously; when every attempt fails, Lambda's
failure record lands in FailedEventsQueue (template.yaml's OnFailure destination, which the local
runtime honours like Lambda: two retries, then the destination), and the hourly sweeper expires the
restore with a reason the user reads through the API."""

from __future__ import annotations

import json
import time
from urllib.parse import unquote_plus

from tests.integration.harness import Harness, fatal_error, handler_emitters


def failed_events(harness: Harness) -> list[dict]:
    sqs = harness.stack.client("sqs")
    url = harness.stack.outputs()["FailedEventsQueue"]
    found = []
    while True:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = answer.get("Messages", [])
        if not messages:
            return found
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_an_upload_whose_trigger_keeps_failing_is_kept_and_its_restore_expires_with_a_reason(
    harness, configure
):
    failed_events(harness)  # an empty queue to start from

    def unreachable(**_):  # every AWS call of the trigger fails, on every attempt
        raise fatal_error("GetItem")

    emitters = handler_emitters(harness, "RestoreTriggerFunction")
    for emitter in emitters:
        emitter.register("before-call", unreachable)
    try:
        created = harness.start_restore(b"PK\x05\x06" + b"\0" * 18)
    finally:
        for emitter in emitters:
            emitter.unregister("before-call", unreachable)
    job_id = created["jobId"]
    assert harness.call("GET", f"/jobs/{job_id}").json()["status"] == "awaiting-upload"

    records = [r for r in failed_events(harness) if job_id in json.dumps(r["requestPayload"])]
    assert len(records) == 1, records
    record = records[0]
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3  # the first attempt and two retries
    assert record["responsePayload"]["errorType"] == "ClientError"
    key = record["requestPayload"]["Records"][0]["s3"]["object"]["key"]
    assert unquote_plus(key) == f"uploads/10234/{job_id}.zip"  # S3 event keys are URL-encoded

    configure(RESTORE_UPLOAD_WAIT_SECONDS="1")
    time.sleep(2.5)  # created_at has whole seconds: the job is then older than any cutoff of 1 s
    answer = harness.stack.client("lambda").invoke(
        FunctionName=harness.stack.name_of("ExpireStaleRestoresFunction"), Payload=b"{}"
    )
    assert "FunctionError" not in answer, answer["Payload"].read()
    assert job_id in json.loads(answer["Payload"].read())["expired"]

    job = harness.call("GET", f"/jobs/{job_id}").json()
    assert job["status"] == "expired" and job["final"]
    assert job["reasonCode"] == "restore.upload_expired"
    assert job["reasonParams"] == {"hours": 1}  # a wait under an hour is said as one hour
    assert not harness.upload_exists(job_id)
