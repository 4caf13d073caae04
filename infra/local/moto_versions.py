"""ListObjectVersions in the embedded S3 without copying every object's bytes.

moto 5 answers ListObjectVersions by `copy.deepcopy` of every version of every key in the bucket,
whatever the prefix, before it filters: a deep copy of a stored object reads its whole value into a
new buffer. S3 lists metadata. Our sweeper and system restores read the versions of one `HEAD` key
per administration/year, so on a local stack holding a few GB of documents each listing copied
those GB: the integration suite's sweeper test grew the process past 17 GB and was killed.

The patch hands moto's own implementation (its paging, markers, delimiters and answer unchanged) a
view of the bucket that holds only the keys under the prefix, as light versions: copies of a
version's attributes that share its stored bytes and never close them. moto sets `is_latest` on
its copies; it does so on these, as before. Installed by the local stack (`infra.local.stack`),
so `make run` and every test that starts one lists as S3 does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from moto.s3.models import FakeDeleteMarker, FakeKey, S3Backend

_original = S3Backend.list_object_versions
_installed = False


class _LightKey(FakeKey):
    """A version's attributes over the original's value buffer: never disposes of that buffer."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _LightKey:
        return _light(self, _LightKey)

    def __del__(self) -> None:  # the buffer is the stored object's, not ours
        pass


class _LightMarker(FakeDeleteMarker):
    """A delete marker's attributes; its `key` is the stored key, not a copy of its bytes."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _LightMarker:
        return _light(self, _LightMarker)


def _kind(version: Any) -> type:
    return _LightKey if isinstance(version, FakeKey) else _LightMarker


def _light(version: Any, kind: type) -> Any:
    copy = object.__new__(kind)
    copy.__dict__.update(version.__dict__)
    return copy


class _Keys:
    def __init__(self, keys: Any, prefix: str) -> None:
        self.keys = keys
        self.prefix = prefix

    def iterlists(self) -> Iterator[tuple[str, list[Any]]]:
        for name, versions in list(self.keys.iterlists()):
            if name.startswith(self.prefix):
                yield name, [_light(v, _kind(v)) for v in versions]


class _Bucket:
    def __init__(self, bucket: Any, prefix: str) -> None:
        self.keys = _Keys(bucket.keys, prefix)


class _Backend:
    """What moto's `list_object_versions` reads of its backend: `get_bucket`."""

    def __init__(self, backend: S3Backend, prefix: str) -> None:
        self.backend = backend
        self.prefix = prefix

    def get_bucket(self, bucket_name: str) -> _Bucket:
        return _Bucket(self.backend.get_bucket(bucket_name), self.prefix)


def _list_object_versions(
    self: S3Backend,
    bucket_name: str,
    delimiter: str | None = None,
    key_marker: str | None = None,
    max_keys: int | None = 1000,
    prefix: str = "",
    version_id_marker: str | None = None,
) -> Any:
    view: Any = _Backend(self, prefix or "")
    return _original(view, bucket_name, delimiter, key_marker, max_keys, prefix, version_id_marker)


def install() -> None:
    """Patch moto's S3 backend class (once per process)."""
    global _installed
    if not _installed:
        S3Backend.list_object_versions = _list_object_versions  # type: ignore[method-assign]
        _installed = True
