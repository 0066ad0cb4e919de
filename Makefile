# casesys — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
DEMO_CASES ?= 2000
# pytest-xdist processes for `make test` (one per core; TEST_WORKERS=0 runs in this process).
TEST_WORKERS ?= auto
HOST ?= 127.0.0.1
PORT ?= 5000
# The QR code and verification address on documents point to the server that made them.
PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)

# Harmless without libfaketime; with it (`faketime '2026-02-14 09:00' make test`)
# Python's timed waits need the real monotonic clock (tests/faketime.py).
export FAKETIME_DONT_FAKE_MONOTONIC := 1
# libfaketime reads the faked date again every 10 s from the environment, which the
# test process empties for the processes it starts: it must read it once only.
export FAKETIME_CACHE_DURATION := 1000000000

.PHONY: install system-deps run test bench db-upgrade clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $@

system-deps:
	@bash scripts/system-deps.sh

db-upgrade: install
	$(FLASK) db upgrade

run: install system-deps db-upgrade
	$(FLASK) demo-data --if-empty --cases $(DEMO_CASES)
	@echo ""
	@echo "  casesys: http://$(HOST):$(PORT)  (documents verify at $(PUBLIC_BASE_URL)/verify)"
	@echo "  演示账号 demo logins (password casesys-demo):"
	@echo "    admin (管理员)  officer (办案人员)  mediator (调解员)  supervisor (负责人)"
	@echo ""
	@# The worker (background jobs and the timed jobs) runs beside the web server and
	@# stops with it, however that ends (Ctrl+C, SIGTERM, a crash).
	@$(FLASK) worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(VENV)/bin/gunicorn --workers 2 --threads 4 --bind $(HOST):$(PORT) --access-logfile - wsgi:app

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal

bench: install
	$(PY) bench/run.py
	$(PY) bench/referrals.py --count 1000 --restarts 2

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
