"""Presigned URLs and POSTs name the bucket's regional endpoint (issue 16, finding 5).

A new bucket outside us-east-1 may answer requests to the global endpoint
(`<bucket>.s3.amazonaws.com`) with a 307 redirect for up to a day while DNS propagates; a browser's
cross-origin POST does not follow it, so a fresh stack's restores would fail. The functions' S3 client
(`kluis.runtime.resources.S3_CONFIG`) signs for `<bucket>.s3.<region>.amazonaws.com`. No request is
sent: presigning is local.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import boto3
import pytest

from kluis.runtime.resources import Resources
from kluis.settings import Settings


@pytest.fixture
def resources(monkeypatch: pytest.MonkeyPatch) -> Resources:
    for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):  # a real account, not the local stack
        monkeypatch.delenv(variable, raising=False)
    session = boto3.session.Session(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="eu-central-1"
    )
    return Resources(Settings(), session=session)


def test_a_presigned_download_url_names_the_regional_endpoint(resources):
    url = resources.s3.generate_presigned_url(
        "get_object", Params={"Bucket": "kluis-archives", "Key": "archives/10234/x.zip"}, ExpiresIn=300
    )
    assert urlsplit(url).hostname == "kluis-archives.s3.eu-central-1.amazonaws.com"
    assert urlsplit(url).scheme == "https"


def test_a_presigned_upload_post_names_the_regional_endpoint(resources):
    post = resources.s3.generate_presigned_post("kluis-uploads", "uploads/10234/x.zip", ExpiresIn=300)
    assert urlsplit(post["url"]).hostname == "kluis-uploads.s3.eu-central-1.amazonaws.com"


def test_the_local_stack_keeps_path_style_urls_on_its_loopback_endpoint(monkeypatch):
    """Virtual-hosted addressing falls back to path style for an IP endpoint (the local stack's)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5999")
    session = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name="eu-west-1")
    url = Resources(Settings(), session=session).s3.generate_presigned_url(
        "get_object", Params={"Bucket": "b", "Key": "k"}
    )
    assert url.startswith("http://127.0.0.1:5999/b/k?")
