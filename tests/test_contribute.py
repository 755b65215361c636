"""Contributor tools: scaffold, issue form and its converter, JSON Schemas, the guide."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import FIXTURES, REFERENTIELS, ROOT, build_site

from generator import contribute, load, pipeline, validate
from generator.schema import CAMPUS, PRACTICE
from generator.schemas import generate_schemas


@pytest.fixture
def project(tree) -> Path:
    """A project folder: content/ with one campus, and mkdocs.yml."""
    tree.campus("ferrocampus", nom="Ferrocampus", region="nouvelle-aquitaine", academie="poitiers", ville="Saintes")
    shutil.copy(ROOT / "mkdocs.yml", tree.root.parent / "mkdocs.yml")
    return tree.root.parent


def errors(diagnostics):
    return [d.format() for d in diagnostics if d.is_error]


# --------------------------------------------------------------------------- scaffold

def test_scaffold_with_arguments_writes_a_valid_practice(project):
    path, diagnostics = contribute.scaffold(PRACTICE, project, {
        "titre": "Des stages « croisés » : lycée et entreprise", "domaine": "parcours-reussite",
        "campus": "ferrocampus", "mots_cles": "stage, entreprise"}, interactive=False)
    assert path.name == "des-stages-croises-lycee-et-entreprise.md"
    assert errors(diagnostics) == []
    # Only the example text is left to replace, and the check says so.
    assert {d.message for d in diagnostics} == {"texte d’exemple « (à compléter…) » à remplacer par le vôtre."}
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n# yaml-language-server: $schema=https://catalogue-cmq.github.io/catalogue/"
                           "donnees/schema/bonne-pratique.schema.json\n")
    assert 'titre: "Des stages « croisés » : lycée et entreprise"' in text
    assert "## La pratique" in text and "## Pourquoi c’est une bonne pratique" in text


def test_command_line_takes_one_source_or_several(project, monkeypatch):
    """`--source` once gives a text, as most entries write it; repeated, a list."""
    from generator.__main__ import main

    monkeypatch.chdir(project)
    common = ["nouvelle-pratique", "--domaine", "parcours-reussite", "--campus", "ferrocampus", "--non-interactif"]
    assert main([*common, "--titre", "Une pratique", "--source", "Livret, p. 3"]) == 0
    assert main([*common, "--titre", "Une autre", "--source", "Livret, p. 3", "--source", "Céreq, p. 12"]) == 0
    folder = project / "content" / PRACTICE.directory
    assert load.read_entry(folder / "une-pratique.md", PRACTICE)[0].data["source"] == "Livret, p. 3"
    assert load.read_entry(folder / "une-autre.md", PRACTICE)[0].data["source"] == ["Livret, p. 3", "Céreq, p. 12"]


def answered(project: Path, answers: list[str]) -> tuple[Path, list, list[str]]:
    """The scaffold of a practice, given these answers to its questions; and what it said."""
    given = iter(answers)
    said: list[str] = []
    path, diagnostics = contribute.scaffold(PRACTICE, project, {}, interactive=True,
                                            reader=lambda prompt: (said.append(prompt), next(given))[1],
                                            writer=said.append)
    return path, diagnostics, said


def test_a_practice_of_several_campuses_from_the_command_line_and_the_questions(project, tree, monkeypatch):
    """`--campus` repeated gives a list; asked, the campuses are numbers or identifiers, a comma apart."""
    from generator.__main__ import main

    tree.campus("campus-vert", nom="Campus vert", region="nouvelle-aquitaine", academie="poitiers", ville="Niort")
    monkeypatch.chdir(project)
    folder = project / "content" / PRACTICE.directory
    common = ["nouvelle-pratique", "--domaine", "parcours-reussite", "--non-interactif"]
    assert main([*common, "--titre", "Une pratique", "--campus", "ferrocampus", "--campus", "campus-vert"]) == 0
    assert load.read_entry(folder / "une-pratique.md", PRACTICE)[0].data["campus"] == ["ferrocampus", "campus-vert"]
    assert main([*common, "--titre", "Une autre", "--campus", "ferrocampus", "--campus", "campus-vret"]) == 1
    assert not (folder / "une-autre.md").exists()
    assert main([*common, "--titre", "Une autre", "--campus", "campus-vert, ferrocampus"]) == 0  # make CAMPUS="a, b"
    assert load.read_entry(folder / "une-autre.md", PRACTICE)[0].data["campus"] == ["campus-vert", "ferrocampus"]
    path, diagnostics, said = answered(project, ["Un atelier à deux", "1", "2, campus-vret", "campus-vert ; 2",
                                                 "", "", "Livret, p. 3"])
    assert errors(diagnostics) == []
    assert "  « campus-vret » ne fait pas partie de la liste ; vouliez-vous dire « campus-vert » ?" in said
    assert load.read_entry(path, PRACTICE)[0].data["campus"] == ["campus-vert", "ferrocampus"]
    assert pipeline.run(project / "content").catalog.practices[path.stem].region.id == "nouvelle-aquitaine"


def test_scaffold_asks_the_questions_and_suggests_on_a_typo(project):
    path, diagnostics, said = answered(project, ["Un atelier partagé", "innovation", "3", "1", "atelier", "",
                                                 "Livret, p. 3"])
    assert errors(diagnostics) == []
    assert "  « innovation » ne fait pas partie de la liste ; vouliez-vous dire « innovation-pedagogique » ?" in said
    assert "   1. Ferrocampus (ferrocampus)" not in said and "   1. ferrocampus (ferrocampus)" in said
    values = load.read_entry(path, PRACTICE)[0].data
    assert values == {"titre": "Un atelier partagé", "domaine": "innovation-pedagogique", "campus": "ferrocampus",
                      "mots_cles": ["atelier"], "source": "Livret, p. 3"}


def test_scaffold_of_a_campus_offers_only_the_academies_of_its_region(project):
    answers = iter(["Campus du numérique", "7", "bretagne", "1", "Lannion", "", "", "non", "", ""])
    said: list[str] = []
    path, diagnostics = contribute.scaffold(CAMPUS, project, {}, interactive=True,
                                            reader=lambda prompt: next(answers), writer=said.append)
    assert errors(diagnostics) == []
    assert [line for line in said if "(rennes)" in line] == ["   1. Rennes (rennes)"]
    assert not any("(lyon)" in line for line in said)
    assert load.read_entry(path, CAMPUS)[0].data["academie"] == "rennes"


def test_scaffold_without_answers_refuses_and_writes_nothing(project):
    with pytest.raises(ValueError, match=r"^Réponses manquantes : --titre, --domaine, --campus ou --region"):
        contribute.scaffold(PRACTICE, project, {}, interactive=False)
    assert list((project / "content" / "bonnes-pratiques").glob("*.md")) == []


def test_scaffold_refuses_arguments_outside_the_lists_and_writes_nothing(project):
    with pytest.raises(ValueError) as raised:
        contribute.scaffold(CAMPUS, project, {"nom": "Campus d’essai", "secteur": "numerique",
                                              "region": "bretagne", "academie": "renes"}, interactive=False)
    assert str(raised.value) == (
        "Aucune fiche écrite. secteur : « numerique » ne fait pas partie de la liste ; vouliez-vous dire "
        "« numerique-telecommunications » ? ; academie : « renes » ne fait pas partie de la liste ; "
        "vouliez-vous dire « rennes » ?")
    assert [p.name for p in (project / "content" / "campuses").glob("*.md")] == ["ferrocampus.md"]


# --------------------------------------------------------------------------- issue form

def test_issue_form_is_generated_from_the_declaration():
    loaded = load.load(ROOT / "content")
    vocab, _ = validate.build_vocabularies(loaded.vocabularies)
    committed = (ROOT / ".github" / "ISSUE_TEMPLATE" / "nouvelle-pratique.yml").read_text(encoding="utf-8")
    assert committed == contribute.issue_form(vocab), "run: python -m generator formulaire > .github/…"
    form = yaml.safe_load(committed)
    ids = [item["id"] for item in form["body"] if "id" in item]
    assert ids == [f.name for f in PRACTICE.fields] + ["pratique", "pourquoi"]
    domain = next(item for item in form["body"] if item.get("id") == "domaine")
    assert domain["type"] == "dropdown" and len(domain["attributes"]["options"]) == 6


def issue_body(**answers: str) -> str:
    labels = {f.name: f.label for f in PRACTICE.fields} | dict(contribute.BODY_FIELDS)
    return "\n\n".join(f"### {labels[key]}\n\n{value or '_No response_'}" for key, value in answers.items())


COMPLETE = dict(titre="Un atelier commun", domaine="Innovation pédagogique (innovation-pedagogique)",
                campus="ferrocampus", region="", mots_cles="atelier, maintenance", contact="", source="",
                pratique="Les lycées partagent un atelier.", pourquoi="Les élèves travaillent sur du réel.")


def test_issue_to_practice_complete(project):
    path, report = contribute.practice_from_issue(issue_body(**COMPLETE), project, number=12)
    assert report == []
    values = load.read_entry(path, PRACTICE)[0].data
    assert values == {"titre": "Un atelier commun", "domaine": "innovation-pedagogique", "campus": "ferrocampus",
                      "mots_cles": ["atelier", "maintenance"], "source": "Proposition du ticket n° 12"}


def test_issue_source_one_or_several_documents(project):
    """The source box takes a document per line (list markers dropped): a list for several, a text for one."""
    answer = "- Livret des bonnes pratiques, p. 31\n\n* Céreq Études n° 56,   § 2.1, p. 12\n"
    path, report = contribute.practice_from_issue(issue_body(**(COMPLETE | dict(source=answer))), project)
    assert report == []
    assert load.read_entry(path, PRACTICE)[0].data["source"] == [
        "Livret des bonnes pratiques, p. 31", "Céreq Études n° 56, § 2.1, p. 12"]
    path.unlink()
    path, report = contribute.practice_from_issue(issue_body(**(COMPLETE | dict(source="Livret, p. 3"))), project)
    assert load.read_entry(path, PRACTICE)[0].data["source"] == "Livret, p. 3"
    form = yaml.safe_load(contribute.issue_form(validate.build_vocabularies(load.load(project / "content").vocabularies)[0]))
    source = next(item for item in form["body"] if item.get("id") == "source")
    assert source["type"] == "textarea" and "un par ligne" in source["attributes"]["description"]


def test_issue_to_practice_incomplete_says_what_is_missing(project):
    body = issue_body(**(COMPLETE | dict(titre="", campus="", pourquoi="")))
    path, report = contribute.practice_from_issue(body, project)
    assert path is None
    assert report == ["Réponse manquante : Titre.", "Réponse manquante : Pourquoi c’est une bonne pratique.",
                      "Réponse manquante : Campus ou Région."]


def test_issue_to_practice_hostile(project):
    body = issue_body(**(COMPLETE | dict(
        titre='Titre"\n---\nnom: injecté', campus="ferrocampus\ndomaine: x",
        pratique="<script>alert(1)</script> et [lien](javascript:alert(1))")))
    path, report = contribute.practice_from_issue(body, project)
    assert path is None
    assert not list((project / "content" / "bonnes-pratiques").glob("*.md"))  # nothing left behind
    assert any("HTML interdit (« <script> »)" in line for line in report)
    assert any("lien « javascript:alert(1 » refusé" in line for line in report)
    # A line break separates campuses (as a comma does): the second line is a campus id, not a field.
    assert any("aucun campus « domaine: x »" in line for line in report)
    assert not any("domaine:" in line and "aucun campus" not in line for line in report)


# --------------------------------------------------------------------------- JSON Schemas

def test_issue_campus_one_or_several(project, tree):
    """The campus box takes identifiers a comma (or a line) apart: a list for several, a text for one."""
    tree.campus("campus-vert", nom="Campus vert", region="nouvelle-aquitaine", academie="poitiers", ville="Niort")
    answer = "ferrocampus,  campus-vert\n"
    path, report = contribute.practice_from_issue(issue_body(**(COMPLETE | dict(campus=answer))), project)
    assert report == []
    assert load.read_entry(path, PRACTICE)[0].data["campus"] == ["ferrocampus", "campus-vert"]
    form = yaml.safe_load(contribute.issue_form(validate.build_vocabularies(load.load(project / "content").vocabularies)[0]))
    campus = next(item for item in form["body"] if item.get("id") == "campus")
    assert "séparez les identifiants par des virgules" in campus["attributes"]["description"]
    assert "un identifiant par ligne" not in campus["attributes"]["description"]  # the files' list syntax


@pytest.fixture(scope="module")
def schemas():
    result = pipeline.run(ROOT / "content")
    texts = generate_schemas(result.catalog.vocabularies, list(result.catalog.campuses))
    return {uri.split("/")[-1].split(".")[0]: json.loads(text) for uri, text in texts.items()}


@pytest.mark.parametrize("ctype", [CAMPUS, PRACTICE], ids=lambda c: c.key)
def test_schema_accepts_every_real_entry(schemas, ctype):
    validator = jsonschema.Draft202012Validator(schemas[ctype.key])
    for path in sorted((ROOT / "content" / ctype.directory).glob("*.md")):
        data = load.read_entry(path, ctype)[0].data
        assert list(validator.iter_errors(data)) == [], path


@pytest.mark.parametrize("name, ctype", [
    ("campuses/mauvais-types.md", CAMPUS), ("campuses/academie-hors-region.md", CAMPUS),
    ("bonnes-pratiques/champ-inconnu.md", PRACTICE), ("bonnes-pratiques/identifiants-errones.md", PRACTICE),
])
def test_schema_rejects_broken_fixtures(schemas, name, ctype):
    data = load.read_entry(FIXTURES / "casse" / name, ctype)[0].data
    assert list(jsonschema.Draft202012Validator(schemas[ctype.key]).iter_errors(data)) != []


def test_schema_requires_campus_or_region(schemas):
    validator = jsonschema.Draft202012Validator(schemas[PRACTICE.key])
    assert not validator.is_valid({"titre": "T", "domaine": "parcours-reussite"})
    assert validator.is_valid({"titre": "T", "domaine": "parcours-reussite", "region": "bretagne"})


def test_schema_takes_one_source_or_a_list_of_them(schemas):
    """As the validator does (test_validate: « source » cases)."""
    validator = jsonschema.Draft202012Validator(schemas[CAMPUS.key])
    campus = {"nom": "C", "secteur": "numerique-telecommunications"}
    assert validator.is_valid(campus | {"source": "Livret, p. 3"})
    assert validator.is_valid(campus | {"source": ["Livret, p. 3", "Céreq, p. 12"]})
    for wrong in ("", [], ["Livret, p. 3", ""], ["x" * 1001], 12):
        assert not validator.is_valid(campus | {"source": wrong}), wrong


def test_schema_takes_one_campus_or_a_list_of_them(schemas):
    validator = jsonschema.Draft202012Validator(schemas[PRACTICE.key])
    practice = {"titre": "T", "domaine": "parcours-reussite"}
    assert validator.is_valid(practice | {"campus": "campus-egletons"})
    assert validator.is_valid(practice | {"campus": ["campus-egletons", "campus-felletin"]})
    for wrong in ("", [], ["campus-egletons", "campus-egletons"], ["campus-egleton"], "campus-egleton", 12):
        assert not validator.is_valid(practice | {"campus": wrong}), wrong


def test_schema_refuses_a_keyword_holding_the_list_separator(schemas):
    """As the validator does (test_validate: test_a_keyword_with_the_list_separator_is_two_keywords)."""
    validator = jsonschema.Draft202012Validator(schemas[PRACTICE.key])
    practice = {"titre": "T", "domaine": "parcours-reussite", "region": "bretagne"}
    assert validator.is_valid(practice | {"mots_cles": ["santé", "travail social"]})
    for wrong in (["santé ; social"], ["a;"], ["x", ";"]):
        assert not validator.is_valid(practice | {"mots_cles": wrong}), wrong


def test_schema_refuses_a_campus_name_holding_the_list_separator(schemas):
    """As the validator does (test_validate: a name holding the list mark): a practice's
    campuses' names are joined with « ; » in the CSV."""
    validator = jsonschema.Draft202012Validator(schemas[CAMPUS.key])
    campus = {"nom": "Campus Mer, Littoral", "secteur": "numerique-telecommunications"}
    assert validator.is_valid(campus)
    for wrong in ("Campus Mer ; Littoral", "Campus;"):
        assert not validator.is_valid(campus | {"nom": wrong}), wrong


