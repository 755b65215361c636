"""Stage 1 — reading files: broken files become messages, never exceptions."""

from __future__ import annotations

import os
import pickle
import subprocess
import time
import unicodedata

import pytest
import yaml
from hypothesis import given, strategies as st
from conftest import FIXTURES, REFERENTIELS, from_the_second_process

from generator import load, parallel, pipeline
from generator.schema import CAMPUS, CONTENT_TYPES

VALID = ("---\nnom: \"Campus\"\nsecteur: numerique-telecommunications\nregion: bretagne\n"
         "academie: rennes\nville: \"Rennes\"\n---\nDescription.\n")


def messages(tree) -> list[str]:
    return [d.format() for d in pipeline.run(tree.root).diagnostics]


def test_key_lines_and_body(tree):
    path = tree.write("campuses", "c1.md", VALID)
    entry, found = load.read_entry(path, CAMPUS)
    assert found == []
    assert entry.lines == {"nom": 2, "secteur": 3, "region": 4, "academie": 5, "ville": 6}
    assert entry.body == "Description.\n" and entry.body_line == 8


def test_empty_file(tree):
    tree.write("campuses", "c1.md", "\n  \n")
    assert messages(tree) == [
        "content/campuses/c1.md:1: fichier: le fichier est vide ; il doit commencer par un en-tête YAML "
        "entre deux lignes « --- »."]


def test_no_front_matter(tree):
    tree.write("campuses", "c1.md", "nom: Campus\n")
    assert messages(tree) == [
        "content/campuses/c1.md:1: en-tête: le fichier doit commencer par une ligne « --- », suivie de "
        "l’en-tête YAML puis d’une autre ligne « --- »."]


def test_unclosed_front_matter(tree):
    tree.write("campuses", "c1.md", "---\nnom: Campus\n\nDescription.\n")
    assert messages(tree) == [
        "content/campuses/c1.md:1: en-tête: l’en-tête YAML ouvert ligne 1 n’est jamais fermé : ajoutez une "
        "ligne « --- » après le dernier champ."]


def test_invalid_yaml_points_at_the_line(tree):
    tree.write("campuses", "c1.md", VALID.replace('ville: "Rennes"', "ville: Rennes : centre"))
    assert messages(tree) == [
        "content/campuses/c1.md:6: en-tête: YAML illisible, colonne 15 : un « : » suivi d’une espace ne peut "
        "pas figurer dans une valeur sans guillemets ; vérifiez l’indentation et mettez entre guillemets les "
        "textes qui contiennent « : » ou « # »."]


def test_unclosed_quote(tree):
    tree.write("campuses", "c1.md", VALID.replace('ville: "Rennes"', 'ville: "Rennes'))
    assert messages(tree) == [
        "content/campuses/c1.md:6: en-tête: YAML illisible, colonne 15 : guillemet ou crochet jamais refermé ; "
        "vérifiez l’indentation et mettez entre guillemets les textes qui contiennent « : » ou « # »."]


def test_front_matter_not_a_mapping(tree):
    tree.write("campuses", "c1.md", "---\n- nom\n- ville\n---\nTexte.\n")
    assert messages(tree) == [
        "content/campuses/c1.md:2: en-tête: l’en-tête doit être une suite de lignes « champ: valeur » "
        "(par exemple « titre: \"…\" »)."]


def test_duplicate_key(tree):
    tree.write("campuses", "c1.md", VALID.replace("ville: \"Rennes\"\n", "ville: \"Rennes\"\nnom: \"Autre\"\n"))
    assert messages(tree) == [
        "content/campuses/c1.md:7: nom: champ en double (déjà défini ligne 2) ; ne gardez qu’une ligne."]


def test_not_utf8(tree):
    tree.write("campuses", "c1.md", VALID.replace("Rennes", "Rennés").encode("latin-1"))
    assert messages(tree) == [
        "content/campuses/c1.md:6: fichier: le fichier n’est pas encodé en UTF-8 (caractère illisible sur "
        "cette ligne) ; enregistrez-le en UTF-8."]


