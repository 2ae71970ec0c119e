# The README's quick start: `make run` runs the bot, `make test` runs the checks.
# Both create .venv and install what they need on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint format bench bench-load bench-scale bench-import clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "parecon-rota needs Python 3.11 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/parecon-rota run

test: lint
	$(BIN)/ruff format --check .
	$(BIN)/pytest

bench: $(VENV)/.installed
	$(BIN)/python -m bot.solver.bench $(BENCH_ARGS)

# How fast the bot answers bursts of interactions, against the tests' fake Discord (figures, no asserts).
bench-load: $(VENV)/.installed-dev
	$(BIN)/python -m tests.e2e.bench_load $(BENCH_LOAD_ARGS)

# Many organizations due at once, solved by 1, 2 and 4 `parecon-rota worker`s through Redis (figures, no asserts).
bench-import: $(VENV)/.installed-dev
	$(BIN)/python -m tests.app.bench_import $(BENCH_IMPORT_ARGS)

bench-scale: $(VENV)/.installed-dev
	$(BIN)/python -m tests.e2e.bench_scale $(BENCH_SCALE_ARGS)

# ruff, the type-check gate (files in pyproject's [tool.mypy]) and the layers' import rules.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
