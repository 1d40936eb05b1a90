# Outreach: one workspace, five services, a local stack without Docker.
#   make demo   - set up, start the stack, run a small campaign end to end, stop the stack
#   make test   - set up, lint, run every test tier against real Kafka and the MongoDB-wire server

SHELL := /bin/bash
.DEFAULT_GOAL := help
# uv from PATH, else the one pip installs for this Python (`python3 -m uv` needs no PATH or shim changes)
UV ?= $(shell command -v uv >/dev/null 2>&1 && echo uv || echo python3 -m uv)
VENV := .venv
OUTREACH := $(VENV)/bin/outreach
PACKAGES := -p outreach_contracts -p outreach_common -p outreach_windows -p outreach_devstack \
	-p outreach_twilio_sim -p outreach_crm_fakes -p outreach_cli -p outreach_ingest -p outreach_scheduler -p outreach_dialer \
	-p outreach_messenger -p outreach_metrics -p outreach_gateway

.PHONY: help setup install-uv console console-api browser infra-install infra-up infra-down up down status demo test test-unit lint \
	format schemas docs chaos bench bench-scheduler bench-dialer bench-ingest bench-metrics bench-gateway bench-forecast bench-console bench-crm

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

install-uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		python3 -m pip install --quiet uv==0.13.8 || python3 -m pip install --quiet --user uv==0.13.8

setup: install-uv ## Install Python deps (uv workspace, .venv/), fetch Kafka jars, build FerretDB
	$(UV) sync --frozen --python 3.11 --compile-bytecode
	$(VENV)/bin/python -m compileall -q -j 0 services libs contracts cli tools bench
	$(OUTREACH) infra install
	$(MAKE) --no-print-directory console

console: ## Build the console (npm ci from its lockfile, then a production build the gateway serves)
	@cd console && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; }
	cd console && npm run gen:api && npm run build

console-api: setup ## Rewrite the console's copy of the public OpenAPI document from the code (its types follow)
	$(OUTREACH) docs --out docs/generated
	cp docs/generated/public.openapi.json console/src/api/openapi.json
	cd console && npm run gen:api

browser: ## Debian's Chromium for the console's browser tests (installed when missing)
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || \
		{ $$SUDO apt-get update -q && $$SUDO apt-get install -y --no-install-recommends chromium; }; }

infra-install: setup

infra-up: setup ## Start Kafka and the MongoDB-wire server only
	$(OUTREACH) infra up

infra-down: ## Stop Kafka and the MongoDB-wire server
	-$(OUTREACH) infra down

up: setup ## Start infrastructure and the five services (logs in .local/logs)
	$(OUTREACH) stack up

down: ## Stop the services and the infrastructure
	-$(OUTREACH) stack down

status: ## Health of each service
	$(OUTREACH) stack status

demo: setup ## Start the stack, run a demo campaign end to end, print the overview, stop the stack
	@trap '$(OUTREACH) stack down' EXIT; $(OUTREACH) stack up --virtual-clock && $(OUTREACH) demo

lint: ## ruff and mypy --strict
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(PACKAGES)

test: setup lint browser ## Every test tier (unit, integration, e2e, the console's) on real Kafka and the MongoDB-wire server
	cd console && npx tsc --noEmit && npm test
	$(VENV)/bin/pytest -m "unit or integration or e2e" tests

test-unit: setup ## Unit tests only (no network)
	$(VENV)/bin/pytest -m unit tests

format: ## Apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: bench-scheduler bench-dialer bench-ingest bench-metrics bench-gateway bench-forecast bench-console bench-crm ## Every benchmark (results in bench/results/)

bench-scheduler: setup ## Scheduler benchmarks -> bench/results/scheduler.json
	$(VENV)/bin/python -m bench.runs scheduler

bench-ingest: setup ## Ingest benchmarks (1,000,000-row file) -> bench/results/ingest.json
	$(VENV)/bin/python -m bench.runs ingest

bench-metrics: setup ## Metrics projection throughput -> bench/results/metrics.json
	$(VENV)/bin/python -m bench.runs metrics

bench-gateway: setup ## Gateway: added latency, requests/s, RSS of a 1 GB upload -> bench/results/gateway.json
	$(VENV)/bin/python -m bench.runs gateway

bench-forecast: setup ## Forecast of 100,000 contacts (no services) -> bench/results/forecast.json
	$(VENV)/bin/python -m bench.runs forecast

bench-console: setup browser ## Console: bundle size, overview and contacts page of 1,000,000 contacts in Chromium -> bench/results/console.json
	$(VENV)/bin/python -m bench.runs console

bench-crm: setup ## CRM: a full sync of 100,000 HubSpot contacts under HubSpot's rate limit -> bench/results/crm.json
	$(VENV)/bin/python -m bench.runs crm

bench-dialer: setup ## Dialer pacing benchmark (20,000 calls at 50/s) -> bench/results/dialer.json
	$(VENV)/bin/python -m bench.runs dialer

chaos: setup ## Chaos run: 10,000 contacts while services, Kafka and the database are killed -> bench/results/chaos.json
	$(VENV)/bin/python -m bench.chaos

schemas: setup ## Export JSON Schemas of every contract into contracts/schemas/
	$(VENV)/bin/python -m outreach_contracts.export_schemas contracts/schemas

docs: setup ## Generate each service's OpenAPI and AsyncAPI documents into docs/generated/
	$(OUTREACH) docs --out docs/generated
