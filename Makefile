# Kluis: every command a newcomer needs. `make run` starts the product locally, `make test` checks it,
# `make build` builds it for AWS as `sam deploy` takes it. Each sets itself up on a fresh machine
# (virtualenvs, pinned packages, Debian's chromium for the browser tests, the SAM CLI).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHECKOV := $(VENV)/checkov/bin/checkov
# The SAM CLI pins its own boto3 and friends, older than ours: it gets a virtualenv of its own.
SAM_CLI_VERSION := 1.170.0
SAM_VENV := .venv-sam
SAM_STAMP := $(SAM_VENV)/.installed-$(SAM_CLI_VERSION)
# make run ARGS="--port 8001 --aws-port 5001" (python -m infra.local --help)
ARGS ?=
export PYTHONPATH := $(CURDIR):$(CURDIR)/layers/kluis:$(CURDIR)/tools
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test check lint unit integration e2e bench seed setup browser build sam clean least-privilege coverage

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

# make run FAULTS=0.02: 2 % of the product's AWS requests fail as AWS fails them (infra/local/faults.py).
run: $(STAMP)
	KLUIS_LOCAL_FAULT_RATE=$(FAULTS) $(BIN)/python -m infra.local $(ARGS)

# The SAM CLI, pinned, in .venv-sam.
sam: $(SAM_STAMP)

$(SAM_STAMP):
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/pip install --quiet aws-sam-cli==$(SAM_CLI_VERSION)
	rm -f $(SAM_VENV)/.installed-*
	touch $@

# sam validate --lint, then sam build (Python 3.13 from PATH or pyenv; infra/sam_build.sh says what to
# install where there is none), then a check that the layer holds no demo data.
build: $(SAM_STAMP)
	SAM_CLI=$(SAM_VENV)/bin/sam PYTHON313="$(PYTHON313)" infra/sam_build.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	for handler in functions/*/app.py; do $(BIN)/mypy --strict --no-error-summary $$handler || exit 1; done
	$(BIN)/cfn-lint template.yaml infra/replica.yaml -a cfn_lint_serverless.rules
	$(CHECKOV) --quiet --compact --skip-download --framework cloudformation -f template.yaml -f infra/replica.yaml

unit: $(STAMP)
	$(BIN)/pytest tests/unit -q

# The edit loop: the Python checks of `make lint` (not cfn-lint, checkov or the SAM build) and the
# unit tests, stopping at the first failure. About 3 minutes here; `make test` before a commit.
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest tests/unit -q -x -m "not slow and not build"

integration: $(STAMP)
	$(BIN)/pytest tests/integration -q

e2e: $(STAMP) browser
	$(BIN)/pytest tests/e2e -q

# The build first: tests/unit/test_build.py inspects what it built. Then three pytest runs, each over
# WORKERS pytest-xdist workers (WORKERS=0: in this process): the browser tests, the integration tests
# (each worker with its own local stack; tests/policy/session.py gathers every worker's AWS calls for
# the policy catalogue check) and the rest. The unit tests' moto (mock_aws) resets the process's AWS
# state when a test ends, so they never share a worker with a local stack. The longest files go first
# (the `minutes` marker, tests/conftest.py). The last run reports the branch coverage of the kluis
# layer by its own tests (the integration tests would cover more, but tracing them costs minutes).
WORKERS ?= 2
PYTEST = $(BIN)/pytest -q -n $(WORKERS) --dist loadfile --no-loadscope-reorder
test: $(STAMP) browser lint build
	$(PYTEST) tests/e2e --durations=10
	$(PYTEST) tests/integration --durations=25
	$(PYTEST) tests --ignore=tests/e2e --ignore=tests/integration --durations=10 \
	  --cov=kluis --cov-branch --cov-report=term:skip-covered

# The kluis layer's branch coverage by the integration and unit tests together (95 % on 2026-12-08;
# about 16 minutes here, as tracing slows the integration tests by half again: make test reports the
# unit run's alone, which costs seconds).
coverage: $(STAMP)
	rm -f .coverage
	$(PYTEST) tests/integration --cov=kluis --cov-branch --cov-report=
	$(PYTEST) tests --ignore=tests/e2e --ignore=tests/integration --cov=kluis --cov-branch --cov-append \
	  --cov-report=term-missing:skip-covered

bench: $(STAMP)
	$(BIN)/python -m tests.bench

# Each role's statements and actions that no call the product makes needs (tests/policy/unneeded.py);
# `make test` runs it as tests/policy/test_least_privilege.py.
least-privilege: $(STAMP)
	$(BIN)/python -m tests.policy.unneeded

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .ruff_cache
