"""Hostile and broken contributions: rejected with a clear message, or built inert."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import FIXTURES, REFERENTIELS, ROOT, build_site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import pipeline, sanitize
from generator.__main__ import main

HOSTILE = FIXTURES / "hostile"
BROKEN = FIXTURES / "casse"


def check_output(content: Path, capsys, monkeypatch) -> tuple[int, list[str]]:
    monkeypatch.chdir(ROOT)
    code = main(["check", "--content", str(content.relative_to(ROOT)), "--referentiels", str(REFERENTIELS)])
    return code, capsys.readouterr().out.splitlines()


# --------------------------------------------------------------------------- broken files

def test_broken_corpus_gives_one_clear_message_per_problem_in_one_run(capsys, monkeypatch):
    code, lines = check_output(BROKEN, capsys, monkeypatch)
    assert code == 1
    assert lines == (BROKEN / "attendu.txt").read_text(encoding="utf-8").splitlines()
    # Every broken file is named, with a line number.
    named = {Path(line.split(":")[0]).name for line in lines[:-1]}
    assert named == {p.name for p in BROKEN.rglob("*.md")} - {"campus-valide.md"} | {"campus-valide.md"}
    assert all(re.match(r"^tests/fixtures/casse/[\w/-]+\.md:\d+: [\w-]+: ", line) for line in lines[:-1])


# --------------------------------------------------------------------------- hostile bodies

REFUSED = {
    "balise-script.md": "HTML interdit (« <script> »)",
    "gestionnaire-evenement.md": "HTML interdit (« <img src=\"x\" onerror=",
    "iframe.md": "HTML interdit (« <iframe",
    "lien-javascript.md": "lien « javascript:",
    "lien-data.md": "lien « data:text/html",
    "lien-entite.md": "lien « &#106;avascript:",
    "liste-attributs.md": "liste d’attributs « {: onclick=",
    "image-externe.md": "image « https://tracker.example/pixel.png » refusée",
}


def test_hostile_bodies_are_rejected_with_the_file_named(capsys, monkeypatch):
    code, lines = check_output(HOSTILE / "refuse", capsys, monkeypatch)
    assert code == 1
    assert lines[-1] == f"{len(REFUSED)} erreurs, 0 avertissement"
    for name, fragment in REFUSED.items():
        matching = [line for line in lines if line.startswith(f"tests/fixtures/hostile/refuse/bonnes-pratiques/{name}:")]
        assert len(matching) == 1 and fragment in matching[0], (name, matching)


@pytest.mark.parametrize("body, expected", [
    ("Un lien [relatif](../campus/x/).", "lien relatif « ../campus/x/ » refusé : donnez l’adresse complète (https://…)."),
    ("Un [lien](https://www.education.gouv.fr) et <https://www.onisep.fr>.", None),
    ("Écrire `<b>` dans du code est permis.", None),
    ("```\n<script>dans un bloc de code</script>\n```", None),
    ("[réf]: javascript:alert(1)", "lien « javascript:alert(1) » refusé : seules les adresses https://, http:// et "
                                   "mailto: sont permises."),
    ("Écrire à [la DAFPIC](mailto:ce.dafpic@ac-rennes.fr).", None),
    ("Un paragraphe {#ancre}", "liste d’attributs « {#ancre} » interdite ; retirez les accolades."),
])
def test_body_markup_rules(tree, body, expected):
    tree.campus("c1", body=body)
    found = [d.message for d in pipeline.run(tree.root).diagnostics]
    assert found == ([expected] if expected else [])


# --------------------------------------------------------------------------- hostile fields

class ActiveContent(HTMLParser):
    """Collects what could run in a browser: scripts other than the theme's, event handlers,
    frames, objects and script-bearing URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.in_script = True
            src = attributes.get("src") or ""
            if src and "assets/javascripts/" not in src:
                self.found.append(f"script src={src}")
        if tag in ("iframe", "object", "embed", "frame", "base"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}={value}")
            if name in ("href", "src", "action", "formaction") and value and \
                    value.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and "__pwned" in data:
            self.found.append(f"inline script: {data[:80]}")


def test_payloads_in_fields_are_inert_in_every_page(hostile_site):
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 60
    for page in pages:
        parser = ActiveContent()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.found == [], page


