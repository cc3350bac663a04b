# Newsroom: `make run` to try the site, `make test` to run the tests.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
# --build-constraint keeps sdist builds on a setuptools that still has pkg_resources.
INSTALL := $(PIP) install --quiet --build-constraint build-constraints.txt
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help run serve test lint format bench bench-hot hostile scale import-bench clean

help:
	@echo "make run     set up, load the demo and serve on http://$(HOST):$(PORT) (SQLite, debug)"
	@echo "make test    set up the dev tools and run the whole test suite"
	@echo "make serve   production-like: gunicorn, DEBUG off (needs DJANGO_SECRET_KEY)"
	@echo "make bench   the benchmark (bench/run.py): gunicorn on core 0, wrk on core 1"
	@echo "make hostile what hostile comments cost (bench/hostile.py): render, submit, /healthz"
	@echo "make scale   1,000,000 comments in PostgreSQL (bench/scale.py; DATABASE_URL=postgres://...)"
	@echo "make import-bench  a WordPress import of 10,000 posts and 1,000,000 comments into PostgreSQL"
	@echo "make bench-hot     a hot article under mixed load on PostgreSQL, Redis and gunicorn (bench/hot.py)"
	@echo "make lint    ruff check and format check"
	@echo "make format  apply ruff's fixes and formatting"
	@echo "make clean   remove the virtualenv and local data"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade "pip>=25.3"

$(VENV)/.installed: pyproject.toml build-constraints.txt | $(BIN)/python
	$(INSTALL) --editable .
	touch $@

# With the clients for PostgreSQL and Redis.
$(VENV)/.installed-production: pyproject.toml build-constraints.txt | $(BIN)/python
	$(INSTALL) --editable ".[postgres,redis]"
	touch $@ $(VENV)/.installed

# The dev extra includes the production ones.
$(VENV)/.installed-dev: pyproject.toml build-constraints.txt | $(BIN)/python
	$(INSTALL) --editable ".[dev]"
	touch $@ $(VENV)/.installed $(VENV)/.installed-production

run: export DJANGO_DEBUG = true
run: export NEWSROOM_SITE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "Newsroom is starting on http://$(HOST):$(PORT)/"
	@echo "To log into the admin at http://$(HOST):$(PORT)/admin/, create a login first:"
	@echo "    DJANGO_DEBUG=true $(BIN)/python manage.py createsuperuser"
	@echo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Whichever DATABASE_URL and CACHE_URL say, their clients are there.
serve: $(VENV)/.installed-production
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/gunicorn newsroom.wsgi --config python:newsroom.gunicorn_conf

test: $(VENV)/.installed-dev
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.run

hostile: $(VENV)/.installed-dev
	$(BIN)/python -m bench.hostile

scale: $(VENV)/.installed-dev
	$(BIN)/python -m bench.scale

import-bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.import_wordpress

bench-hot: $(VENV)/.installed-dev
	$(BIN)/python -m bench.hot

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var
