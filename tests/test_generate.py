"""Stage 4 — generated pages: golden files, escaping and data exports.

Run ``UPDATE_GOLDEN=1 make test`` after an intended change of the templates, and
review the diff of tests/golden/.
"""

from __future__ import annotations

import json
import os

import pytest
from conftest import CATALOGUE, REFERENTIELS, ROOT

import yaml
from slugify import slugify

from generator import load, pipeline
from generator.generate import GeneratedFile, generate, md_escape

GOLDEN = ROOT / "tests" / "golden"
TEMPLATES = ROOT / "theme" / "pages"
EDIT_BASE = "https://depot.example/edit/main/content"
# A sample of every page type; the full list is checked by test_every_page_is_generated.
GOLDEN_PAGES = [
    "index.md", "campus/index.md", "campus/aeronautique-exemple.md", "campus/energies-exemple.md",
    "bonnes-pratiques/index.md", "bonnes-pratiques/eolien-exemple.md",
    "bonnes-pratiques/pilotage-regional-exemple.md", "secteurs/index.md",
    "secteurs/mobilite-aeronautique-transports.md", "domaines/innovation-pedagogique.md",
    "academies/index.md", "regions/bretagne.md", "donnees/campus.json", "donnees/bonnes-pratiques.json",
    "contribuer.md", "donnees/schema/bonne-pratique.schema.json",
    "explorer/index.md", "carte/index.md", "statistiques/index.md", "livret/index.md", "donnees/index.md",
    "donnees/campus.csv", "donnees/bonnes-pratiques.csv", "donnees/explorateur.json", "flux.xml",
    "mots-cles/index.md", "accessibilite.md",
]


@pytest.fixture(scope="module")
def generated_files() -> dict[str, GeneratedFile]:
    # Golden files must not depend on when the fixtures were committed: no git dates.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(load, "added_dates", lambda folder: {})
        result = pipeline.run(CATALOGUE, REFERENTIELS)
    files = generate(result.catalog, TEMPLATES, EDIT_BASE, "https://catalogue.example/", 1_700_000_000,
                     "https://depot.example")
    return {f.uri: f for f in files}


@pytest.fixture(scope="module")
def generated(generated_files) -> dict[str, str]:
    return {uri: f.content for uri, f in generated_files.items()}


def check_golden(golden, text: str) -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(text.encode("utf-8"))
    assert text == golden.read_bytes().decode("utf-8")  # bytes: CSV lines end with CRLF


@pytest.mark.parametrize("uri", GOLDEN_PAGES)
def test_golden(generated, uri):
    check_golden(GOLDEN / uri, generated[uri])


@pytest.mark.parametrize("uri", ["carte/index.md", "explorer/index.md", "statistiques/index.md"])
def test_golden_fragments(generated_files, uri):
    """The SVG and form fragments that the site stage puts in place after sanitising."""
    fragments = generated_files[uri].fragments
    assert fragments
    text = "".join(f"<!-- {name} -->\n{html}\n" for name, html in fragments)
    check_golden(GOLDEN / "fragments" / (uri.replace("/", "_") + ".html"), text)


def test_every_page_is_generated(generated):
    expected = {"index.md", "campus/index.md", "bonnes-pratiques/index.md", "contribuer.md",
                "donnees/campus.json", "donnees/bonnes-pratiques.json",
                "donnees/schema/campus.schema.json", "donnees/schema/bonne-pratique.schema.json",
                "explorer/index.md", "carte/index.md", "statistiques/index.md", "livret/index.md",
                "donnees/index.md", "accessibilite.md", "donnees/campus.csv", "donnees/bonnes-pratiques.csv",
                "donnees/explorateur.json", "flux.xml", "mots-cles/index.md"}
    keywords = {slugify(k) for p in (CATALOGUE / "bonnes-pratiques").glob("*.md")
                for k in yaml.safe_load(p.read_text(encoding="utf-8").split("---")[1]).get("mots_cles", [])}
    expected |= {f"mots-cles/{k}.md" for k in keywords}
    expected |= {f"campus/{p.stem}.md" for p in (CATALOGUE / "campuses").glob("*.md")}
    expected |= {f"bonnes-pratiques/{p.stem}.md" for p in (CATALOGUE / "bonnes-pratiques").glob("*.md")}
    for vocab, count in (("secteurs", 12), ("regions", 18), ("academies", 30), ("domaines", 6)):
        pages = {uri for uri in generated if uri.startswith(f"{vocab}/")}
        assert len(pages) == count + 1 and f"{vocab}/index.md" in pages
        expected |= pages
    assert set(generated) == expected


def test_generation_is_deterministic():
    result = pipeline.run(CATALOGUE, REFERENTIELS)
    first = [(f.uri, f.content) for f in generate(result.catalog, TEMPLATES)]
    assert first == [(f.uri, f.content) for f in generate(result.catalog, TEMPLATES)]


@pytest.mark.parametrize("text, expected", [
    ("Aix-Marseille, p. 31", "Aix-Marseille, p. 31"),
    ("[clic](javascript:alert(1))", "\\[clic\\]\\(javascript:alert\\(1\\)\\)"),
    ("<script>alert(1)</script>", "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"),
    ("a | b", "a &#124; b"),
    ("- pas une liste", "\\- pas une liste"),
    ("2016. Pas une liste", "2016\\. Pas une liste"),
    ("# pas un titre", "\\# pas un titre"),
    ("*gras* _it_ `code`", "\\*gras\\* \\_it\\_ \\`code\\`"),
    ("deux\nlignes", "deux lignes"),
])
def test_md_escape(text, expected):
    assert md_escape(text) == expected


def test_values_are_escaped_in_pages(tree):
    tree.campus("c1", nom="Campus <b>gras</b> [lien](javascript:x)", ville="Brest | Quimper")
    result = pipeline.run(tree.root)
    page = {f.uri: f.content for f in generate(result.catalog, TEMPLATES)}["campus/c1.md"]
    assert "# Campus &lt;b&gt;gras&lt;/b&gt; \\[lien\\]\\(javascript:x\\)" in page
    assert "Brest &#124; Quimper" in page
    assert 'title: "Campus <b>gras</b> [lien](javascript:x)"' in page  # YAML string, escaped by the theme


def test_json_exports_resolve_derived_fields(generated):
    practices = {p["id"]: p for p in json.loads(generated["donnees/bonnes-pratiques.json"])}
    assert practices["lien-agro-exemple"]["secteur"] == {"id": "alimentaire-agroalimentaire",
                                                         "nom": "Alimentaire et agroalimentaire"}
    assert practices["lien-agro-exemple"]["academie"]["id"] == "rennes"
    assert practices["pilotage-regional-exemple"]["campus"] is None
    campuses = {c["id"]: c for c in json.loads(generated["donnees/campus.json"])}
    assert campuses["aeronautique-exemple"]["bonnes_pratiques"] == ["eolien-exemple",
                                                                     "situations-authentiques-exemple"]
    assert campuses["aeronautique-exemple"]["url"] == "campus/aeronautique-exemple/"
