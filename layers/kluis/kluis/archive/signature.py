"""manifest.sig: an HMAC-SHA256, made and checked by KMS, of the SHA-256 of manifest.json's bytes.

The HMAC key never leaves KMS (GenerateMac / VerifyMac), so only this deployment can sign a
manifest: an archive edited by hand, or signed by another deployment's key, does not verify.
KMS takes messages of at most 4,096 bytes and a manifest lists every entry, so the MAC covers the
manifest's SHA-256 digest (32 bytes) rather than the manifest itself; moto does not enforce that
limit, so `_message` checks it here.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from botocore.exceptions import ClientError

from kluis.archive.zipreader import ArchiveRejected

ALGORITHM = "HMAC_SHA_256"
COVERS = "sha256(manifest.json)"
KMS_MAX_MESSAGE_BYTES = 4096
MAX_SIGNATURE_BYTES = 4096


class SignatureInvalid(ArchiveRejected):
    """manifest.sig is malformed or does not match manifest.json under our key."""

    def __init__(self, variant: str | None = None) -> None:
        super().__init__("archive.bad_signature" + (f".{variant}" if variant else ""))


class ManifestSigner:
    def __init__(self, kms: Any, key_id: str) -> None:
        self.kms = kms
        self.key_id = key_id

    def sign(self, manifest_bytes: bytes) -> bytes:
        """The content of manifest.sig for these manifest bytes."""
        return self.sign_digest(_message(manifest_bytes))

    def sign_digest(self, sha256_digest: bytes) -> bytes:
        """The content of manifest.sig for a manifest whose SHA-256 is `sha256_digest` (streamed)."""
        if len(sha256_digest) != 32:
            raise ValueError("a SHA-256 digest is 32 bytes")
        response = self.kms.generate_mac(Message=sha256_digest, KeyId=self.key_id, MacAlgorithm=ALGORITHM)
        document = {
            "algorithm": ALGORITHM,
            "covers": COVERS,
            "mac": base64.b64encode(response["Mac"]).decode(),
        }
        return (json.dumps(document, sort_keys=True) + "\n").encode()

    def verify(self, manifest_bytes: bytes, signature: bytes) -> None:
        """Raise SignatureInvalid unless `signature` is our key's MAC of `manifest_bytes`."""
        mac = _parse(signature)
        try:
            response = self.kms.verify_mac(
                Message=_message(manifest_bytes), KeyId=self.key_id, MacAlgorithm=ALGORITHM, Mac=mac
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "KMSInvalidMacException":
                raise SignatureInvalid() from error
            raise
        if not response.get("MacValid"):
            raise SignatureInvalid()


def _message(manifest_bytes: bytes) -> bytes:
    message = hashlib.sha256(manifest_bytes).digest()
    assert len(message) <= KMS_MAX_MESSAGE_BYTES
    return message


def _parse(signature: bytes) -> bytes:
    malformed = SignatureInvalid("malformed")
    if len(signature) > MAX_SIGNATURE_BYTES:
        raise malformed
    try:
        document = json.loads(signature.decode("utf-8"))
        algorithm, covers, encoded = document["algorithm"], document["covers"], document["mac"]
        mac = base64.b64decode(encoded, validate=True)
    # JSON, UTF-8 and base64 errors are ValueErrors; deeply nested JSON raises RecursionError.
    except (ValueError, KeyError, TypeError, RecursionError) as error:
        raise malformed from error
    if algorithm != ALGORITHM or covers != COVERS:
        raise SignatureInvalid("algorithm")
    if len(mac) != 32:
        raise malformed
    return mac
