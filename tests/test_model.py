"""Stage 3 — the model: derived fields and indexes."""

from __future__ import annotations

from conftest import CATALOGUE, REFERENTIELS

from generator import load, model, pipeline, validate


def catalog():
    result = pipeline.run(CATALOGUE, REFERENTIELS)
    assert result.errors == []
    return result.catalog


def test_practice_inherits_sector_region_and_academie_from_its_campus():
    practice = catalog().practices["situations-authentiques-exemple"]
    assert [c.id for c in practice.campus] == ["aeronautique-exemple"]
    assert (practice.secteur.id, practice.region.id, practice.academie.id) == (
        "mobilite-aeronautique-transports", "nouvelle-aquitaine", "bordeaux")


def test_region_level_practice_has_no_campus_nor_sector():
    practice = catalog().practices["pilotage-regional-exemple"]
    assert practice.campus == () and practice.secteur is None
    assert (practice.region.id, practice.academie.id) == ("bretagne", "rennes")


def test_campus_lists_its_practices_in_id_order():
    campus = catalog().campuses["aeronautique-exemple"]
    assert [p.id for p in campus.practices] == ["eolien-exemple", "situations-authentiques-exemple"]


def test_practice_of_several_campuses_is_listed_by_each_and_keeps_what_they_share():
    cat = catalog()
    practice = cat.practices["eolien-exemple"]  # aéronautique (Nouvelle-Aquitaine) and agroalimentaire (Bretagne)
    assert [c.id for c in practice.campus] == ["aeronautique-exemple", "agroalimentaire-exemple"]
    assert all(practice in c.practices for c in practice.campus)
    assert practice.secteur.id == "mobilite-aeronautique-transports"  # given: one of theirs
    assert practice.region is None and practice.academie is None  # they differ, and none is given


def test_practice_of_several_campuses_is_listed_under_each_campus_s_terms():
    """On the pages of both regions (académies, sectors) of its campuses, counted once without."""
    cat = catalog()
    practice = cat.practices["eolien-exemple"]
    term = cat.vocabularies.term
    assert [t.id for t in practice.listed_under("region")] == ["nouvelle-aquitaine", "bretagne"]
    assert [t.id for t in practice.listed_under("academie")] == ["bordeaux", "rennes"]
    # The sector it gives comes first, then the other one of its campuses.
    assert [t.id for t in practice.listed_under("secteur")] == ["mobilite-aeronautique-transports",
                                                                "alimentaire-agroalimentaire"]
    for vocab, ids in (("regions", ("nouvelle-aquitaine", "bretagne")), ("academies", ("bordeaux", "rennes")),
                       ("secteurs", ("mobilite-aeronautique-transports", "alimentaire-agroalimentaire"))):
        for term_id in ids:
            assert cat.practices_of(term(vocab, term_id)).count(practice) == 1, (vocab, term_id)
    for vocab in ("regions", "academies", "secteurs"):  # listed twice, counted once
        listed = {p.id for t in cat.terms(vocab) for p in cat.practices_of(t)}
        assert cat.practices_without(vocab) == len(cat.practices) - len(listed)
    single = cat.practices["situations-authentiques-exemple"]
    assert single.listed_under("region") == (single.region,) and single.listed_under("secteur") == (single.secteur,)


def test_a_campus_without_a_term_leaves_the_others_campus_term_to_the_practice():
    campuses = [{"id": "a", "nom": "A", "secteur": "numerique-telecommunications", "region": "normandie",
                 "academie": "normandie"},
                {"id": "b", "nom": "B", "secteur": "numerique-telecommunications", "region": "normandie"}]
    cat = _catalog_of(campuses, {"campus": ("a", "b")})
    practice = cat.practices["p"]
    assert practice.academie is None  # b has none: they share none
    assert [t.id for t in practice.listed_under("academie")] == ["normandie"]
    assert cat.practices_without("academies") == 0


