# Two entry points that work on a fresh clone: `make run` and `make test`.
# Each creates .venv if it is missing and installs what it needs: `make run` the base
# install, `make test` the [dev] extra (every optional feature, test tools, the docs site).
# `make test` = lint + import contracts + the strict docs build + pytest (notebooks included).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= results/resnet18-isaac

.PHONY: run test lint docs notebooks bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(VENV)/.run-installed $@

run: $(VENV)/.run-installed
	$(BIN)/cimsim run --arch isaac --workload resnet18 --out $(OUT)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint docs
	$(BIN)/python -m pytest

bench-quick: $(VENV)/.dev-installed
	$(BIN)/python -m benchmarks --quick

bench: $(VENV)/.dev-installed
	$(BIN)/python -m benchmarks --write-docs

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis

notebooks: $(VENV)/.dev-installed
	$(BIN)/python docs/notebooks/execute.py --write

docs: $(VENV)/.dev-installed
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site
