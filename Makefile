# Switchboard: `make run` serves the demo alliance, `make test` runs every check.
SHELL := /bin/bash
# The interpreter .venv is made with. The operating system's python3.11 comes first when it can
# make a virtualenv: distributions build it with profile-guided and link-time optimisation, which
# a plain build from source (pyenv's default) leaves out, and the service needs about a quarter
# less CPU a request on it (docs/operations.md, "The Python interpreter"). Else the first
# python3.11, then python3, on PATH. `make PYTHON=/path/to/python3.11 ...` chooses; an existing
# .venv is kept (remove it to make it again).
SYSTEM_PYTHON := $(shell /usr/bin/python3.11 -c "import ensurepip, venv" 2>/dev/null && echo /usr/bin/python3.11)
PYTHON ?= $(or $(SYSTEM_PYTHON),$(shell command -v python3.11 || command -v python3))
VENV := .venv
BIN := $(VENV)/bin
# Development defaults for the local targets; production sets its own environment.
DEV_ENV := DEBUG=1
# `make run PORT=8123` serves on another port. The links in emails (SITE_URL) follow it unless
# SITE_URL is set; pages and API answers link to whatever host served them.
PORT ?= 8000
# The demo's emails go to files in mail/ (one per message) unless EMAIL_URL says otherwise, so
# the terminal shows the service, not hundreds of notifications.
RUN_ENV = $(DEV_ENV) SITE_URL=$(or $(SITE_URL),http://127.0.0.1:$(PORT)) \
	EMAIL_URL=$(or $(EMAIL_URL),file://$(CURDIR)/mail)

# `make run` refuses a PORT that is not a port number, or that something already listens on,
# before its set-up rather than after it.
define PORT_CHECK
import socket, sys
port = sys.argv[1]
if not port.isdigit() or not 0 < int(port) < 65536:
    sys.exit(f"PORT={port} is not a port number; for example: make run PORT=8123")
with socket.socket() as probe:
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind(("127.0.0.1", int(port)))
    except OSError:
        sys.exit(
            f"Port {port} on 127.0.0.1 is already in use (another make run, or another "
            f"program). Stop it, or choose another port: make run PORT={int(port) + 1}"
        )
endef
export PORT_CHECK

.PHONY: run test fuzz install install-dev e2e clean load screenshots messages catalogs

# The translations: each app's catalogs (locale/<language>/LC_MESSAGES/django.po) compiled to
# the .mo files Django reads. GNU gettext (msgfmt) is installed first when it is missing and
# this machine can install packages (Debian, as root); otherwise the error says what to install.
define GETTEXT_INSTALL
if ! command -v msgfmt >/dev/null 2>&1; then \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "== installing GNU gettext for the translations"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	else \
		echo "GNU gettext (msgfmt) is needed to compile the translations: install the gettext package." >&2; \
		exit 1; \
	fi; \
fi
endef

messages: $(VENV)/.installed
	@$(GETTEXT_INSTALL)
	@$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=staticfiles -v 0

# Catalogs: every app's catalogs brought up to date with its sources (new strings appear with
# empty translations, gone ones leave); `make test` fails until each is translated.
catalogs: $(VENV)/.installed
	@$(GETTEXT_INSTALL)
	@$(DEV_ENV) $(BIN)/python manage.py catalogs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The set-up steps print only what a person needs (the demo alliance and its logins) and any
# error; runserver's own notice that it is a development server is left out (it is).
run: $(VENV)/.installed messages
	@$(BIN)/python -c "$$PORT_CHECK" "$(PORT)"
	@echo "Setting up: the database, the skills taxonomy, the demo alliance, the task schedules."
	@$(RUN_ENV) $(BIN)/python manage.py migrate --noinput >/dev/null
	@$(RUN_ENV) $(BIN)/python manage.py load_skills >/dev/null
	@$(RUN_ENV) $(BIN)/python manage.py seed_demo
	@$(RUN_ENV) $(BIN)/python manage.py seed_demo_requests >/dev/null
	@$(RUN_ENV) $(BIN)/python manage.py setup_schedules >/dev/null
	@$(RUN_ENV) $(BIN)/python manage.py handbook_schedules >/dev/null
	@echo ""
	@echo "  Switchboard:  http://127.0.0.1:$(PORT)/"
	@echo "  Your desk:    http://127.0.0.1:$(PORT)/desk/ (after signing in)"
	@echo "  Admin:        http://127.0.0.1:$(PORT)/admin/"
	@echo "  API docs:     http://127.0.0.1:$(PORT)/api/docs/"
	@echo "  Emails:       $(if $(EMAIL_URL),sent by $(firstword $(subst :, ,$(EMAIL_URL))),written to mail/ one file each)"
	@echo "  Ctrl-C stops the web server and the task cluster."
	@echo ""
	@$(RUN_ENV) $(BIN)/python manage.py qcluster & cluster=$$!; \
	trap 'kill -INT $$cluster 2>/dev/null; wait $$cluster 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) DJANGO_RUNSERVER_HIDE_WARNING=true \
		$(BIN)/python manage.py runserver 127.0.0.1:$(PORT) --noreload

test: $(VENV)/.installed-dev messages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	env -u DATABASE_URL $(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	@echo "== pytest on SQLite"
	env -u DATABASE_URL $(DEV_ENV) $(BIN)/pytest -q -n 2
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== pytest on PostgreSQL ($${DATABASE_URL%%\?*}), the tests that use a database"; \
		TESTS_WITHOUT_DATABASE=skip $(DEV_ENV) $(BIN)/pytest -q -n 2; \
	fi

# Fuzz: the API fuzzer of `make test` (tests/fuzz, 15 examples per operation and role) with
# FUZZ_EXAMPLES examples instead, on the database DATABASE_URL names (SQLite when unset).
FUZZ_EXAMPLES ?= 500
fuzz: $(VENV)/.installed-dev messages
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(DEV_ENV) $(BIN)/pytest -q -p no:logging -n auto tests/fuzz

# Load. `make load`: the open-loop mix, what users feel (tests/load/openloop.py): submissions and
# reads sent at fixed times whatever the answers do, latency from the scheduled time; gunicorn
# (sync workers) and a django-q2 cluster on SQLite, or on a fresh PostgreSQL database on
# DATABASE_URL's server when it is set (Redis when REDIS_URL is). `make load MODE=closed`: the
# closed-loop capacity runs under locust, on PostgreSQL and Redis on 127.0.0.1 (LOAD_PG,
# LOAD_REDIS; tests/load/run.py). Both print PASS/FAIL per target (exit 1 when one is missed);
# knobs and figures in tests/load/README.md.
MODE ?= open
load: | $(BIN)/python
ifeq ($(MODE),closed)
	$(BIN)/pip install --quiet -e ".[dev,load]"
	$(BIN)/python -m tests.load.run
else
	$(MAKE) -s $(VENV)/.installed-dev
	$(BIN)/python -m tests.load.openloop
endif

# Screenshots: the demo alliance (seeded as `make run` seeds it, on a throw-away test database)
# photographed in Chromium into docs/screenshots/, the README's tour in pictures
# (tests/e2e/test_screenshots.py). Needs /usr/bin/chromium.
screenshots: $(VENV)/.installed-dev messages
	SCREENSHOTS_DIR=docs/screenshots env -u DATABASE_URL $(DEV_ENV) \
		$(BIN)/pytest -q -s -p no:cacheprovider tests/e2e/test_screenshots.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