def test_payloads_survive_as_text_in_the_exports(hostile_site):
    practices = json.loads((hostile_site / "donnees" / "bonnes-pratiques.json").read_text(encoding="utf-8"))
    assert len(practices) == 1
    assert practices[0]["titre"].startswith('"}],"x":[{"a":"</script><script>')
    campuses = json.loads((hostile_site / "donnees" / "campus.json").read_text(encoding="utf-8"))
    assert campuses[0]["nom"] == "Campus <script>window.__pwned='nom'</script> & « test »"


def test_payloads_stay_data_in_the_csv_feed_and_explorer_index(hostile_site):
    title = json.loads((hostile_site / "donnees" / "bonnes-pratiques.json").read_text(encoding="utf-8"))[0]["titre"]
    rows = list(csv.DictReader(io.StringIO((hostile_site / "donnees" / "bonnes-pratiques.csv").read_text(
        encoding="utf-8"), newline="")))
    assert len(rows) == 1 and rows[0]["titre"] == title  # one row, the title as one cell
    assert rows[0]["mots_cles"].startswith("<svg onload=")
    feed = ElementTree.fromstring((hostile_site / "flux.xml").read_bytes())  # well-formed XML
    entry = feed.find("{http://www.w3.org/2005/Atom}entry")
    assert entry.find("{http://www.w3.org/2005/Atom}title").text == title
    index = json.loads((hostile_site / "donnees" / "explorateur.json").read_text(encoding="utf-8"))
    assert index["pratiques"][0][1] == title


def test_sanitizer_keeps_the_theme_and_drops_active_content():
    html = ('<h2 id="a">T</h2><div class="cmq-fiche"><dl><dt>A</dt><dd><a class="md-button" href="../x/">x</a>'
            '</dd></dl></div><p onclick="x()">p<script>alert(1)</script><img src="https://t.example/p.png">'
            '<a href="javascript:alert(1)">j</a><iframe src="https://e.example"></iframe></p>')
    assert sanitize.clean(html) == (
        '<h2 id="a">T</h2><div class="cmq-fiche"><dl><dt>A</dt><dd><a class="md-button" href="../x/">x</a>'
        '</dd></dl></div><p>p<a>j</a></p>')


# --------------------------------------------------------------------------- YAML hardening

@pytest.mark.parametrize("front, expected", [
    ('nom: &a "C"\nville: *a', "2: en-tête: les ancres et alias YAML (« & », « * ») ne sont pas permis ; "
                               "recopiez la valeur."),
    ('nom: &a "C"', "2: en-tête: les ancres et alias YAML (« & », « * ») ne sont pas permis ; recopiez la valeur."),
    ('nom: "C"\n2014: "x"', "3: en-tête: « 2014 » n’est pas un nom de champ (un texte comme « titre ») ; "
                            "vérifiez la ligne."),
    ('nom: !!python/object:os.system "C"', "2: en-tête: YAML illisible, colonne 6 : étiquette YAML (« ! ») non "
                                           "permise ; vérifiez l’indentation et mettez entre guillemets les textes "
                                           "qui contiennent « : » ou « # »."),
    ('nom: 2024-02-30', "2: en-tête: valeur YAML invalide (date impossible, nombre démesuré…) ; mettez les textes "
                        "entre guillemets."),
    ("nom: " + "[" * 30 + "]" * 30, "2: en-tête: imbrication de « [ » ou « { » trop profonde (plus de 20 niveaux)."),
    ('nom: "R&D * 2"', None),
    ('nom:\t"Tabulation"', None),
])
def test_yaml_hardening(tree, front, expected):
    tree.write("campuses", "c1.md", f"---\n{front}\nsecteur: numerique-telecommunications\n---\nTexte.\n")
    found = [d.format() for d in pipeline.run(tree.root).diagnostics]
    assert found == ([f"content/campuses/c1.md:{expected}"] if expected else [])


def test_ids_equal_but_for_case_and_near_identical_titles(tree):
    tree.campus("c1", nom="Campus de l’Énergie")
    tree.campus("c2", nom="campus de l'energie !")
    assert [d.format() for d in pipeline.run(tree.root).diagnostics] == [
        "content/campuses/c2.md:2: nom: avertissement : presque le même nom que content/campuses/c1.md ; "
        "s’agit-il d’un doublon ?"]


