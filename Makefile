# The README's two commands: `make demo` and `make test`. Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml package-lock.json | sha1sum | cut -c1-12)

.PHONY: screenshots catalog install browser pdf demo serve test test-pg lint types check bench-intake clean

$(STAMP): pyproject.toml package-lock.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

demo: install pdf  ## fresh Banggai demo database, demo logins, live simulated workload on :8112
	$(BIN)/cc112 demo

serve: install pdf
	$(BIN)/cc112 db upgrade && $(BIN)/cc112 seed && $(BIN)/cc112 serve

test: install browser pdf  ## the whole suite (SQLite; PostgreSQL too when CC112_TEST_DATABASE_URL is set)
	$(BIN)/pytest

browser:  ## Debian's chromium for the browser tests (installed when missing and we may)
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; } ; } || \
	  echo "chromium not installed: browser tests will be skipped (apt-get install chromium)"

pdf:  ## Debian's pango (WeasyPrint, the monthly PDF report) and poppler-utils (pdftotext, report tests)
	@{ ldconfig -p | grep -q libpangoft2-1.0 && command -v pdftotext >/dev/null; } || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils >/dev/null; } ; } || \
	  echo "pango/poppler-utils not installed: the PDF report needs libpango-1.0-0 libpangoft2-1.0-0 (apt-get install)"

test-pg: install pdf
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

catalog: install  ## refresh the English catalog from the templates; lists missing translations
	$(BIN)/python scripts/update_catalog.py

screenshots: install browser  ## regenerate docs/screenshots (Bahasa Indonesia) from the browser tests
	CC112_SCREENSHOTS=1 $(BIN)/pytest tests/web/test_flow.py tests/web/test_citizen.py tests/analytics_web/test_browser.py -q
