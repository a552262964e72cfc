# `make run` and `make test` each create the local virtualenv (.venv) and install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONFIG ?= config.toml
SHARED ?= ../shared

.PHONY: run test lint typecheck pytest check-config train eval bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/watcher --config $(CONFIG) run

check-config: $(VENV)/.run-installed
	$(BIN)/watcher --config $(CONFIG) check-config

test: lint typecheck pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/hadolint Dockerfile

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

pytest: $(VENV)/.dev-installed
	$(BIN)/pytest -q

# The scorer: `make train` rebuilds watcher/scoring/data/model.tsv.gz and the learned risk
# component data/risk.tsv.gz from ../shared/eval/dev.csv (byte for byte); `make eval` prints the risk rules' recall and precision on the case set
# (tests/fixtures/scoring, each part apart), then measures the model per dataset, with
# leave-one-dataset-out validation.
$(VENV)/.train-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,train]'
	touch $@ $(VENV)/.dev-installed $(VENV)/.run-installed

train: $(VENV)/.train-installed
	$(BIN)/python -m watcher.scoring.train $(SHARED)/eval/dev.csv
	$(BIN)/python -m watcher.scoring.risk_train $(SHARED)/eval/dev.csv

eval: $(VENV)/.train-installed
	$(BIN)/python -m watcher.scoring.cases tests/fixtures/scoring
	$(BIN)/python -m watcher.scoring.eval $(SHARED)/eval/dev.csv

# The benchmarks (bench/README.md): a loopback platform, `watcher sweep` / `watcher run` as whole
# processes, urlwatch (in its own virtualenv, never the project's) for comparison; BENCH_ARGS
# passes sizes, e.g. `make bench BENCH_ARGS="--only warm --runs 3"`.
URLWATCH_VENV ?= .venv-urlwatch
BENCH_ARGS ?=

$(URLWATCH_VENV)/bin/urlwatch:
	$(PYTHON) -m venv $(URLWATCH_VENV)
	$(URLWATCH_VENV)/bin/pip install --quiet 'urlwatch==2.29'

bench: $(VENV)/.dev-installed $(URLWATCH_VENV)/bin/urlwatch
	$(BIN)/python -m bench --urlwatch $(URLWATCH_VENV)/bin/urlwatch $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
