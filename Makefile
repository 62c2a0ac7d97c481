# Packyard's two everyday commands: `make run` and `make test`. Both bootstrap .venv first.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run prod test lint typecheck check clean

$(VENV)/.installed: pyproject.toml
	@PYTHON_BIN=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null; then \
		echo "Creating $(VENV) with $$PYTHON_BIN"; rm -rf $(VENV); "$$PYTHON_BIN" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet --progress-bar on -e ".[dev]"
	@touch $@

run: export DEBUG ?= 1
run: $(VENV)/.installed
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	@# The task worker and the scheduler run beside the web server and stop with it.
	$(PY) manage.py devserver $(HOST):$(PORT)

# The production topology on this machine, for a try-out: 2 gunicorn web processes (8001,
# 8002), an RQ worker and the scheduler on the local PostgreSQL and Redis. Ctrl-C stops all.
prod: $(VENV)/.installed
	scripts/prod

test: $(VENV)/.installed
	@scripts/ensure-chromium
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy packyard config

check: lint typecheck test
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) build *.egg-info
