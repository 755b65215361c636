# Catalogue CMQ — every command creates .venv and installs the pinned, hashed
# dependencies on first use; a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FORMAT ?= texte
# Material prints a banner about MkDocs 2 on every build; we pin MkDocs 1.6.
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build check test bench clean nouvelle-pratique nouveau-campus

# `make nouvelle-pratique TITRE="…" DOMAINE=…`: each variable becomes an option.
arg = $(if $($(1)),--$(2) '$(subst ','\'',$($(1)))')

serve: $(VENV)/.site ## Site en direct sur http://localhost:8000, rechargé à chaque modification
	@# --dirty: after a change, only the pages whose generated Markdown changed are rendered again.
	$(BIN)/mkdocs serve --dirty --dev-addr localhost:8000

build: $(VENV)/.site ## Valide le contenu puis construit site/ (mkdocs build --strict)
	@# The cmq plugin runs the same check as `make check` first, and stops on any error.
	$(BIN)/mkdocs build --strict

check: $(VENV)/.site ## Valide tout le contenu (FORMAT=github pour des annotations GitHub)
	$(BIN)/python -m generator check --format $(FORMAT)

test: $(VENV)/.dev ## Toute la suite de tests
	$(BIN)/python -m pytest

nouvelle-pratique: $(VENV)/.site ## Nouvelle bonne pratique : questions, ou TITRE= DOMAINE= CAMPUS= (plusieurs : CAMPUS="a, b" ; ou REGION=) MOTS_CLES= SOURCE=
	$(BIN)/python -m generator nouvelle-pratique $(call arg,TITRE,titre) $(call arg,DOMAINE,domaine) \
	  $(call arg,CAMPUS,campus) $(call arg,REGION,region) $(call arg,ACADEMIE,academie) \
	  $(call arg,MOTS_CLES,mots-cles) $(call arg,CONTACT,contact) $(call arg,SOURCE,source) $(call arg,ID,id)

nouveau-campus: $(VENV)/.site ## Nouveau campus : questions, ou NOM= SECTEUR= REGION= ACADEMIE= VILLE= …
	$(BIN)/python -m generator nouveau-campus $(call arg,NOM,nom) $(call arg,SECTEUR,secteur) \
	  $(call arg,REGION,region) $(call arg,ACADEMIE,academie) $(call arg,VILLE,ville) \
	  $(call arg,ETABLISSEMENT,etablissement-support) $(call arg,ANNEE,annee-labellisation) \
	  $(call arg,EXCELLENCE,excellence) $(call arg,SITE_WEB,site-web) $(call arg,SOURCE,source) $(call arg,ID,id)

bench: $(VENV)/.dev ## Mesures de performance (N = 100, 1 000, 10 000 ; BENCH_SIZES=… BENCH_REPETITIONS=…)
	$(BIN)/python -m tests.bench.run

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