def test_oversized_file(tree):
    tree.write("campuses", "c1.md", VALID + "x" * load.MAX_FILE_BYTES)
    assert messages(tree) == [
        "content/campuses/c1.md:1: fichier: fichier trop gros (200 Ko, maximum 200 Ko) ; "
        "une fiche doit rester courte."]


def test_bom_crlf_and_decomposed_accents_are_normalised(tree):
    text = VALID.replace("Rennes\"\n", "Saint-Brieuc Énergie\"\n")
    raw = "\ufeff" + unicodedata.normalize("NFD", text).replace("\n", "\r\n")
    path = tree.write("campuses", "c1.md", raw.encode("utf-8"))
    entry, found = load.read_entry(path, CAMPUS)
    assert found == []
    assert entry.data["ville"] == "Saint-Brieuc Énergie"
    assert unicodedata.is_normalized("NFC", entry.data["ville"])
    assert "\r" not in entry.body


def test_libyaml_c_loader_is_used():
    # The pinned PyYAML wheels ship libyaml; the pure-Python fallback is 5-10 times slower.
    assert load.SafeLoader.__name__ == "CSafeLoader"


# Front matter lines of every YAML type a contributor might write, plain texts or not, and
# deeply nested values.
YAML_LINES = ["titre: Un titre", 'titre: "Entre guillemets : oui"', "titre: 'simple'", "annee: 2019", "annee: 0x1F",
              "annee: 1_000", "duree: 1:30", "excellence: true", "excellence: oui", "excellence: yes", "vide:",
              "rien: null", "date: 2024-03-01", "heure: 2024-03-01T12:00:00Z", "taux: 1.5e3", "infini: .inf",
              "mots_cles: [a, b, 3]", "mots_cles:\n  - un\n  - 2\n  - false", "ville: !!str 2024",
              "n: !!int '7'", "carte: {colonne: 1, ligne: 2}", "objet:\n  cle: valeur\n  2: deux",
              "liste_vide: []", "table_vide: {}", "imbrique: [[1, a], {b: [c]}]", "titre: Un autre titre",
              "? [cle, complexe]\n: valeur", "1: un nombre pour clé", "true: une clé booléenne", "~: nulle",
              "fusion: {<<: {a: 1}, b: 2}", "multiligne: |\n  ligne un\n  ligne deux", "plie: >\n  un\n  deux",
              "binaire: !!binary aGVsbG8=", "ensemble: !!set {a, b}", "paires: !!omap [{a: 1}, {b: 2}]",
              "profond:\n" + "".join(" " * i + "a:\n" for i in range(1, 400)) + " " * 400 + "x",
              "suite:\n  " + "- " * 600 + "x"]  # too deep for a reader recursing twice a level (limit: 1,000 calls)


def read_by_pyyaml(text):
    try:
        return yaml.load(text, Loader=load.SafeLoader)
    except yaml.YAMLError:
        return "refusé"


def read_by_us(text):
    value, problems = load.parse_yaml(text, "f.md", 2)
    return "refusé" if problems else value


@pytest.mark.parametrize("line", YAML_LINES)
def test_front_matter_values_are_those_of_pyyaml(line):
    # parse_yaml reads plain texts from libyaml's nodes itself and leaves the rest to PyYAML:
    # same values, of the same types (repr tells 1 from True and 1.0), or refused alike.
    assert repr(read_by_us(line)) == repr(read_by_pyyaml(line))


@given(st.lists(st.sampled_from(YAML_LINES), max_size=12))
def test_whole_front_matters_are_read_as_pyyaml_reads_them(lines):
    text = "\n".join(lines)  # keys given twice included: the last value wins, as with PyYAML
    assert repr(read_by_us(text)) == repr(read_by_pyyaml(text))


def git(folder, *args, date="2024-03-01T12:00:00+00:00"):
    env = dict(os.environ, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date, GIT_AUTHOR_NAME="t",
               GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")
    subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)


