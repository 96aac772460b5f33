# The README's two commands: `make demo` and `make test`. Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: install demo serve test test-pg lint types check bench-intake clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

demo: install  ## fresh Banggai demo database, demo logins, live simulated workload on :8112
	$(BIN)/cc112 demo

serve: install
	$(BIN)/cc112 db upgrade && $(BIN)/cc112 seed && $(BIN)/cc112 serve

test: install  ## the whole suite (SQLite; PostgreSQL too when CC112_TEST_DATABASE_URL is set)
	$(BIN)/pytest

test-pg: install
	CC112_TEST_DATABASE_URL=$${CC112_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres} $(BIN)/pytest

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: install
	$(BIN)/mypy

check: lint types test

bench-intake: install
	$(BIN)/python bench/intake.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