# --------------------------------------------------------------------------- the site and the guide

def test_contribuer_page_lists_every_field(fixture_site):
    html = (fixture_site / "contribuer" / "index.html").read_text(encoding="utf-8")
    for ctype in (CAMPUS, PRACTICE):
        for f in ctype.fields:
            assert f"<code>{f.name}</code>" in html, f.name
    assert 'href="../domaines/"' in html and 'href="../secteurs/"' in html
    assert (fixture_site / "donnees" / "schema" / "bonne-pratique.schema.json").is_file()


def test_entry_pages_link_to_their_source_file(fixture_site):
    html = (fixture_site / "campus" / "energies-exemple" / "index.html").read_text(encoding="utf-8")
    assert ('href="https://github.com/catalogue-cmq/catalogue/edit/main/content/campuses/energies-exemple.md"'
            in html)


def test_following_contributing_md_gives_a_passing_check_and_a_built_page(tmp_path):
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    example = re.search(r"### Exemple complet de fiche de bonne pratique\n\n```markdown\n(.*?)```", guide, re.S)
    assert example, "CONTRIBUTING.md must keep a complete example file"
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "catalogue", content)
    campus = re.search(r'^campus: "([a-z0-9-]+)"', example.group(1), re.M).group(1)
    # The file name the guide suggests is free: pasting the example adds an entry, never replaces one.
    suggested = re.search(r"par exemple `([a-z0-9-]+)\.md`", guide).group(1)
    assert not (ROOT / "content" / "bonnes-pratiques" / f"{suggested}.md").exists()
    shutil.copy(ROOT / "content" / "campuses" / f"{campus}.md", content / "campuses")
    (content / "bonnes-pratiques" / "exemple-du-guide.md").write_text(example.group(1), encoding="utf-8")
    result = pipeline.run(content, REFERENTIELS)
    assert [d.format() for d in result.diagnostics] == []
    built = build_site(content, tmp_path / "site", tmp_path)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "site" / "bonnes-pratiques" / "exemple-du-guide" / "index.html").is_file()


