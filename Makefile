# Arrears: `make run` sets up and starts the product with demo data; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARREARS := $(BIN)/arrears
# Where `make run` serves: `PORT=8001 make run` (or `make run PORT=8001`) serves elsewhere.
PORT ?= 8000

.PHONY: run test lint layers typecheck migrations-check pytest bench bench-import bench-cycle bench-outreach clean system-deps browser-deps

# Letters (WeasyPrint PDFs) need a Chinese font (fonts-noto-cjk), and HarfBuzz's subsetter:
# without it WeasyPrint subsets the CJK font in Python, 17 s a letter instead of 1.4 s.
LETTER_DEBS := fontconfig fonts-noto-cjk libharfbuzz-subset0
# The browser tests (tests/e2e) drive Debian's Chromium headless through Playwright; Playwright's
# own browser download (`playwright install`) is never used.
BROWSER_DEBS := chromium
# The zh-hans catalog is kept as text (.po) and compiled with gettext's msgfmt at install.
LOCALE := src/arrears/locale/zh_Hans/LC_MESSAGES
MESSAGES := $(LOCALE)/django.mo

# Debian's python3 lacks venv/ensurepip until python3-venv is installed; install it when we may.
system-deps:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Arrears needs Python 3.11 or newer"'
	@if ! $(PYTHON) -c 'import venv, ensurepip' 2>/dev/null; then \
	  echo "Installing python3-venv (Debian package)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3-venv; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq python3-venv; fi; \
	fi
	@if ! fc-list :lang=zh 2>/dev/null | grep -q . || \
	  ! $(PYTHON) -c 'import ctypes.util as u, sys; sys.exit(not u.find_library("harfbuzz-subset"))'; then \
	  echo "Installing fonts-noto-cjk and libharfbuzz-subset0 (Debian packages, for PDF letters)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(LETTER_DEBS); \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq $(LETTER_DEBS); fi; \
	fi
	@if ! command -v msgfmt >/dev/null; then \
	  echo "Installing gettext (Debian package, to compile the Chinese translations)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq gettext; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq gettext; fi; \
	fi

# Chromium is only for the browser tests (make test), never for make run.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing chromium (Debian package, for the browser tests)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(BROWSER_DEBS); \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq $(BROWSER_DEBS); fi; \
	fi
	@if ! command -v zip >/dev/null; then \
	  echo "Installing zip (Debian package: a test re-zips an evidence bundle the way Info-ZIP does)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq zip; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq zip; fi; \
	fi

$(BIN)/python: | system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

$(MESSAGES): $(LOCALE)/django.po | system-deps
	msgfmt --check -o $@ $<

run: $(VENV)/installed $(MESSAGES)
	$(ARREARS) migrate --no-input
	$(ARREARS) demo --if-empty
	$(ARREARS) serve 127.0.0.1:$(PORT)

lint: $(VENV)/installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The one-way house: each app imports only apps on lower floors (pyproject's import-linter
# contract; docs/architecture.md).
layers: $(VENV)/installed
	$(BIN)/lint-imports

typecheck: $(VENV)/installed
	$(BIN)/mypy

migrations-check: $(VENV)/installed
	$(ARREARS) makemigrations --check --dry-run --no-input

# system-deps again here: an existing venv skips it; browser-deps: the browser tests need Chromium.
# Parallel (pytest-xdist): one worker per core (PYTEST_WORKERS=auto, the default; `make pytest
# PYTEST_WORKERS=0` runs in one process). Each worker has its own test database (pytest-django
# suffixes its name with _gw0, _gw1, ...) and its own temporary and data directories.
# `--dist load` hands tests out in collection order, so in every worker the transactional tests
# still run after the others and tests/test_bulk.py last (tests/test_transactional_tests.py).
# `--maxschedchunk=1` keeps the order but hands them out one at a time (each worker holds two
# in hand): by default a worker was sent a quarter of what was left at once, and the last such
# batch, the browser tests of 3-8 s each, kept one worker busy 27 s after the other finished.
# Bytecode is cached under .venv even when PYTHONDONTWRITEBYTECODE is set: otherwise every
# worker and every `arrears` subprocess of the crash tests recompiles the source and pytest
# re-rewrites every test module's asserts (31 s of CPU per worker's collection instead of 14).
# ARREARS_PROCESS=web: the tests run with the web process's PostgreSQL sessions, which bind
# values on the server (arrears.core.prepared), the stricter of the two ways of sending a
# statement: SQL that runs so also runs with its values written in. They prepare nothing
# (ARREARS_PREPARE_THRESHOLD=off): a suite's thousands of statements, each prepared on its
# second use, made it a quarter slower; tests/test_web_sessions.py covers preparing.
PYTEST_WORKERS ?= auto
pytest: system-deps browser-deps $(VENV)/installed $(MESSAGES)
	ARREARS_PROCESS=web ARREARS_PREPARE_THRESHOLD=off \
	PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/$(VENV)/pycache \
	  $(BIN)/pytest -n $(PYTEST_WORKERS) --dist load --maxschedchunk=1

test: lint layers typecheck migrations-check pytest

# The cycle (SQLite; PostgreSQL with 1 and 2 workers) from one build per engine, its steps
# compared with bench/baseline.json (docs/benchmarks.md): `make bench LOANS=200000`.
bench: $(VENV)/installed
	bench/steady $(if $(LOANS),--loans $(LOANS)) $(BENCH_ARGS)

bench-import: $(VENV)/installed
	bench/import.sh $(LOANS)

bench-cycle: $(VENV)/installed
	bench/cycle.sh $(LOANS) $(DAYS)

bench-outreach: $(VENV)/installed
	bench/outreach.sh $(MESSAGES) $(WORKERS)

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .hypothesis $(MESSAGES)