def test_removed_campus_is_reported_in_every_dependent_file(tree):
    tree.campus("c1")
    tree.practice("p1", campus="supprime")
    tree.practice("p2", campus="supprime")
    found = [d.format() for d in pipeline.run(tree.root).diagnostics]
    assert [line.split(":")[0] for line in found] == ["content/bonnes-pratiques/p1.md",
                                                      "content/bonnes-pratiques/p2.md"]


def test_reserved_id_and_folders_named_like_entries(tree):
    tree.campus("index")
    (tree.root / "campuses" / "dossier.md").mkdir()
    assert [d.format() for d in pipeline.run(tree.root).diagnostics] == [
        "content/campuses/index.md:1: id: « index » est réservé à la page de liste ; choisissez un autre "
        "nom de fichier."]


# --------------------------------------------------------------------------- never a traceback

VALID = ("---\nnom: \"Campus\"\nsecteur: numerique-telecommunications\nregion: bretagne\n"
         "academie: rennes\nville: \"Rennes\"\n---\nDescription.\n")
yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
                         st.dates().map(str))
front_values = st.recursive(yaml_scalars, lambda inner: st.lists(inner, max_size=3)
                            | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(front=st.dictionaries(st.sampled_from(["nom", "secteur", "region", "academie", "ville", "excellence",
                                              "annee_labellisation", "site_web", "titre", "x"]),
                             front_values, max_size=6),
       body=st.text(max_size=80))
def test_random_front_matter_never_raises(tree, front, body):
    import yaml
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body
    tree.write("campuses", "c1.md", text)
    tree.write("bonnes-pratiques", "p1.md", text.replace("nom:", "titre:"))
    result = pipeline.run(tree.root)
    assert all(d.path and d.line >= 1 and d.field and d.message for d in result.diagnostics)


MUTATION_BYTES = list(b"-:\"'[]{}&*!#|>\t\n \\%@`0123") + [0xC3, 0xFF, 0x00]


def mutate(data, text: bytes) -> bytes:
    """Up to six random insertions, deletions or replacements of YAML-significant bytes."""
    raw = bytearray(text)
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(raw)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        byte = data.draw(st.sampled_from(MUTATION_BYTES))
        if action == "insert":
            raw.insert(position, byte)
        elif raw and position < len(raw):
            if action == "delete":
                del raw[position]
            else:
                raw[position] = byte
    return bytes(raw)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_files_never_raise(tree, data):
    tree.write("campuses", "c1.md", mutate(data, VALID.encode("utf-8")))
    result = pipeline.run(tree.root)
    assert all(d.line >= 1 for d in result.diagnostics)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_vocabularies_never_raise(tree, data):
    # The vocabularies are content too: a contributor may edit them in a pull request.
    name = data.draw(st.sampled_from(["domaines", "secteurs", "regions", "academies"]))
    # From the pristine file at every example (the tree is shared by the examples).
    mutated = mutate(data, (REFERENTIELS / f"{name}.yml").read_bytes())
    (tree.root / "referentiels" / f"{name}.yml").write_bytes(mutated)
    tree.campus("c1")
    result = pipeline.run(tree.root)
    assert all(d.line >= 1 and d.field and d.message for d in result.diagnostics)


# --------------------------------------------------------------------------- builds

def test_two_builds_are_byte_identical(tmp_path):
    sites = []
    for name in ("a", "b"):
        work = tmp_path / name
        work.mkdir()
        result = build_site(FIXTURES / "catalogue", work / "site", work)
        assert result.returncode == 0, result.stderr
        sites.append({p.relative_to(work / "site"): p.read_bytes() for p in (work / "site").rglob("*") if p.is_file()})
    assert sites[0].keys() == sites[1].keys()
    assert [k for k in sites[0] if sites[0][k] != sites[1][k]] == []


def test_page_budget_of_100_kb(real_site):
    # The printable Livret is the one exception: a print edition of every practice, by design
    # (its pages hold at most LIVRET_PART practices: see test_scale).
    too_big = [(p, p.stat().st_size) for p in real_site.rglob("*.html")
               if p.stat().st_size > 100_000 and p.relative_to(real_site).parts[0] != "livret"]
    assert too_big == []


def test_no_traceback_from_the_command_line(tree):
    tree.write("campuses", "c1.md", b"\xff\xfe---\n\x00")
    result = subprocess.run([sys.executable, "-m", "generator", "check", "--content", str(tree.root)],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
