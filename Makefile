# webwork-server: `make run` to serve a demo, `make test` for lint + types + both databases.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
PG_TEST_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test

.PHONY: setup run test lint fmt typecheck test-sqlite test-postgres dist-check docs migration contract bench clean schemathesis

setup: $(STAMP) chromium

# The browser test (tests/oauth/test_browser.py) drives Debian's chromium: browsers are
# never downloaded (no `playwright install`). Installed here when missing, as root.
CHROMIUM := /usr/bin/chromium
.PHONY: chromium
chromium:
	@test -x $(CHROMIUM) || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium; } \
		|| { echo "make setup: $(CHROMIUM) is missing; install it as root: apt-get install chromium" >&2; exit 1; }

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: setup
	$(BIN)/webwork db upgrade
	$(BIN)/webwork demo
	$(BIN)/webwork serve --no-migrate

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

fmt: setup
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

typecheck: setup
	$(BIN)/mypy src

test-sqlite: setup
	WEBWORK_TEST_DATABASE_URL= $(BIN)/pytest

test-postgres: setup
	WEBWORK_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest

# The OpenAPI document tried from outside (part of test-sqlite too): st run --checks all,
# every phase, against a live server; any failure fails it.
schemathesis: setup
	WEBWORK_TEST_DATABASE_URL= $(BIN)/pytest tests/test_schemathesis.py

# The wheel, installed outside the checkout, migrates, serves and answers.
dist-check: setup
	PYTHON=$(PYTHON) ./scripts/dist_check.sh

# The Dockerfile, linted (no container engine needed); tests/test_deploy.py checks the rest.
.PHONY: lint-docker
lint-docker: setup
	$(BIN)/hadolint Dockerfile

# The configuration page is generated from Settings; a broken link or anchor fails the build
# (not --quiet: it hides the warnings that strict mode counts, and the build then passes).
docs: setup
	$(BIN)/python scripts/settings_reference.py && NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

test: lint lint-docker typecheck test-sqlite test-postgres dist-check docs

migration: setup
	./scripts/new_migration.sh "$(MSG)"

contract: setup
	../shared/contract/run

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

# BENCH picks what to run, e.g. make bench BENCH='mix --db sqlite --by-op' (see bench/README.md).
BENCH ?= all
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run --pg-url $(PG_TEST_URL) $(BENCH)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache site
