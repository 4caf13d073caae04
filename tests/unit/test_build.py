"""What `make build` (sam build, run by `make test` before the tests) made: a layer with the product's
code and pinned dependencies for arm64 and Python 3.13, and nothing that only demo data or tests need."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / ".aws-sam" / "build"
# It inspects what `make build` made: `make test` builds first, `make check` does not build.
pytestmark = pytest.mark.build
LAYER = BUILD / "KluisLayer" / "python"


@pytest.fixture(scope="module")
def layer() -> Path:
    if not LAYER.is_dir():
        message = "no .aws-sam/build/KluisLayer: `make build` makes it (make test runs it first)"
        if os.environ.get("CI"):
            pytest.fail(message)  # in CI the build is part of the run
        pytest.skip(message)
    return LAYER


def test_the_layer_holds_the_product_and_its_pinned_dependencies(layer):
    assert (layer / "kluis" / "reasons.py").is_file()
    pins = [
        line.split("==")
        for line in (ROOT / "layers" / "kluis" / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    ]
    for name, version in pins:
        dist = name.replace("-", "_")
        assert (layer / f"{dist}-{version}.dist-info").is_dir(), f"{name}=={version} is not in the layer"


def test_the_layer_holds_no_demo_data_or_test_tools(layer):
    names = {path.name.lower() for path in layer.iterdir()}
    leaked = {name for name in names if name.startswith(("kluis_tools", "fpdf", "moto", "pytest", "tests"))}
    assert not leaked, leaked


def test_the_compiled_dependencies_are_built_for_arm64_and_python_3_13(layer):
    binaries = list(layer.glob("pydantic_core/*.so"))
    assert binaries, "pydantic_core has no compiled module"
    assert all("cpython-313-aarch64" in path.name for path in binaries), binaries


def test_every_function_is_built_with_its_handler():
    if not BUILD.is_dir():
        pytest.skip("no .aws-sam/build")
    for handler in (ROOT / "functions").glob("*/app.py"):
        built = [path for path in BUILD.glob("*Function/app.py") if path.read_bytes() == handler.read_bytes()]
        assert built, f"{handler.relative_to(ROOT)} is in no built function"