def test_added_dates_come_from_the_commit_that_added_each_practice(tree):
    git(tree.root, "init", "-q")
    tree.campus("c1")
    tree.practice("p1")
    git(tree.root, "add", ".")
    git(tree.root, "commit", "-qm", "first", date="2024-03-01T12:00:00+00:00")
    tree.practice("p2", titre="Autre")
    path = tree.practice("p1", titre="Modifiée")  # a later change does not move the date
    git(tree.root, "add", ".")
    git(tree.root, "commit", "-qm", "second", date="2025-06-01T12:00:00+00:00")
    tree.practice("p3", titre="Pas encore versée")
    dates = load.added_dates(tree.root)
    assert dates == {"content/bonnes-pratiques/p1.md": 1709294400, "content/bonnes-pratiques/p2.md": 1748779200}
    assert path.as_posix().endswith("content/bonnes-pratiques/p1.md")


def test_added_dates_outside_git_are_empty(tree, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tree.root.parent))
    assert load.added_dates(tree.root) == {}


def test_duplicate_keys_of_a_flow_mapping(tree):
    tree.write("campuses", "c1.md", '---\n{nom: "A", secteur: numerique-telecommunications,\n nom: "B"}\n---\nTexte.\n')
    assert messages(tree) == [
        "content/campuses/c1.md:3: nom: champ en double (déjà défini ligne 2) ; ne gardez qu’une valeur."]


def test_content_types_come_back_from_another_process_as_themselves():
    """Entries read by the second process are pickled; the code compares types by identity."""
    assert all(pickle.loads(pickle.dumps(ctype)) is ctype for ctype in CONTENT_TYPES)


@pytest.mark.skipif(not parallel.can_fork(), reason="two processes only on a multi-core Linux machine")
def test_two_processes_read_exactly_what_one_does(tmp_path, monkeypatch):
    """Broken files included: the same entries, messages and order as one process."""
    for folder in ("campuses", "bonnes-pratiques"):  # the broken files, six times over
        (tmp_path / folder).mkdir()
        for copy in range(6):
            for source in (FIXTURES / "casse" / folder).glob("*.md"):
                (tmp_path / folder / f"{source.stem}-{copy}.md").write_bytes(source.read_bytes())
    one = load.load(tmp_path, REFERENTIELS)
    monkeypatch.setattr(load, "PARALLEL_FROM", 2)
    real_shared = parallel.shared
    # This process waits a little before each of its chunks, so that the other one reads most files.
    here = os.getpid()

    def slowly_here(items, work, minimum):
        def part(chunk):
            if os.getpid() == here:
                time.sleep(0.5)
            return work(chunk)
        return real_shared(items, part, minimum)
    monkeypatch.setattr(parallel, "shared", slowly_here)
    from_child = from_the_second_process(monkeypatch)
    two = load.load(tmp_path, REFERENTIELS)
    assert len(one.entries) == 54 and len(one.diagnostics) >= 18  # three broken files a copy
    assert from_child and sum(from_child) <= 54
    assert two.entries == one.entries and two.diagnostics == one.diagnostics
    assert all(a.type is b.type for a, b in zip(one.entries, two.entries))  # the types themselves


@given(st.lists(st.sampled_from(["---", "--- ", "---\t", "titre: x", "", "---x", " ---", "----", "texte"]),
                max_size=8))
def test_the_header_ends_at_the_first_fence_line(lines):
    """The header runs from the first line (a fence) to the next line that is "---" and
    spaces only; the body starts on the line after it."""
    text = "\n".join(["---", *lines, ""])
    front, body, body_line, problems = load.split_front_matter(text, "f.md")
    closing = next((i for i, line in enumerate(lines) if line.rstrip(" \t") == "---"), None)
    if closing is None:
        assert front is None and problems
    else:
        assert not problems and front == "\n".join(lines[:closing]) and body_line == closing + 3
        assert body == "".join(line + "\n" for line in lines[closing + 1:])
