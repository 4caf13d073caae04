"""A large restore file goes up in parts (issue 16, finding 3): S3 refuses a POST upload over 5 GB, so a
file stated above the threshold gets an S3 multipart upload, presigned UploadPart URLs, a list of the
parts S3 holds (to resume), and a completion the server checks part by part against the stated size
and MaxUploadBytes; an abort or a cancel removes the upload. Through the HTTP API of the local stack.

The threshold and part size are lowered here so that a test backup spans several parts; moto's minimum
part size is lowered too (tests/integration/conftest.py, 256 KiB). Real S3 needs parts of 5 MiB or
more (but the last): the product's part size is 16 MiB or more (kluis.flows.restore.uploads).
"""

from __future__ import annotations

import math
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests

from kluis.flows.restore.uploads import MAX_PARTS, POST_LIMIT, part_size
from kluis.scope import Scope
from tests.integration.harness import Harness, confirm_code, seed_scope

CUSTOMER = "31011"
INTRUDER = "31012"
SCOPE = Scope(CUSTOMER, "00042", "2025")
PART = 256 * 1024  # as small as moto takes here (S3_UPLOAD_PART_MIN_SIZE in conftest.py)
WAITING = {"awaiting-confirmation"}


@pytest.fixture(scope="module")
def backup(harness: Harness) -> bytes:
    """A backup with documents, large enough for three or more parts of 256 KiB."""
    seed_scope(harness, SCOPE, documents=16)
    data = harness.download(harness.backup("00042", "2025", documents=True, customer=CUSTOMER)).content
    assert len(data) > 2 * PART, len(data)
    return data


@pytest.fixture(autouse=True)
def small_parts(configure) -> None:
    """Parts of 256 KiB: MaxUploadBytes lowered too, as 10,000 parts must hold it (else the part size
    is raised: 20 GiB / 10,000 is more than 256 KiB)."""
    configure(
        RESTORE_MULTIPART_THRESHOLD=str(64 * 1024),
        RESTORE_UPLOAD_PART_SIZE=str(PART),
        MAX_UPLOAD_BYTES=str(64 * 1024**2),
    )


def create(harness: Harness, size: int, customer: str = CUSTOMER) -> dict:
    created = harness.call("POST", "/restores", customer, json={"size": size})
    assert created.status_code == 201, created.text
    return created.json()


def part_urls(harness: Harness, job: dict, numbers: list[int], customer: str = CUSTOMER) -> dict[int, dict]:
    answer = harness.call("POST", f"/restores/{job['jobId']}/upload-parts", customer, json={"parts": numbers})
    assert answer.status_code == 200, answer.text
    return {part["partNumber"]: part for part in answer.json()["parts"]}


def put_part(url: dict, data: bytes) -> str:
    sent = requests.put(url["url"], data=data, timeout=60)
    assert sent.status_code == 200, sent.text
    return sent.headers["ETag"]


