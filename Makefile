# dxplan: `make demo` sets everything up and serves the dashboard; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= dxplan-data

VENDOR := src/dxplan/web/static/vendor
DEMO_AS_OF ?= 2025-11-08

.PHONY: install assets demo test lint check bench clean contracts

# The virtual environment is rebuilt when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

# The dashboard's scripts and font, from the npm registry (package-lock.json), never a CDN.
$(VENDOR)/.installed: package.json package-lock.json scripts/assets.sh
	scripts/assets.sh
	touch $@

assets: $(VENDOR)/.installed

install: $(VENV)/.installed assets

demo: install
	DXPLAN_AS_OF=$(DEMO_AS_OF) $(BIN)/dxplan --data-dir $(DATA_DIR) demo --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest -n 2 -q --durations=20

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

check: lint test

# docs/schemas/*.json, docs/measures.md, docs/errors.md and the generated sections of
# docs/plan-file.md and docs/operational-data.md, from the code's definitions.
contracts: install
	$(BIN)/python scripts/contracts.py

# Engine and import benchmark (1M and 10M dossiers; ratios to baselines of the same run).
bench: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache node_modules $(VENDOR) artifacts
