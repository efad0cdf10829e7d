# leadsync — the three commands a newcomer needs: `make demo`, `make test`, `make dev`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# dagster-dbt runs the venv's `dbt`; put the venv first on PATH for every target.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: demo test lint dev prepare install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/leadsync demo

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint transform/models transform/macros --processes 1

# The suite on every core (pytest-xdist): whole test modules per worker, so a module's built
# warehouse is built once; modules marked `heavy` start first (tests/conftest.py). The slowest
# tests are listed at the end. `make test TEST_WORKERS=0` runs it in one process.
TEST_WORKERS ?= auto
test: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=15

# The demo config with its sandboxes and secrets (or $$LEADSYNC_CONFIG as it is); the dbt manifest
# is prepared once here, before `dagster dev` starts (orchestration/dev.py).
dev: install
	$(BIN)/python -m leadsync.orchestration.dev

# Deploy step: parse the dbt project once for the code location (`dagster-webserver`/daemon read it).
prepare: install
	$(BIN)/python -m leadsync.orchestration.prepare

clean:
	rm -rf $(VENV) warehouse demo_output .pytest_cache
