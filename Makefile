# Two commands matter: `make demo` starts Estafeta, `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test install lint bench clean

demo: $(STAMP)
	$(BIN)/estafeta demo
	exec $(BIN)/estafeta run

test: $(STAMP)
	$(BIN)/pytest -q

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/updates.py

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache *.egg-info
