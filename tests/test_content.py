"""The real catalogue (content/): completeness against the source documents and integrity."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter

import pytest
import yaml
from conftest import ROOT

from generator import pipeline

# Practices of the « Livret des bonnes pratiques » per chapter (domain), counted in the booklet:
# each uppercase practice heading of a chapter is one practice.
LIVRET_COUNTS = {
    "progres-economique": 7,
    "amenagement-territoire": 4,
    "innovation-pedagogique": 10,
    "enseignement-superieur-recherche": 6,
    "parcours-reussite": 6,
    "partenariat-academies-regions": 6,
}
LIVRET_SOURCE = re.compile(r"^Livret des bonnes pratiques, p\. \d+$")
CEREQ_SOURCE = re.compile(r"^Céreq Études n° 56 \(2024\), § \d+(\.\d+)?(\s; § \d+(\.\d+)?)*$")


@pytest.fixture(scope="module")
def result():
    return pipeline.run(ROOT / "content")


@pytest.fixture(scope="module")
def catalog(result):
    assert result.catalog is not None, [d.format() for d in result.errors]
    return result.catalog


def test_real_content_has_no_error_and_no_warning(result):
    assert [d.format() for d in result.diagnostics] == []


def test_livret_counts_per_domain(catalog):
    livret = [p for p in catalog.practices.values() if p.source and p.source[0].startswith("Livret")]
    assert Counter(p.domaine.id for p in livret) == LIVRET_COUNTS


def test_every_practice_cites_its_source_and_page(catalog):
    for practice in catalog.practices.values():
        assert practice.source, practice.id
        for document in practice.source:
            assert LIVRET_SOURCE.match(document) or CEREQ_SOURCE.match(document), document


def test_every_practice_has_the_two_sections_and_keywords(catalog):
    for practice in catalog.practices.values():
        assert "## La pratique" in practice.body, practice.id
        assert re.search(r"^## Pourquoi c['’]est une bonne pratique$", practice.body, re.M), practice.id
        assert practice.mots_cles, practice.id
        assert len(practice.titre) <= 160


def test_every_campus_cites_its_sources_in_its_field_only(catalog):
    """Each document with its pages, in « source » (a list for several); the text does not list
    them again, or the page would show them twice."""
    for campus in catalog.campuses.values():
        assert campus.source, campus.id
        for document in campus.source:
            assert re.search(r"\bp\.\s\d|§|liste des douze premiers campus", document), (campus.id, document)
        assert not re.search(r"^\*\*Sources?\s?:", campus.body, re.M), campus.id


def test_no_practice_points_to_a_missing_campus(catalog):
    for practice in catalog.practices.values():
        assert all(catalog.campuses[c.id] is c for c in practice.campus)
        assert practice.campus or practice.region is not None, practice.id


def test_no_personal_email_is_published():
    personal = re.compile(r"\b[a-z]+(?:-[a-z]+)*\.[a-z]+(?:-[a-z]+)*@", re.I)
    functional = re.compile(r"\b(?:ce|campus|cmq|contact)\.[a-z.-]+@", re.I)
    for path in (ROOT / "content").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert [m for m in personal.findall(text) if not functional.match(m)] == [], path


def test_every_campus_and_practice_page_and_its_vocabulary_pages_exist(catalog, real_site):
    for campus in catalog.campuses.values():
        assert (real_site / campus.url / "index.html").is_file()
        for term in (campus.secteur, campus.region, campus.academie):
            if term is not None:
                assert (real_site / term.vocab / term.id / "index.html").is_file()
    for practice in catalog.practices.values():
        assert (real_site / practice.url / "index.html").is_file()
        assert (real_site / practice.domaine.vocab / practice.domaine.id / "index.html").is_file()


def test_home_page_counts_reflect_the_content(catalog, real_site):
    html = (real_site / "index.html").read_text(encoding="utf-8")
    assert f"<strong>{len(catalog.campuses)}</strong>" in html
    assert f"<strong>{len(catalog.practices)}</strong>" in html
    for term in catalog.terms("domaines"):
        count = f"{len(catalog.practices_of(term))}&nbsp;pratique"  # kept together (non-breaking space)
        found = count in html  # not `assert count in html`: pytest would diff the whole page
        assert found, count


def front_matter(path):
    return yaml.safe_load(path.read_text(encoding="utf-8").split("\n---", 1)[0].removeprefix("---\n"))


def test_csv_and_json_exports_of_the_built_site_match_the_files(real_site):
    """Read back from the built site and compared with the source files themselves (not the model)."""
    campuses = {p.stem: front_matter(p) for p in (ROOT / "content" / "campuses").glob("*.md")}
    academies = {a["id"]: a["region"] for a in yaml.safe_load(
        (ROOT / "content" / "referentiels" / "academies.yml").read_text(encoding="utf-8"))}
    rows = list(csv.DictReader(io.StringIO((real_site / "donnees" / "campus.csv").read_text(encoding="utf-8"))))
    assert sorted(r["id"] for r in rows) == sorted(campuses)
    records = {r["id"]: r for r in json.loads((real_site / "donnees" / "campus.json").read_text(encoding="utf-8"))}
    for row in rows:
        source = campuses[row["id"]]
        region = source.get("region") or academies.get(source.get("academie"))
        assert (row["nom"], row["secteur"], row["region"], row["academie"], row["ville"]) == (
            source["nom"], source["secteur"], region or "", source.get("academie") or "", source.get("ville") or "")
        assert records[row["id"]]["secteur"]["id"] == source["secteur"]
    practices = {p.stem: front_matter(p) for p in (ROOT / "content" / "bonnes-pratiques").glob("*.md")}
    rows = list(csv.DictReader(io.StringIO(
        (real_site / "donnees" / "bonnes-pratiques.csv").read_text(encoding="utf-8"))))
    assert sorted(r["id"] for r in rows) == sorted(practices)
    records = {r["id"]: r for r in json.loads(
        (real_site / "donnees" / "bonnes-pratiques.json").read_text(encoding="utf-8"))}
    for row in rows:
        source = practices[row["id"]]
        ids = source.get("campus") or []
        ids = [ids] if isinstance(ids, str) else ids  # one campus, or several
        own = [campuses[i] for i in ids]

        def derived(key: str, of_campus) -> str:
            """The practice's value, else the one its campuses share."""
            shared = {of_campus(c) for c in own}
            return source.get(key) or (shared.pop() if len(shared) == 1 else None) or ""
        assert (row["titre"], row["domaine"], row["campus"]) == (source["titre"], source["domaine"], " ; ".join(ids))
        assert row["secteur"] == derived("secteur", lambda c: c.get("secteur"))
        assert row["region"] == derived("region", lambda c: c.get("region") or academies.get(c.get("academie")))
        assert row["mots_cles"] == " ; ".join(source.get("mots_cles") or [])
        assert (records[row["id"]]["region"] or {}).get("id", "") == row["region"]
