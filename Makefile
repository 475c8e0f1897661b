# planbridge: `make run` and `make test` are all a newcomer needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.9
PYTEST_ARGS ?=
# The board's browser tests drive Debian's Chromium through Playwright (no browser download).
CHROMIUM ?= /usr/bin/chromium

.PHONY: install browser run test test-unit lint lock bench contract clean api-docs

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@# compiled once here: a cold command would otherwise compile ~1,000 modules (0.65 s) on every
	@# start where bytecode is not written (PYTHONDONTWRITEBYTECODE, read-only installs)
	@$(BIN)/python -m compileall -q -j 0 planbridge planning_core integrations bot feishu >/dev/null
	@touch $(STAMP)

run: install
	$(BIN)/planbridge demo --replace
	$(BIN)/planbridge quote DN100-GATE 50 --customer ACME
	$(BIN)/planbridge digest
	@echo
	@echo "Start the service (REST API, Slack endpoints, daily digest): $(BIN)/planbridge serve"
	@echo "Slack tokens go in .env (see README); without them /api/ and /healthz still run."

# Chromium (and a Chinese font) for the board's browser tests: installed with apt-get when missing and we may
# (root on Debian);
# elsewhere those tests skip and say why.
browser:
	@test -x $(CHROMIUM) || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; } \
		|| echo "make browser: Chromium is not installed and cannot be here (needs apt-get as root); browser tests will skip"

test: install
	@$(MAKE) --no-print-directory browser || true
	$(BIN)/pytest -q -n 2 $(PYTEST_ARGS)

test-unit: install
	$(BIN)/pytest -q -n 2 -m unit $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

contract: install
	$(BIN)/python ../shared/check/contract_check.py

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet -o requirements.lock

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache planbridge.sqlite* test-artifacts

api-docs: install
	$(BIN)/python -m planbridge.api.reference
