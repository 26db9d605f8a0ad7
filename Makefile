# kinmap: `make demo` to see it, `make test` to check it. Nothing else is needed
# on a fresh machine: the venv, the packages and Chromium are installed here.
SHELL := /bin/bash
# The distribution's own Python 3.11 where there is one (Debian's /usr/bin/python3.11:
# built with profile-guided and link-time optimisation, libpython linked in), else
# the first python3.11 on the PATH; see "The interpreter" in the README.
PYTHON ?= $(or $(wildcard /usr/bin/python3.11),$(shell command -v python3.11 || command -v python3))
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
CHROMIUM := /usr/bin/chromium

.PHONY: demo install test lint types pytest bench bench-area chromium cairo serve clean

$(BIN)/kinmap: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -c 'import ensurepip' 2>/dev/null || { \
	  echo "Installing Debian's venv module for $(PYTHON)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python3.11-venv >/dev/null; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/kinmap

install: $(BIN)/kinmap

# The background worker (kinmap worker) runs beside the server and stops with it.
demo: install cairo
	$(BIN)/kinmap migrate --noinput
	$(BIN)/kinmap demo --url http://$(HOST)
	$(BIN)/kinmap worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(BIN)/kinmap runserver $(HOST)

# A production server: migrate, collect the static files, run gunicorn
# (KINMAP_BIND, KINMAP_WORKERS, KINMAP_THREADS; see the README).
serve: install cairo
	$(BIN)/kinmap migrate --noinput
	KINMAP_BIND="$${KINMAP_BIND:-$(HOST)}" $(BIN)/kinmap serve

# Debian's Chromium drives the browser tests; no browser is downloaded.
chromium:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Debian's cairo library draws the genogram's PNG and PDF downloads (CairoSVG).
cairo:
	@test -n "$$(ls /usr/lib/*/libcairo.so.2 /lib/*/libcairo.so.2 2>/dev/null)" || { \
	  echo "Installing Debian's libcairo2 for the genogram downloads"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libcairo2 >/dev/null; }

lint: install
	$(BIN)/ruff check kinmap tests
	$(BIN)/ruff format --check kinmap tests

types: install
	$(BIN)/mypy kinmap

pytest: install chromium cairo
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint types pytest

# The benchmark works on the configured database (DATABASE_URL), migrated first,
# so it runs on a fresh clone; BENCH_ARGS passes options (e.g. --families 2000).
bench: install
	$(BIN)/kinmap migrate --noinput
	$(BIN)/kinmap bench $(BENCH_ARGS)

# kinmap at the size of an area, on PostgreSQL (never the 'test' database): the
# caseload made (or reused), served by gunicorn, driven over HTTP; see the README.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kinmap_bench
bench-area: install cairo
	DATABASE_URL="$${DATABASE_URL:-$(BENCH_DATABASE_URL)}" $(BIN)/kinmap bench_area $(BENCH_AREA_ARGS)

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
