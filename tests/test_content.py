"""The real catalogue (content/): completeness against the source documents and integrity."""

from __future__ import annotations

import re
from collections import Counter

import pytest
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
    livret = [p for p in catalog.practices.values() if p.source and p.source.startswith("Livret")]
    assert Counter(p.domaine.id for p in livret) == LIVRET_COUNTS


def test_every_practice_cites_its_source_and_page(catalog):
    for practice in catalog.practices.values():
        assert practice.source, practice.id
        assert LIVRET_SOURCE.match(practice.source) or CEREQ_SOURCE.match(practice.source), practice.source


def test_every_practice_has_the_two_sections_and_keywords(catalog):
    for practice in catalog.practices.values():
        assert "## La pratique" in practice.body, practice.id
        assert re.search(r"^## Pourquoi c['’]est une bonne pratique$", practice.body, re.M), practice.id
        assert practice.mots_cles, practice.id
        assert len(practice.titre) <= 160


def test_every_campus_cites_its_sources(catalog):
    for campus in catalog.campuses.values():
        assert campus.source, campus.id
        assert "Sources" in campus.body, campus.id


def test_no_practice_points_to_a_missing_campus(catalog):
    for practice in catalog.practices.values():
        assert practice.campus is None or practice.campus.id in catalog.campuses
        assert practice.campus is not None or practice.region is not None, practice.id


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
        assert f"{len(catalog.practices_of(term))} pratique" in html
