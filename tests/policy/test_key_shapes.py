"""A recorded key's variable parts are named, so that the catalogue holds one entry per kind of call
however the run went (which job, which generation, how far the audit log had grown)."""

import pytest

from infra.iam.calls import instantiate, key_shape


@pytest.mark.parametrize(
    ("key", "shape"),
    [
        ("data/20567/00017/2025/HEAD", "data/{n}/{n}/{n}/HEAD"),
        (
            "data/20567/00017/2025/gen/20261120T101500Z-89abcdef/records/journal_entries.jsonl",
            "data/{n}/{n}/{n}/gen/{generation}/{member}",
        ),
        ("checkpoints/20567/20261126T135354-161773d7c275.json.tail", "checkpoints/{n}/{job}.json.tail"),
        ("audit/20567/000000000001-000000000088.jsonl", "audit/{n}/{n}-{n}.jsonl"),
        ("audit/20567/000000000089-000000000120.jsonl", "audit/{n}/{n}-{n}.jsonl"),
    ],
)
def test_variable_parts_of_a_key_are_named(key: str, shape: str) -> None:
    assert key_shape(key) == shape


def test_a_shape_instantiates_to_a_key_of_the_same_shape() -> None:
    shape = "audit/{n}/{n}-{n}.jsonl"
    assert key_shape(instantiate(shape)) == shape
