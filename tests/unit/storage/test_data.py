"""The data bucket: generations, the HEAD pointer and its compare-and-swap, proposals kept apart."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from kluis.scope import Scope
from kluis.storage.data import DataStore, HeadConflict, new_generation_id
from kluis.transient import is_transient

SCOPE = Scope("10234", "00017", "2025")


def test_an_administration_without_head_has_no_live_generation(store: DataStore):
    assert store.head(SCOPE) is None
    assert store.administrations("10234") == []


def test_the_first_flip_creates_head_and_later_flips_need_the_current_etag(store: DataStore):
    first, second = new_generation_id(), new_generation_id()
    head = store.flip_head(SCOPE, first, expected=None)
    assert store.head(SCOPE).generation == first
    with pytest.raises(HeadConflict):
        store.flip_head(SCOPE, second, expected=None)  # someone else made HEAD meanwhile
    store.flip_head(SCOPE, second, expected=head)
    with pytest.raises(HeadConflict):
        store.flip_head(SCOPE, first, expected=head)  # stale: HEAD moved on
    assert store.head(SCOPE).generation == second


def test_a_generation_lists_its_records_and_documents_only(store: DataStore):
    generation = new_generation_id()
    store.put(SCOPE, generation, "records/relations.jsonl", b'{"id": 1}\n')
    store.put(SCOPE, generation, "documents/doc-2025-000001.pdf", b"%PDF-1.7 ...")
    store.write_note(SCOPE, generation, "restored-from-manifest.json", b"{}")
    store.put_proposal(SCOPE, "prop-1.pdf", b"%PDF-1.7 proposal")
    names = [obj.name for obj in store.generation_objects(SCOPE, generation)]
    assert names == ["documents/doc-2025-000001.pdf", "records/relations.jsonl"]
    assert [p.name for p in store.proposals(SCOPE)] == ["prop-1.pdf"]


@pytest.mark.parametrize(
    "name",
    [
        "records/../HEAD",
        "records/Relations.jsonl",
        "documents/x.exe",
        "HEAD",
        "proposals/p.pdf",
        "manifest.json",
    ],
)
def test_only_allow_listed_names_can_be_written_into_a_generation(store: DataStore, name: str):
    with pytest.raises(ValueError, match="not a name"):
        store.put(SCOPE, new_generation_id(), name, b"x")


def test_deleting_a_generation_leaves_others_and_head_alone(store: DataStore):
    live, staged = new_generation_id(), new_generation_id()
    store.put(SCOPE, live, "records/a.jsonl", b"live\n")
    store.put(SCOPE, staged, "records/a.jsonl", b"staged\n")
    store.flip_head(SCOPE, live, expected=None)
    assert store.delete_generation(SCOPE, staged) == 1
    assert list(store.generation_objects(SCOPE, staged)) == []
    assert store.open(next(store.generation_objects(SCOPE, live)).key).read() == b"live\n"
    assert store.administrations("10234") == [("00017", "2025")]


def test_a_conditional_write_in_progress_is_a_retry_not_another_restores_flip(store: DataStore):
    """S3 answers 409 ConditionalRequestConflict while another conditional write of the key is in
    flight ("try again"); moto never does, so botocore's Stubber answers as S3 would."""
    head = store.flip_head(SCOPE, new_generation_id(), expected=None)
    with Stubber(store.head_s3) as s3:
        s3.add_client_error("put_object", "ConditionalRequestConflict", http_status_code=409)
        with pytest.raises(ClientError) as raised:
            store.flip_head(SCOPE, new_generation_id(), expected=head)
    assert is_transient(raised.value), "the state machine retries it"
    assert store.head(SCOPE) == head
