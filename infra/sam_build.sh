#!/usr/bin/env bash
# `make build`: `sam validate --lint` and `sam build` of template.yaml, as a deploy starts, on any machine
# with Python 3.13 (the functions' runtime). Then checks that the built layer holds the product only.
#
# SAM_CLI: the sam to run (make installs a pinned one in .venv-sam). Python 3.13 is looked for in this
# order: PYTHON313 (a path), python3.13 on PATH, pyenv's newest 3.13.x (in PYENV_ROOT, ~/.pyenv). sam build needs it on PATH as
# `python3.13`; pip then fetches the layer's dependencies as arm64 (manylinux aarch64) wheels.
set -euo pipefail
cd "$(dirname "$0")/.."

SAM_CLI=${SAM_CLI:-.venv-sam/bin/sam}
export SAM_CLI_TELEMETRY=0
REGION=${AWS_DEFAULT_REGION:-eu-west-1}

find_python313() {
  if [ -n "${PYTHON313:-}" ]; then
    echo "$PYTHON313"
    return
  fi
  if command -v python3.13 >/dev/null 2>&1 && python3.13 -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null; then
    command -v python3.13
    return
  fi
  local found
  found=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13.*/bin/python3.13 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$found" ]; then
    echo "$found"
    return
  fi
  if command -v pyenv >/dev/null 2>&1; then
    local version
    version=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.13\.[0-9]+$' | sort -t. -k3 -n | tail -1 || true)
    if [ -n "$version" ]; then
      echo "$(pyenv root)/versions/$version/bin/python3.13"
      return
    fi
  fi
  return 1
}

if ! python313=$(find_python313) || ! "$python313" -c 'import sys; assert sys.version_info[:2] == (3, 13)'; then
  cat >&2 <<'EOF'
make build needs Python 3.13, the Lambda runtime of template.yaml, and found none
(not PYTHON313, not python3.13 on PATH, not a pyenv 3.13.x). Install one of:
  pyenv install 3.13                          (any Linux or macOS with pyenv)
  apt-get install python3.13                  (Debian 13; on Ubuntu from the deadsnakes PPA)
  brew install python@3.13                    (macOS)
or point PYTHON313 at one: make build PYTHON313=/path/to/python3.13
EOF
  exit 1
fi
export PATH="$(dirname "$python313"):$PATH"
echo "Python 3.13 for sam build: $python313 ($("$python313" --version))"

"$SAM_CLI" --version
"$SAM_CLI" validate --lint --template template.yaml --region "$REGION"
"$SAM_CLI" build --template template.yaml --region "$REGION" "$@"

# The layer is the product's code and its pinned dependencies: no demo data generator, no PDF maker.
layer=.aws-sam/build/KluisLayer/python
test -d "$layer/kluis" || { echo "sam build made no layer with the kluis package ($layer)" >&2; exit 1; }
leaked=$(find "$layer" -maxdepth 1 \( -iname 'kluis_tools*' -o -iname 'fpdf*' -o -iname 'tests' \) -print)
if [ -n "$leaked" ]; then
  echo "the built layer holds what only demo data or tests need:" >&2
  echo "$leaked" >&2
  exit 1
fi
echo "Layer: $(du -sh .aws-sam/build/KluisLayer | cut -f1), $(find "$layer" -maxdepth 1 -name '*.dist-info' | wc -l) packages, no demo data."
