# Concord — every target does its own set-up: `make test` on a fresh clone is enough.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/concord
UV_VERSION := 0.13.8
UV ?= $(shell command -v uv 2>/dev/null || echo $(CACHE_DIR)/uv-$(UV_VERSION)/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.synced

.PHONY: help setup lint format typecheck asyncapi test test-unit infra-up infra-down infra-status sandbox browser bench chaos clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(CACHE_DIR)/uv-$(UV_VERSION)/bin/uv:
	@command -v python3 >/dev/null || { echo "python3 (3.11+) is required"; exit 2; }
	python3 -m venv $(CACHE_DIR)/uv-$(UV_VERSION)
	$(CACHE_DIR)/uv-$(UV_VERSION)/bin/pip install -q uv==$(UV_VERSION)

$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --python 3.11
	@touch $@

setup: $(STAMP) ## create .venv with the locked dependencies

lint: setup ## ruff lint + format check, and the import contracts (core does no I/O)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: setup ## apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: setup ## mypy --strict over shared/ and services/
	$(VENV)/bin/mypy

asyncapi: setup ## regenerate docs/asyncapi/: every service's AsyncAPI document + message JSON Schemas
	$(PY) -m services.asyncapi docs/asyncapi

test: setup browser ## all tests; starts local Kafka + FerretDB itself when no other backend is configured
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-unit: setup ## only the tests that need no server
	$(VENV)/bin/pytest tests/unit $(PYTEST_ARGS)

infra-up: setup ## start Kafka (KRaft, Maven Central jars) and FerretDB (go-built) on 127.0.0.1
	$(PY) infra/local_infra.py up

infra-down: ## stop them; no process is left behind
	@if [ -x $(PY) ]; then $(PY) infra/local_infra.py down; else python3 infra/local_infra.py down; fi

infra-status:
	@$(PY) infra/local_infra.py status

sandbox: infra-up ## serve the platform sandbox (HubSpot, Shopify, NetSuite imitations) on 127.0.0.1:8900
	set -a; . .run/infra.env; set +a; $(PY) -m services.sandbox

browser: ## Debian's chromium at /usr/bin/chromium for the browser test (apt-get install when missing)
	python3 infra/browser.py

.PHONY: demo demo-status down

demo: infra-up ## the whole system on this machine, seeded with drift; prints the dashboard URL and a sign-in
	set -a; . .run/infra.env; set +a; $(PY) -m infra.demo up

demo-status: ## the demo's processes and its open discrepancies by kind
	@set -a; . .run/infra.env; set +a; $(PY) -m infra.demo status

down: ## stop everything `make demo` started (services, then Kafka and FerretDB)
	@if [ -x $(PY) ]; then $(PY) -m infra.demo down; fi
	$(MAKE) infra-down

bench: infra-up ## benchmarks beside same-run baselines (~10 min; CONCORD_BENCH_SCALE=N for bigger); bench/results/
	set -a; . .run/infra.env; set +a; $(PY) -m bench

chaos: setup ## SIGKILLs, broker/database restarts, 503s and 429s under load; fails on any loss (own Kafka + FerretDB)
	$(PY) -m chaos $(CHAOS_ARGS)

clean: infra-down ## remove the venv and run state (caches outside the clone are kept)
	rm -rf $(VENV) .run .mypy_cache .ruff_cache .pytest_cache
