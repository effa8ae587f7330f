# The two commands of the README: `make synth` and `make test`. Both install what they need.
PYTHON ?= python3
VENV ?= .venv
CHECKOV_VENV ?= .venv-checkov
MINISTACK_VENV ?= .venv-ministack
BIN := $(VENV)/bin
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1
export CHECKOV := $(abspath $(CHECKOV_VENV))/bin/checkov
export MINISTACK_PYTHON := $(abspath $(MINISTACK_VENV))/bin/python

.PHONY: synth test test-fast test-deploy bench clean

synth: $(VENV)/.installed node_modules/.installed
	PATH="$(abspath $(BIN)):$$PATH" npx --no-install cdk synth --quiet
	@echo "Templates written to cdk.out/"

test: $(VENV)/.installed $(CHECKOV_VENV)/.installed $(MINISTACK_VENV)/.installed node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

# The inner loop: everything but the slow and deploy tests, on every core (about a minute).
test-fast: $(VENV)/.installed $(CHECKOV_VENV)/.installed
	$(BIN)/python -m pytest -m "not slow and not deploy" -n auto

# The deploy tests alone: the round trip on a local CloudFormation engine (ministack), the
# CDK CLI against it, and what the engine can't deploy checked at the API level.
test-deploy: $(VENV)/.installed $(MINISTACK_VENV)/.installed node_modules/.installed
	$(BIN)/python -m pytest -m deploy

bench: $(VENV)/.installed
	$(BIN)/python -m bench.fleet_synth
	$(BIN)/python -m bench.lifecycle_simulate

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

$(CHECKOV_VENV)/.installed: constraints-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet -c constraints-checkov.txt checkov
	touch $@

$(MINISTACK_VENV)/.installed: constraints-ministack.txt
	$(PYTHON) -m venv $(MINISTACK_VENV)
	$(MINISTACK_VENV)/bin/pip install --quiet --upgrade pip
	$(MINISTACK_VENV)/bin/pip install --quiet -c constraints-ministack.txt ministack
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) $(MINISTACK_VENV) node_modules cdk.out build dist *.egg-info
