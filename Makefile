# Two commands matter: `make demo` starts Estafeta, `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The demo needs only the product; the tests add their tools (pytest, playwright, schemathesis) on top.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test install lint bench clean

demo: $(RUN_STAMP)
	$(BIN)/estafeta demo
	exec $(BIN)/estafeta run

test: $(DEV_STAMP)
	$(BIN)/pytest -q

install: $(DEV_STAMP)

$(RUN_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUN_STAMP)

$(DEV_STAMP): $(RUN_STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .

# Benchmarks (PostgreSQL and Redis on 127.0.0.1; not part of the tests): webhook end to end, card moves, kill -9.
bench: $(DEV_STAMP)
	$(BIN)/python bench/updates.py --suite
	$(BIN)/python bench/moves.py
	$(BIN)/python bench/crash.py

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache *.egg-info