def _catalog_of(campuses: list[dict], practice: dict):
    vocab = pipeline.run(CATALOGUE, REFERENTIELS).catalog.vocabularies
    base = {"body": "x", "path": "x.md"}
    return model.build(vocab, [base | c for c in campuses], [base | {"id": "p", "titre": "t",
                                                                   "domaine": "parcours-reussite"} | practice])


def test_several_campuses_of_one_region_give_it_to_their_practice():
    where = {"region": "normandie", "academie": "normandie"}
    campuses = [{"id": "a", "nom": "A", "secteur": "numerique-telecommunications"} | where,
                {"id": "b", "nom": "B", "secteur": "tourisme-gastronomie"} | where]
    practice = _catalog_of(campuses, {"campus": ("a", "b")}).practices["p"]
    assert (practice.region.id, practice.academie.id, practice.secteur) == ("normandie", "normandie", None)
    chosen = _catalog_of(campuses, {"campus": ("a", "b"), "secteur": "tourisme-gastronomie"}).practices["p"]
    assert chosen.secteur.id == "tourisme-gastronomie"


def test_every_term_is_indexed_even_when_empty():
    cat = catalog()
    bretagne = cat.vocabularies.term("regions", "bretagne")
    assert [c.id for c in cat.campuses_of(bretagne)] == ["agroalimentaire-exemple"]
    assert [p.id for p in cat.practices_of(bretagne)] == ["eolien-exemple", "lien-agro-exemple", "pilotage-regional-exemple"]
    corse = cat.vocabularies.term("regions", "corse")
    assert cat.campuses_of(corse) == [] and cat.practices_of(corse) == []
    assert len(cat.terms("regions")) == 18 and len(cat.terms("academies")) == 30


def test_aliases_resolve_to_current_ids(tree):
    tree.campus("c1", region="basse-normandie", academie="caen")
    result = pipeline.run(tree.root)
    campus = result.catalog.campuses["c1"]
    assert (campus.region.id, campus.academie.id) == ("normandie", "normandie")


def test_keywords_group_spellings_and_link_both_ways(tree):
    tree.campus("c1")
    tree.practice("p1", mots_cles=["Numérique", "apprentissage"])
    tree.practice("p2", titre="Autre pratique", mots_cles=["numérique", "numerique", "Apprentissage"])
    tree.practice("p3", titre="Troisième pratique", mots_cles=["numérique"])
    catalog = pipeline.run(tree.root).catalog
    assert list(catalog.keywords) == ["apprentissage", "numerique"]
    numerique = catalog.keywords["numerique"]
    assert numerique.nom == "numérique"  # the most frequent spelling names the keyword
    assert [p.id for p in numerique.practices] == ["p1", "p2", "p3"]  # once per practice
    assert [k.slug for k in catalog.practices["p2"].keywords] == ["numerique", "apprentissage"]
    assert numerique.src_uri == "mots-cles/numerique.md"


def test_practices_are_dated_by_the_given_history(tree):
    tree.campus("c1")
    tree.practice("p1")
    tree.practice("p2", titre="Autre pratique")
    result = validate.validate(load.load(tree.root))
    catalog = model.build(result.vocabularies, result.campuses, result.practices,
                          {"content/bonnes-pratiques/p2.md": 1_700_000_000})
    assert catalog.practices["p2"].added == 1_700_000_000
    assert catalog.practices["p1"].added == 0  # not committed yet


def test_keyword_slugs_are_unique_and_never_the_list_page(tree):
    tree.campus("c1")
    tree.practice("p1", mots_cles=["C++", "Index", "—"])
    tree.practice("p2", titre="Autre pratique", mots_cles=["C#", "index", "—"])
    catalog = pipeline.run(tree.root).catalog
    names = {k.slug: k.nom for k in catalog.keywords.values()}
    assert names == {"c": "C#", "c-2": "C++", "index-2": "Index", "mot-cle": "—"}
    assert all(len(k.practices) >= 1 for k in catalog.keywords.values())
    assert [k.nom for k in catalog.practices["p1"].keywords] == ["C++", "Index", "—"]  # none dropped
