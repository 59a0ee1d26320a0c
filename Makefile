# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PG_TEST_DB := grants_test_$(shell echo $$$$)

.PHONY: run run-scaled test lint test-sqlite test-postgres test-browser browser-deps seed-national bench clean help

help:
	@echo "make run    - install, migrate, seed (if empty) and serve on http://127.0.0.1:8000"
	@echo "make run-scaled - the same on PostgreSQL (grants_scaled), 2 web workers, jobs on Redis (docs/PRODUCTION.md)"
	@echo "make test   - lint, tests on SQLite, service/API tests on PostgreSQL, browser tests"
	@echo "make bench  - benchmarks (see bench/README.md)"

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/python main.py serve

# The production-like set-up on this machine (docs/PRODUCTION.md): PostgreSQL database grants_scaled
# (created when missing, kept between runs), two uvicorn workers, the job queue on Redis and one worker.
SCALED_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/grants_scaled
SCALED_QUEUE_URL ?= redis://127.0.0.1:6379/0
run-scaled: $(STAMP)
	$(BIN)/python -c "import psycopg; c = psycopg.connect('host=127.0.0.1 port=5432 user=postgres dbname=postgres', autocommit=True); c.execute('SELECT 1 FROM pg_database WHERE datname = %s', ('grants_scaled',)).fetchone() or c.execute('CREATE DATABASE grants_scaled')"
	DATABASE_URL=$(SCALED_DATABASE_URL) JOB_QUEUE_URL=$(SCALED_QUEUE_URL) $(BIN)/python main.py serve --workers 2

# ruff on everything; import-linter contracts (.importlinter); mypy on every package (pyproject.toml says
# which query modules turn off the two codes SQLModel column expressions cannot satisfy).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy core program scoring budgeting compliance decisions opendata reports dashboard

test: lint test-sqlite test-postgres

test-sqlite: $(STAMP) browser-deps
	$(BIN)/python -m pytest

# Service and API tests again on a throwaway PostgreSQL database (created and dropped here).
test-postgres: $(STAMP)
	@url=$$($(BIN)/python tools/pg_testdb.py create $(PG_TEST_DB)); rc=$$?; \
	if [ $$rc -eq 3 ] && [ "$$CI" != "true" ]; then echo "PostgreSQL not available: PostgreSQL run skipped (it is required under CI)"; exit 0; fi; \
	if [ $$rc -ne 0 ]; then exit $$rc; fi; \
	TEST_DB=postgres TEST_DATABASE_URL=$$url $(BIN)/python -m pytest -m "not browser and not national"; status=$$?; \
	$(BIN)/python tools/pg_testdb.py drop $(PG_TEST_DB); exit $$status

test-browser: $(STAMP) browser-deps
	$(BIN)/python -m pytest -m browser tests/dashboard

# Headless Chromium for the browser tests (Debian packages; installed when missing and root).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "installing chromium and chromium-driver (Debian packages)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium/chromedriver missing and not root: browser tests will be skipped (install: apt-get install chromium chromium-driver)"; fi; \
	fi

seed-national: $(STAMP)
	DATABASE_URL=sqlite:///var/national.db $(BIN)/python main.py seed --scale national --reset

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf var/grants.db* .pytest_cache .ruff_cache
