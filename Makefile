# Kluis: every command a newcomer needs. `make run` starts the product locally, `make test` checks it.
# Both set themselves up on a fresh machine (virtualenv, packages, Debian's chromium for browser tests).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHECKOV := $(VENV)/checkov/bin/checkov
export PYTHONPATH := $(CURDIR):$(CURDIR)/layers/kluis:$(CURDIR)/tools
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint unit integration e2e bench seed setup browser clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	test -x $(CHECKOV) || $(PYTHON) -m venv $(VENV)/checkov
	$(VENV)/checkov/bin/pip install --quiet "$$($(BIN)/python -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["tool"]["kluis"]["checkov"])')"
	touch $(STAMP)

# Debian's chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: $(STAMP)
	$(BIN)/python -m infra.local

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	for handler in functions/*/app.py; do $(BIN)/mypy --strict --no-error-summary $$handler || exit 1; done
	$(BIN)/cfn-lint template.yaml infra/replica.yaml -a cfn_lint_serverless.rules
	$(CHECKOV) --quiet --compact --skip-download --framework cloudformation -f template.yaml -f infra/replica.yaml

unit: $(STAMP)
	$(BIN)/pytest tests/unit -q

integration: $(STAMP)
	$(BIN)/pytest tests/integration -q

e2e: $(STAMP) browser
	$(BIN)/pytest tests/e2e -q

test: $(STAMP) browser lint
	$(BIN)/pytest tests -q

bench: $(STAMP)
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
