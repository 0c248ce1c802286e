# hubdash's verbs, shared by people and CI. `make run` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
# Python keeps the bytecode it compiles (in __pycache__/, which git ignores), as it does by default. Where
# PYTHONDONTWRITEBYTECODE is set (this kind of machine sets it), each test worker, and each server and command
# a test starts, compiles hubdash and the tests again: make test-fast took 167 s with it, 139 s without.
export PYTHONDONTWRITEBYTECODE :=
# `make test` and `make test-fast` share the tests between four pytest-xdist workers: two per core of CI's
# machine, since a test waits on its servers and subprocesses for much of its time (README, "Tests": the
# figures). tests/environment.py gives each worker its own folders. WORKERS= runs them in one process.
WORKERS ?= -n 4 --dist worksteal

.PHONY: install run dev test test-fast test-backend test-all nginx demo bench bench-hubsim bench-pages bench-browse bench-slow-clients bench-hung-hub bench-activity bench-access bench-upload bench-usage bench-bulk bench-discussions lint chromium clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# As people use it: hubdash's own error pages, never Django's debug pages (hubdash/run.py).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python -m hubdash.run

# For developers: `make run` with Django's debug pages (tracebacks, the list of routes on a 404).
dev: install
	$(BIN)/python manage.py migrate --noinput
	HUBDASH_DEBUG=true $(BIN)/python -m hubdash.run

# The whole suite on SQLite (with the cache hubdash uses by default): the README's one command.
test: install chromium nginx
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	HUBDASH_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest $(WORKERS)

# The inner loop: everything but the browser and the real gunicorn/nginx processes.
test-fast: install
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python -m pytest $(WORKERS) -m "not browser and not serving"

# What depends on the database or the cache server, against the one DATABASE_URL / HUBDASH_CACHE_URL names
# (CI runs it on PostgreSQL and with Redis after the whole suite on SQLite).
test-backend: install
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python -m pytest -m backend

# Before a release: the whole suite on SQLite, then again on PostgreSQL and with Redis, as DATABASE_URL_PG
# and CACHE_URL_REDIS name them (servers you started, as .ci/run starts them).
test-all: test
	@test -n "$(DATABASE_URL_PG)" -a -n "$(CACHE_URL_REDIS)" || { echo "test-all: set DATABASE_URL_PG and CACHE_URL_REDIS (see .ci/run)"; exit 2; }
	DATABASE_URL=$(DATABASE_URL_PG) HUBDASH_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest
	HUBDASH_CACHE_URL=$(CACHE_URL_REDIS) HUBDASH_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest

# Browser tests drive Debian's Chromium. Install it if missing: Debian's package when we can, else
# Playwright's own build.
chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Chromium not found: installing Debian's chromium package for the browser tests"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	else \
		echo "Chromium not found and apt-get unavailable: installing Playwright's Chromium build"; \
		$(BIN)/python -m playwright install chromium; \
	fi

# The serving tests run hubdash behind nginx as production does. Install Debian's package if missing.
nginx:
	@if [ -x /usr/sbin/nginx ]; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "nginx not found: installing Debian's nginx package for the serving tests"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx; \
	else \
		echo "nginx not found and apt-get unavailable: install nginx (the serving tests need /usr/sbin/nginx)"; exit 1; \
	fi

# hubsim on HUBSIM_PORT (8765) and hubdash on HUBDASH_BIND (127.0.0.1:8000); set either if its port is taken.
demo: install
	$(BIN)/python -m tests.demo

# Every bench in one run (tests/bench/all.py), then one table of the figures with their targets. The page
# benches go through nginx with deploy/nginx/ as shipped; needs Debian's nginx and wrk. `python -m
# tests.bench.all --skip upload` leaves out the 2 GiB upload (it needs about 12 GiB free).
bench: install nginx
	$(BIN)/python -m tests.bench.all

bench-hubsim: install
	$(BIN)/python -m tests.bench.hubsim

bench-pages: install
	$(BIN)/python -m tests.bench.pages

# The webhook receiver under a burst and a steady rate, and the feed page with a million events.
bench-activity: install
	$(BIN)/python -m tests.bench.activity

# Browse pages against hubsim adding 100 ms per Hub call, through nginx with deploy/nginx/'s upstream and proxy
# snippet; needs Debian's wrk and nginx. `python -m tests.bench.browse --upstream-keepalive off` measures
# without nginx's pool of connections to gunicorn.
bench-browse: install
	$(BIN)/python -m tests.bench.browse

# Sign-in page latency while 100 slow clients hold connections: nginx + gunicorn (production) and
# gunicorn alone; needs Debian's nginx (apt-get install nginx).
bench-slow-clients: install
	$(BIN)/python -m tests.bench.slow_clients

# Sign-in and Team pages while the Hub hangs and 50 members wait on it (target p99 < 200 ms).
bench-hung-hub: install
	$(BIN)/python -m tests.bench.hung_hub

# Access requests: one refresh of 2,000 pending over 20 repos (hubsim adding 100 ms per call), the queue's
# p50/p95 through nginx + gunicorn (target p95 < 300 ms, 0 Hub calls inside), accepting all 2,000 in batches.
bench-access: install nginx
	$(BIN)/python -m tests.bench.access

# A 2 GiB file uploaded through hubdash (web + job worker) to hubsim, against a direct upload_file.
bench-upload: install
	$(BIN)/python -m tests.bench.bench_upload

# Usage snapshots (5,000 repos, 100 ms a Hub call) and /usage/ over 90 days and 2 years of snapshots.
bench-usage: install
	$(BIN)/python -m tests.bench.usage

# A bulk plan of 1,000 repos (make private) against hubsim adding 100 ms per call: plan and apply with no rate
# limit, the duration projected at 1,000 calls per 300 s (`python -m tests.bench.bulk --measure-limited`
# measures it too: about 10 minutes), and the issue's pacing check (300 repos at 100 calls per 10 s, a minute).
bench-bulk: install
	$(BIN)/python -m tests.bench.bulk

# The discussions inbox with 2,000 open items over 200 repos: p50/p95 unfiltered and with a text filter (target
# p95 < 300 ms, 0 Hub calls inside), and the Hub calls of a first fill and of an hourly refresh, with and without webhooks.
bench-discussions: install
	$(BIN)/python -m tests.bench.discussions

lint: install
	$(BIN)/ruff check hubdash tests
	$(BIN)/ruff format --check hubdash tests
	$(BIN)/mypy hubdash
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
