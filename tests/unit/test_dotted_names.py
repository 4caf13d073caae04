"""Every dotted `kluis.` or `kluis_tools.` name in the docs, docstrings and comments names something
that exists: a newcomer who follows `kluis.archive.zipreader` must find it, not a module renamed two
refactors ago (issue 21 found `kluis.zipreader`, `kluis.backup`, `kluis.flows.backup.parts`)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"(?<![\w./-])(kluis(?:_tools)?(?:\.[A-Za-z_]\w*)+)")
# Dotted names that are keys, not code: the page's localStorage keys and the local stack's WSGI
# environ keys.
KEYS = {"kluis.language", "kluis.restoreUpload", "kluis.local.post_access_key", "kluis.local.post_key"}
FILES = sorted(
    {
        *ROOT.glob("docs/*.md"),
        ROOT / "README.md",
        *ROOT.glob("layers/kluis/kluis/**/*.py"),
        *ROOT.glob("tools/kluis_tools/**/*.py"),
        *ROOT.glob("infra/**/*.py"),
        *ROOT.glob("functions/*/app.py"),
        *ROOT.glob("tests/**/*.py"),
    }
    - {Path(__file__).resolve()}  # its docstring quotes the stale names it found
)


def resolves(name: str) -> bool:
    """The longest importable module of `name`, then its attributes."""
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            if not hasattr(found, attribute):
                return False
            found = getattr(found, attribute)
        return True
    return False


def named(path: Path) -> list[tuple[int, str]]:
    text = path.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, match.start()) + 1, match.group(1))
        for match in NAME.finditer(text)
        if not match.group(1).endswith((".py", ".md", ".json")) and match.group(1) not in KEYS
    ]


def test_the_docs_name_kluis_modules():
    assert sum(len(named(path)) for path in FILES) > 100


@pytest.mark.parametrize("path", FILES, ids=[str(path.relative_to(ROOT)) for path in FILES])
def test_every_dotted_name_resolves(path):
    stale = [f"line {line}: {name}" for line, name in named(path) if not resolves(name)]
    assert stale == [], f"{path.relative_to(ROOT)} names what does not exist"