def test_preview_of_a_branch_shows_the_changed_entries(project):
    import subprocess

    def git(*args):
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True,
                       env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                            "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin"})

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "base")
    git("switch", "-qc", "proposition")
    contribute.scaffold(PRACTICE, project, {"titre": "Une | pratique *nouvelle*", "domaine": "parcours-reussite",
                                            "campus": "ferrocampus", "source": ["Livret, p. 3", "Céreq, p. 12"]},
                        interactive=False)
    (project / "content" / "campuses" / "ferrocampus.md").write_text(
        "---\nnom: \"Ferrocampus\"\nsecteur: \"inconnu\"\n---\nTexte.\n", encoding="utf-8")
    git("add", "-A")
    git("commit", "-qm", "proposition")
    files = contribute.changed_entries(project, "main")
    assert [f.relative_to(project).as_posix() for f in files] == [
        "content/bonnes-pratiques/une-pratique-nouvelle.md", "content/campuses/ferrocampus.md"]
    text = contribute.preview(project, files)
    assert "### `content/bonnes-pratiques/une-pratique-nouvelle.md` — ⚠️ à vérifier" in text
    assert "| Titre | Une &#124; pratique \\*nouvelle\\* |" in text  # escaped: a table cell stays one cell
    assert "| Source | \\(1\\) Livret, p. 3 \\(2\\) Céreq, p. 12 |" in text  # documents told apart
    assert "### `content/campuses/ferrocampus.md` — ❌ à corriger" in text
    assert "content/campuses/ferrocampus.md:3: secteur: « inconnu » est inconnu" in text
    assert text.rstrip().endswith("Vérification de tout le catalogue : 1 erreur.")
