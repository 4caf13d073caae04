"""A restore's file over 5 GB cannot go up by one POST (S3: EntityTooLarge), so a file stated above the
threshold is planned in parts (issue 16, finding 3). The arithmetic that makes any file up to
MaxUploadBytes fit S3's rules: parts of 5 MiB to 5 GiB (but the last), at most 10,000 of them."""

from __future__ import annotations

import base64
import json
import math

import pytest

from kluis.flows.restore.uploads import MAX_PARTS, POST_LIMIT, RestoreUploads, UploadRefused, part_size
from kluis.jobs.model import MultipartUpload
from tests.unit.conftest import world

MIB, GIB = 1024**2, 1024**3
S3_MIN_PART, S3_MAX_PART = 5 * MIB, 5 * GIB


@pytest.mark.parametrize("max_bytes", [MIB, 20 * GIB, 156 * GIB, 157 * GIB, 1024 * GIB, 5 * 1024 * GIB])
def test_ten_thousand_parts_hold_max_upload_bytes(max_bytes):
    size = part_size(max_bytes, 16 * MIB)
    assert size * MAX_PARTS >= max_bytes
    assert S3_MIN_PART <= size <= S3_MAX_PART
    assert size % MIB == 0


def test_the_default_is_16_mib_parts_for_20_gib():
    assert part_size(20 * GIB, 16 * MIB) == 16 * MIB  # 1,280 parts for the largest file
    assert part_size(200 * GIB, 16 * MIB) == 21 * MIB  # raised: 10,000 x 21 MiB >= 200 GiB


def test_a_plan_names_every_parts_size():
    plan = MultipartUpload(upload_id="u", size=6 * 1000**3, part_size=16 * MIB)
    assert plan.part_count == math.ceil(6 * 1000**3 / (16 * MIB)) == 358
    assert [plan.part_bytes(n) for n in (1, 357)] == [16 * MIB, 16 * MIB]
    assert plan.part_bytes(358) == 6 * 1000**3 - 357 * 16 * MIB
    assert sum(plan.part_bytes(n) for n in range(1, plan.part_count + 1)) == plan.size


def uploads(w, **settings) -> RestoreUploads:
    arguments = {"bucket": "uploads", "max_bytes": 20 * GIB, "url_seconds": 900} | settings
    return RestoreUploads(w.jobs, w.s3, w.stepfunctions, **arguments)


def test_a_6_gb_file_is_planned_in_parts_and_a_small_one_gets_the_post():
    with world() as w:
        restores = uploads(w)
        job, offer = restores.create("10234", size=6 * 1000**3)
        assert set(offer) == {"multipart"}
        assert offer["multipart"] == {"size": 6 * 1000**3, "partSize": 16 * MIB, "partCount": 358}
        stored = w.jobs.get_restore("10234", job.job_id)
        assert stored.multipart is not None and stored.multipart.upload_id
        listed = w.s3.list_multipart_uploads(Bucket="uploads")["Uploads"]
        assert [u["Key"] for u in listed] == [f"uploads/10234/{job.job_id}.zip"]

        small, offer = restores.create("10234", size=10 * MIB)
        assert set(offer) == {"upload"} and small.multipart is None


def test_a_post_is_bounded_by_s3s_5_gb_whatever_max_upload_bytes_says():
    with world() as w:
        _, offer = uploads(w).create("10234")  # no size stated: the POST of old
    policy = json.loads(base64.b64decode(offer["upload"]["fields"]["policy"]))
    assert ["content-length-range", 1, POST_LIMIT] in policy["conditions"]


def test_a_threshold_above_5_gb_still_sends_a_6_gb_file_in_parts():
    with world() as w:
        restores = uploads(w, multipart_threshold=10 * GIB)
        assert restores.in_parts(6 * 1000**3) and not restores.in_parts(POST_LIMIT)


def test_a_stated_size_over_max_upload_bytes_is_refused_before_a_job_is_made():
    with world() as w:
        with pytest.raises(UploadRefused) as refused:
            uploads(w).create("10234", size=20 * GIB + 1)
        assert refused.value.reason.code == "restore.file_too_large"
        assert not w.s3.list_multipart_uploads(Bucket="uploads").get("Uploads")


def test_part_urls_sign_each_parts_size():
    with world() as w:
        restores = uploads(w)
        job, _ = restores.create("10234", size=140 * MIB)
        urls = restores.part_urls("10234", job.job_id, [1, 9])
    assert [u["size"] for u in urls] == [16 * MIB, 12 * MIB]
    assert all("X-Amz-SignedHeaders=content-length%3Bhost" in u["url"] for u in urls)
    assert all("partNumber=" in u["url"] and "uploadId=" in u["url"] for u in urls)
