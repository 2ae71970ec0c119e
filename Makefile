# The README's quick start: `make run` runs the bot, `make test` runs the checks.
# Both create .venv and install what they need on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint format translations bench bench-load bench-scale bench-import container-test constraints docs-images clean

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
	$(BIN)/python -m bot.runtime.bench $(BENCH_ARGS)

# How fast the bot answers bursts of interactions, against the tests' fake Discord (figures, no asserts).
bench-load: $(VENV)/.installed-dev
	$(BIN)/python -m tests.e2e.bench_load $(BENCH_LOAD_ARGS)

# Many organizations due at once, solved by 1, 2 and 4 `parecon-rota worker`s through Redis (figures, no asserts).
bench-import: $(VENV)/.installed-dev
	$(BIN)/python -m tests.app.bench_import $(BENCH_IMPORT_ARGS)

bench-scale: $(VENV)/.installed-dev
	$(BIN)/python -m tests.e2e.bench_scale $(BENCH_SCALE_ARGS)

# The README's pictures (docs/img): a first week published through the tests' fake Discord, its post and chart.
docs-images: $(VENV)/.installed-dev
	$(BIN)/python -m tests.e2e.docs_images

# The image built and run against the tests' fake Discord: health, a publication, SIGTERM, a restart.
# Needs podman (installed with apt-get when run as root); exits 77 when no container runtime works here.
container-test: $(VENV)/.installed-dev
	.ci/container-test

# constraints.txt pins what the container image installs: a fresh environment's `pip freeze` of the
# package (with its extras). Run it to take newer versions, then commit the file.
constraints:
	rm -rf .constraints-venv
	$(PYTHON) -m venv .constraints-venv
	.constraints-venv/bin/pip install --quiet --upgrade pip
	.constraints-venv/bin/pip install --quiet --only-binary=:all: ".[xlsx]"
	{ echo "# What the container image installs, pinned (\`make constraints\` refreshes it from PyPI)."; \
	  .constraints-venv/bin/pip freeze --exclude parecon-rota; } > constraints.txt
	rm -rf .constraints-venv

# The catalogs: the texts marked in the code (babel.cfg says how) and the command tree's names and descriptions into bot/i18n/messages.pot, then into each language's
# .po (new texts empty, changed ones fuzzy); then the gate: what is left to translate, or broken.
# The bot compiles the .po when it starts, so no .mo is committed.
I18N := bot/i18n
translations: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg --add-location=file --sort-by-file --width=120 \
		--project=parecon-rota -o $(I18N)/messages.pot .
	$(BIN)/python -m bot.runtime.command_strings $(I18N)/messages.pot
	$(BIN)/pybabel update -i $(I18N)/messages.pot -d $(I18N)/locales -D messages --width=120 --ignore-obsolete
	$(BIN)/python -m bot.i18n.check

# ruff, the type-check gate (files in pyproject's [tool.mypy]) and the layers' import rules.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .constraints-venv .pytest_cache .ruff_cache *.egg-info
