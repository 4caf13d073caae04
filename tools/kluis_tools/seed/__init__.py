"""Demo data: administrations/years full of plausible Dutch bookkeeping, written as live generations.

`make run` seeds the local stack with it, the tests seed small sets, and `make bench` seeds multi-GB
sets with the same code, so sizes are parameters and generation is fast: each PDF is laid out once
with fpdf2 (a real invoice that matches its journal entry) and brought to its target size with an
uncompressed attachment of pseudo-random bytes, which costs little more than the bytes themselves.

Everything derives from `SeedSpec.seed` through string-seeded `random.Random` streams (seeded with
SHA-512 of the string, so independent of PYTHONHASHSEED): the same spec gives the same records and the
same document bytes, on any machine, whatever the number of upload threads. Only the generation id is
new on every run, so re-seeding writes a new generation and flips `HEAD`, as a restore does.

    kluis seed --bucket kluis-data --preset demo

A development tool: it is not part of the Lambda layer (`layers/kluis`), which ships only what the
functions run. `spec` says what to seed, `books` makes the records, `documents` the PDFs, `writer`
writes them into a bucket, `cli` is the command.
"""

from kluis_tools.seed.books import ScopeData, build_scope
from kluis_tools.seed.cli import main
from kluis_tools.seed.documents import DocumentPlan, check_pdf
from kluis_tools.seed.spec import (
    DATASETS,
    DEFAULT_ADMINISTRATIONS,
    KIB,
    MIB,
    PRESETS,
    AdministrationSpec,
    SeedSpec,
)
from kluis_tools.seed.writer import ScopeReport, SeedReport, seed

__all__ = [
    "DATASETS",
    "DEFAULT_ADMINISTRATIONS",
    "KIB",
    "MIB",
    "PRESETS",
    "AdministrationSpec",
    "DocumentPlan",
    "ScopeData",
    "ScopeReport",
    "SeedReport",
    "SeedSpec",
    "build_scope",
    "check_pdf",
    "main",
    "seed",
]