def drop_half_way(url: str, data: bytes) -> None:
    """A PUT whose connection drops after half its body, as a lost network does."""
    parsed = urlsplit(url)
    with socket.create_connection((parsed.hostname, parsed.port), timeout=10) as sock:
        head = (
            f"PUT {parsed.path}?{parsed.query} HTTP/1.1\r\nHost: {parsed.netloc}\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        )
        sock.sendall(head.encode() + data[: len(data) // 2])
    time.sleep(0.5)  # the server notices the closed connection


def chunk(data: bytes, number: int, size: int = PART) -> bytes:
    return data[(number - 1) * size : number * size]


def listed(harness: Harness, job: dict, customer: str = CUSTOMER) -> dict:
    answer = harness.call("GET", f"/restores/{job['jobId']}/upload-parts", customer)
    assert answer.status_code == 200, answer.text
    return answer.json()


def complete(harness: Harness, job: dict, etags: dict[int, str] | None = None, customer: str = CUSTOMER):
    parts = [{"partNumber": n, "etag": etag} for n, etag in sorted((etags or {}).items())]
    return harness.call("POST", f"/restores/{job['jobId']}/complete-upload", customer, json={"parts": parts})


def open_uploads(harness: Harness, job: dict, customer: str = CUSTOMER) -> list[str]:
    s3 = harness.stack.client("s3")
    key = f"uploads/{customer}/{job['jobId']}.zip"
    found = s3.list_multipart_uploads(Bucket=harness.stack.name_of("UploadsBucket"), Prefix=key)
    return [upload["UploadId"] for upload in found.get("Uploads", [])]


def status(harness: Harness, job: dict, customer: str = CUSTOMER) -> dict:
    return harness.call("GET", f"/jobs/{job['jobId']}", customer).json()


def test_a_large_file_goes_up_in_parts_and_is_restored(harness, backup):
    job = create(harness, len(backup))
    assert "upload" not in job, "a file above the threshold gets no POST"
    plan = job["multipart"]
    assert plan == {"size": len(backup), "partSize": PART, "partCount": math.ceil(len(backup) / PART)}
    assert plan["partCount"] >= 3
    urls = part_urls(harness, job, list(range(1, plan["partCount"] + 1)))
    assert [urls[n]["size"] for n in sorted(urls)] == [
        len(chunk(backup, n)) for n in range(1, plan["partCount"] + 1)
    ]
    # The part's size is signed into its URL (S3 refuses a part of another size).
    assert all("content-length" in url["url"] for url in urls.values())
    etags = {n: put_part(urls[n], chunk(backup, n)) for n in sorted(urls)}

    answer = complete(harness, job, etags)
    assert answer.status_code == 202, answer.text
    assert not open_uploads(harness, job)
    waiting = harness.wait_until(job["jobId"], WAITING, CUSTOMER)
    assert waiting["status"] == "awaiting-confirmation", waiting
    assert waiting["details"]["summary"]["bytes"] > 0
    assert confirm_code(harness, waiting, CUSTOMER).status_code == 202
    assert harness.wait_for(job["jobId"], CUSTOMER)["status"] == "restored"


def test_after_a_dropped_part_the_upload_resumes_with_only_the_rest(harness, backup):
    job = create(harness, len(backup))
    count = job["multipart"]["partCount"]
    urls = part_urls(harness, job, list(range(1, count + 1)))
    put_part(urls[1], chunk(backup, 1))
    drop_half_way(urls[2]["url"], chunk(backup, 2))  # nothing of part 2 is stored

    # The page is reloaded: it knows only the job, and asks which parts S3 holds.
    resumed = listed(harness, job)
    assert (resumed["size"], resumed["partSize"], resumed["partCount"]) == (len(backup), PART, count)
    assert [part["partNumber"] for part in resumed["parts"]] == [1]
    assert resumed["parts"][0]["size"] == PART
    assert status(harness, job)["multipart"]["partCount"] == count  # the job says how to resume too

    missing = [n for n in range(1, count + 1) if n not in {p["partNumber"] for p in resumed["parts"]}]
    assert missing == list(range(2, count + 1))
    fresh = part_urls(harness, job, missing)  # the first URLs may have expired meanwhile
    for number in missing:
        put_part(fresh[number], chunk(backup, number))
    assert [part["partNumber"] for part in listed(harness, job)["parts"]] == list(range(1, count + 1))
    assert complete(harness, job).status_code == 202  # the server completes from S3's own list
    assert harness.wait_until(job["jobId"], WAITING, CUSTOMER)["status"] == "awaiting-confirmation"
    harness.call("POST", f"/restores/{job['jobId']}/cancel", CUSTOMER)


def test_a_missing_part_is_named_and_the_upload_stays_open(harness, backup):
    job = create(harness, len(backup))
    urls = part_urls(harness, job, [1, 3])
    put_part(urls[1], chunk(backup, 1))
    put_part(urls[3], chunk(backup, 3))
    answer = complete(harness, job)
    assert answer.status_code == 409, answer.text
    assert answer.json()["reasonCode"] == "restore.upload_incomplete"
    assert answer.json()["reasonParams"]["part"] == 2
    assert open_uploads(harness, job)
    assert status(harness, job)["status"] == "awaiting-upload"
    harness.call("POST", f"/restores/{job['jobId']}/abort-upload", CUSTOMER)


def test_abort_leaves_no_upload_and_cancels_the_restore(harness, backup):
    job = create(harness, len(backup))
    urls = part_urls(harness, job, [1])
    put_part(urls[1], chunk(backup, 1))
    assert open_uploads(harness, job)
    aborted = harness.call("POST", f"/restores/{job['jobId']}/abort-upload", CUSTOMER)
    assert aborted.status_code == 200, aborted.text
    assert aborted.json()["status"] == "cancelled"
    assert not open_uploads(harness, job)
    assert not harness.upload_exists(job["jobId"], CUSTOMER)
    # The closed upload hands out nothing more.
    again = harness.call("POST", f"/restores/{job['jobId']}/upload-parts", CUSTOMER, json={"parts": [2]})
    assert again.status_code == 409 and again.json()["reasonCode"] == "restore.not_awaiting_upload"


def test_a_cancel_aborts_the_upload_in_parts_too(harness, backup):
    job = create(harness, len(backup))
    put_part(part_urls(harness, job, [1])[1], chunk(backup, 1))
    cancelled = harness.call("POST", f"/restores/{job['jobId']}/cancel", CUSTOMER)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert not open_uploads(harness, job)


def test_another_customers_job_gets_no_part_url_and_changes_nothing(harness, backup):
    job = create(harness, len(backup))
    path = f"/restores/{job['jobId']}"
    for method, route, body in (
        ("POST", "/upload-parts", {"parts": [1]}),
        ("GET", "/upload-parts", None),
        ("POST", "/complete-upload", {}),
        ("POST", "/abort-upload", None),
    ):
        answer = harness.call(method, path + route, INTRUDER, json=body)
        assert answer.status_code == 404, (route, answer.text)
        assert job["jobId"] not in answer.text
    assert open_uploads(harness, job)
    assert status(harness, job)["status"] == "awaiting-upload"
    harness.call("POST", f"{path}/abort-upload", CUSTOMER)


def test_parts_over_the_limit_are_refused_at_completion_and_the_upload_aborted(harness, backup, configure):
    """S3 cannot bound a presigned part's size (but by the signed Content-Length, which moto does not
    check): the server adds up S3's list of parts and refuses a sum over the limit."""
    limit = 2 * PART + 1000
    configure(MAX_UPLOAD_BYTES=str(limit))
    job = create(harness, limit)  # stated at the limit: 3 parts, the last of 1000 bytes
    assert job["multipart"]["partCount"] == 3
    urls = part_urls(harness, job, [1, 2, 3])
    etags = {n: put_part(urls[n], chunk(backup, n)) for n in (1, 2, 3)}  # part 3 is a full 256 KiB
    answer = complete(harness, job, etags)
    assert answer.status_code == 400, answer.text
    assert answer.json()["reasonCode"] == "restore.upload_too_large"
    assert not open_uploads(harness, job)
    assert not harness.upload_exists(job["jobId"], CUSTOMER)
    ended = status(harness, job)
    assert (ended["status"], ended["reasonCode"]) == ("rejected", "restore.upload_too_large")


def test_a_stated_size_over_the_limit_makes_no_job(harness, configure):
    configure(MAX_UPLOAD_BYTES=str(10 * PART))
    answer = harness.call("POST", "/restores", CUSTOMER, json={"size": 10 * PART + 1})
    assert answer.status_code == 400, answer.text
    assert answer.json()["reasonCode"] == "restore.file_too_large"
    assert answer.json()["reasonParams"] == {"size": 10 * PART + 1, "maxBytes": 10 * PART}


def test_part_numbers_outside_the_plan_and_posts_are_refused(harness, backup):
    job = create(harness, len(backup))
    beyond = job["multipart"]["partCount"] + 1
    answer = harness.call(
        "POST", f"/restores/{job['jobId']}/upload-parts", CUSTOMER, json={"parts": [beyond]}
    )
    assert answer.status_code == 400 and answer.json()["reasonCode"] == "restore.part_out_of_range"
    harness.call("POST", f"/restores/{job['jobId']}/abort-upload", CUSTOMER)

    small = create(harness, 1000)  # below the threshold: one POST
    assert "upload" in small and "multipart" not in small
    answer = harness.call("POST", f"/restores/{small['jobId']}/upload-parts", CUSTOMER, json={"parts": [1]})
    assert answer.status_code == 409 and answer.json()["reasonCode"] == "restore.not_multipart"
    harness.call("POST", f"/restores/{small['jobId']}/cancel", CUSTOMER)


def test_a_6_gb_file_gets_a_plan_in_parts_not_a_post(harness, configure):
    """The proof for files over 5 GB without sending 6 GB through moto: with the product's defaults
    (MaxUploadBytes 20 GiB, 16 MiB parts, 100 MiB threshold) a 6 GB file is planned in parts that
    S3 accepts (5 MiB to 5 GiB each, at most 10,000), and no POST is offered for it."""
    configure(RESTORE_MULTIPART_THRESHOLD=None, RESTORE_UPLOAD_PART_SIZE=None, MAX_UPLOAD_BYTES=None)
    six_gb = 6 * 1000**3
    job = create(harness, six_gb)
    assert "upload" not in job
    plan = job["multipart"]
    assert plan["partSize"] == 16 * 1024**2 and plan["partCount"] == math.ceil(six_gb / plan["partSize"])
    assert 5 * 1024**2 <= plan["partSize"] <= 5 * 1024**3 and plan["partCount"] <= MAX_PARTS
    assert job["maxBytes"] == 20 * 1024**3 and plan["partSize"] * MAX_PARTS >= job["maxBytes"]
    last = part_urls(harness, job, [plan["partCount"]])[plan["partCount"]]
    assert last["size"] == six_gb - (plan["partCount"] - 1) * plan["partSize"]
    harness.call("POST", f"/restores/{job['jobId']}/abort-upload", CUSTOMER)
    # A file whose size is not stated gets the POST, bounded by S3's 5 GB for POST uploads.
    unstated = harness.call("POST", "/restores", CUSTOMER, json={}).json()
    assert "upload" in unstated and part_size(20 * 1024**3, 16 * 1024**2) == 16 * 1024**2
    assert POST_LIMIT == 5 * 1000**3
    harness.call("POST", f"/restores/{unstated['jobId']}/cancel", CUSTOMER)
