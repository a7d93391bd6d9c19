# Two commands do everything on a fresh machine with Python 3.11 and pip:
#   make run    set up, migrate and start the bot (long polling, SQLite under ./data)
#   make test   set up, lint, type-check and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run demo migrate test lint locales extract bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres,redis]'
	touch $(STAMP)

setup: $(STAMP) locales

locales: $(STAMP)
	$(BIN)/python -m bot compile-locales

run: setup
	$(BIN)/python -m bot run

# The real bot in a terminal chat: no token, no Telegram, no network (data in ./data/demo.db).
demo: setup
	$(BIN)/python -m bot demo

migrate: setup
	$(BIN)/python -m bot migrate

lint: setup
	$(BIN)/ruff check bot handlers storage tests benchmarks
	$(BIN)/ruff format --check bot handlers storage tests benchmarks
	$(BIN)/mypy
	# Dead code; settings and exceptions in pyproject.toml [tool.vulture], vulture_whitelist.py.
	$(BIN)/vulture

test: lint
	$(BIN)/python -m pytest -q

# Refresh the catalogues after changing user-facing strings.
extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k __ -k N_ -o locales/messages.pot --no-location --sort-output --width=100 .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete --width=100
	# No dates in the headers: they change on every run and make branches' catalogues collide.
	sed -i '/^"POT-Creation-Date:/d; /^"PO-Revision-Date:/d' locales/messages.pot locales/*/LC_MESSAGES/messages.po

bench: setup
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/broadcast.py
	$(BIN)/python benchmarks/status.py

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache .pytest_cache
