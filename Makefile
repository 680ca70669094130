# The two commands: `make run` (set up everything and serve) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install translations migrate setup serve scheduler bench bench-profile bench-sla babel-extract clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d tracker/translations

# A local secret for the laptop setup; production sets SECRET_KEY in its environment.
.env:
	@echo "SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_hex(32))')" > .env
	@echo "Created .env with a random SECRET_KEY."

migrate: install .env
	mkdir -p instance
	$(FLASK) db upgrade

setup: migrate
	$(FLASK) localities import
	$(FLASK) demo accounts

run: setup
	@echo "Serving on http://$(HOST):$(PORT) with the scheduler beside it (Ctrl+C stops both)."
	$(BIN)/python -m tracker.devserver --host $(HOST) --port $(PORT)

# ruff first (import order and bug-finding rules), then the suite on 2+ workers, a module per worker.
PYTEST := $(BIN)/python -m pytest -n auto --dist loadfile

test: install
	$(BIN)/ruff check .
	$(PYTEST)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		TRACKER_TEST_DB=postgresql $(PYTEST); \
	fi

babel-extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o tracker/translations/messages.pot .
	$(BIN)/pybabel update -i tracker/translations/messages.pot -d tracker/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance/*.db

# Speed targets, checked by a benchmark and never by timed assertions in tests.
# make bench: BENCH_TICKETS (200000), BENCH_DATABASE_URL (scratch SQLite; postgresql://.../<name with "bench">),
# BENCH_REUSE=1 (keep and reuse the seeded database), BENCH_SECONDS (10 per page), BENCH_PAGES (a subset).
bench: install
	@command -v wrk >/dev/null || { echo "make bench needs wrk (the load generator): sudo apt-get install -y wrk" \
		"(macOS: brew install wrk)"; exit 1; }
	$(BIN)/python scripts/bench.py

# Where a page's time goes, in-process on the seeded database (BENCH_REUSE=1 keeps it between the two).
bench-profile: install
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python scripts/bench_profile.py

bench-sla: install
	$(BIN)/python scripts/bench_sla.py
