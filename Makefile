# Catalogue CMQ — every command creates .venv and installs the pinned, hashed
# dependencies on first use; a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FORMAT ?= texte
# Material prints a banner about MkDocs 2 on every build; we pin MkDocs 1.6.
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build check test clean

serve: $(VENV)/.site ## Site en direct sur http://localhost:8000, rechargé à chaque modification
	$(BIN)/mkdocs serve --dev-addr localhost:8000

build: check ## Valide le contenu puis construit site/ (mkdocs build --strict)
	$(BIN)/mkdocs build --strict

check: $(VENV)/.site ## Valide tout le contenu (FORMAT=github pour des annotations GitHub)
	$(BIN)/python -m generator check --format $(FORMAT)

test: $(VENV)/.dev ## Toute la suite de tests
	$(BIN)/python -m pytest

clean:
	rm -rf site $(VENV)

$(VENV)/.site: requirements/site.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/site.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.dev: $(VENV)/.site requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt
	touch $@
