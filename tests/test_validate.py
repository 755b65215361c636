"""Stage 2 — every validation rule, with its exact French message."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from generator import pipeline, validate
from generator.diagnostics import did_you_mean, summary

YEAR = datetime.date.today().year


def messages(tree) -> list[str]:
    return [d.format() for d in pipeline.run(tree.root).diagnostics]


def test_valid_tree_has_no_diagnostic(tree):
    tree.campus("c1")
    tree.practice("p1")
    assert messages(tree) == []


# One case per rule: (what to write, expected messages). Campus "c1" always exists.
CAMPUS_CASES = {
    "missing required field": (
        dict(secteur=None),
        ["content/campuses/x.md:1: secteur: champ obligatoire manquant."]),
    "empty required field": (
        dict(nom=""),
        ["content/campuses/x.md:2: nom: champ obligatoire vide."]),
    "location left out when the sources do not give it": (dict(region=None, academie=None, ville=None), []),
    "unknown key with suggestion": (
        dict(vile="Rennes"),
        ["content/campuses/x.md:7: vile: champ inconnu ; vouliez-vous dire « ville » ?"]),
    "unknown key without suggestion": (
        dict(budget=3),
        ["content/campuses/x.md:7: budget: champ inconnu ; champs possibles : nom, secteur, region, "
         "academie, ville, etablissement_support, annee_labellisation, excellence, site_web, source."]),
    "text too long": (
        dict(nom="a" * 161),
        ["content/campuses/x.md:2: nom: 161 caractères, le maximum est 160 ; raccourcissez."]),
    "text of wrong type": (
        dict(ville=35000),
        ["content/campuses/x.md:6: ville: doit être un texte (reçu : le nombre 35000) ; "
         "mettez la valeur entre guillemets."]),
    "unknown sector with suggestion": (
        dict(secteur="numerique"),
        ["content/campuses/x.md:3: secteur: « numerique » est inconnu dans content/referentiels/secteurs.yml ; "
         "vouliez-vous dire « numerique-telecommunications » ?"]),
    "unknown region typo": (
        dict(region="bretange", academie=None),
        ["content/campuses/x.md:4: region: « bretange » est inconnu dans content/referentiels/regions.yml ; "
         "vouliez-vous dire « bretagne » ?"]),
    "unknown id without suggestion": (
        dict(secteur="zzz"),
        ["content/campuses/x.md:3: secteur: « zzz » est inconnu dans content/referentiels/secteurs.yml."]),
    "academie outside its region": (
        dict(academie="lyon"),
        ["content/campuses/x.md:5: academie: l’académie « lyon » appartient à la région "
         "« auvergne-rhone-alpes », pas à « bretagne »."]),
    "former region is a warning": (
        dict(region="aquitaine", academie="bordeaux"),
        ["content/campuses/x.md:4: region: avertissement : « aquitaine » est un ancien nom ; "
         "utilisez l’identifiant actuel « nouvelle-aquitaine »."]),
    "former academie is a warning": (
        dict(region="normandie", academie="caen"),
        ["content/campuses/x.md:5: academie: avertissement : « caen » est un ancien nom ; "
         "utilisez l’identifiant actuel « normandie »."]),
    "year not an integer": (
        dict(annee_labellisation="2014"),
        ["content/campuses/x.md:7: annee_labellisation: doit être un nombre entier (reçu : « 2014 »)."]),
    "year out of range": (
        dict(annee_labellisation=2012),
        [f"content/campuses/x.md:7: annee_labellisation: 2012 est hors de la période possible (2013 à {YEAR})."]),
    "year in the future": (
        dict(annee_labellisation=YEAR + 1),
        [f"content/campuses/x.md:7: annee_labellisation: {YEAR + 1} est hors de la période possible "
         f"(2013 à {YEAR})."]),
    "boolean": (
        dict(excellence="oui"),
        ["content/campuses/x.md:7: excellence: doit valoir true ou false (reçu : « oui »)."]),
    "relative url": (
        dict(site_web="www.campus.fr"),
        ["content/campuses/x.md:7: site_web: « www.campus.fr » n’est pas une adresse web absolue ; "
         "elle doit commencer par https:// (ou http://)."]),
    "one source, as a text": (dict(source="Livret des bonnes pratiques, p. 31"), []),
    "several sources, as a list": (dict(source=["Livret des bonnes pratiques, p. 31", "Céreq, § 2.1, p. 12"]), []),
    "source of the wrong type": (
        dict(source=12),
        ["content/campuses/x.md:7: source: doit être un texte ou une liste de textes (reçu : le nombre 12) ; "
         "mettez la valeur entre guillemets."]),
    "a page read as a document of its own (a list written [a, b])": (
        dict(source=["Livret des bonnes pratiques", "p. 31"]),
        ["content/campuses/x.md:9: source: avertissement : l’élément n° 2 (« p. 31 ») n’est qu’une page : un "
         "document et sa page forment un seul élément, entre guillemets (- \"Livret des bonnes pratiques, p. 31\")."]),
    "a document that ends with its page is not one": (dict(source=["Céreq, § 2.1", "Livret, p. 31"]), []),
    "an empty list of sources": (
        dict(source=[]),
        ["content/campuses/x.md:7: source: liste vide ; donnez au moins un document, ou retirez le champ."]),
    "one of the sources too long or empty": (
        dict(source=["Livret, p. 31", "x" * 1001, ""]),
        # Each message on the line of its item.
        ["content/campuses/x.md:9: source: l’élément n° 2 dépasse 1000 caractères.",
         "content/campuses/x.md:10: source: l’élément n° 3 doit être un texte non vide (reçu : un texte vide)."]),
    # « ; » separates the campuses of a practice in the CSV exports (campus_nom column).
    "a name holding the list mark": (
        dict(nom="Campus Mer ; Littoral;Ports"),
        ["content/campuses/x.md:2: nom: « Campus Mer ; Littoral;Ports » contient « ; », qui sépare les éléments "
         "d’une liste dans les exports CSV (les campus d’une pratique) ; remplacez-le, par exemple par une "
         "virgule : « Campus Mer, Littoral, Ports »."]),
    "javascript url": (
        dict(site_web="javascript:alert(1)"),
        ["content/campuses/x.md:7: site_web: « javascript:alert(1) » n’est pas une adresse web absolue ; "
         "elle doit commencer par https:// (ou http://)."]),
}


@pytest.mark.parametrize("fields, expected", CAMPUS_CASES.values(), ids=CAMPUS_CASES.keys())
def test_campus_rule(tree, fields, expected):
    tree.campus("c1")
    tree.campus("x", **fields)
    assert messages(tree) == expected


PRACTICE_CASES = {
    "unknown campus with suggestion": (
        dict(campus="c11"),
        ["content/bonnes-pratiques/x.md:4: campus: aucun campus « c11 » (fichier content/campuses/c11.md "
         "introuvable) ; vouliez-vous dire « c1 » ?"]),
    "neither campus nor region": (
        dict(campus=None),
        ["content/bonnes-pratiques/x.md:1: campus: indiquez « campus » (identifiant d’un campus) ou, "
         "pour une pratique académique ou régionale, « region »."]),
    "region-level practice": (dict(campus=None, region="bretagne", academie="rennes"), []),
    "region-level academie outside region": (
        dict(campus=None, region="bretagne", academie="nantes"),
        ["content/bonnes-pratiques/x.md:5: academie: l’académie « nantes » appartient à la région "
         "« pays-de-la-loire », pas à « bretagne »."]),
    "field disagreeing with the campus": (
        dict(secteur="tourisme-gastronomie"),
        ["content/bonnes-pratiques/x.md:5: secteur: « tourisme-gastronomie » ne correspond pas au campus "
         "« c1 » (secteur « numerique-telecommunications ») ; retirez ce champ, il est déduit du campus."]),
    "field agreeing with the campus": (dict(region="bretagne", academie="rennes"), []),
    "unknown domain": (
        dict(domaine="innovation"),
        ["content/bonnes-pratiques/x.md:3: domaine: « innovation » est inconnu dans "
         "content/referentiels/domaines.yml ; vouliez-vous dire « innovation-pedagogique » ?"]),
    "keywords not a list": (
        dict(mots_cles="éolien"),
        ["content/bonnes-pratiques/x.md:5: mots_cles: doit être une liste (reçu : « éolien ») ; "
         "écrivez un élément par ligne, précédé de « - »."]),
    "keyword not a text": (
        dict(mots_cles=["éolien", 3]),
        ["content/bonnes-pratiques/x.md:7: mots_cles: l’élément n° 2 doit être un texte non vide "
         "(reçu : le nombre 3)."]),
    "bad e-mail": (
        dict(contact="campus-at-example.fr"),
        ["content/bonnes-pratiques/x.md:5: contact: « campus-at-example.fr » n’est pas une adresse "
         "électronique valide."]),
    "personal e-mail is a warning": (
        dict(contact="marie.dupont@ac-rennes.fr"),
        ["content/bonnes-pratiques/x.md:5: contact: avertissement : « marie.dupont@ac-rennes.fr » "
         "ressemble à une adresse personnelle (prenom.nom@…) ; indiquez plutôt une adresse fonctionnelle "
         "(campus, DAFPIC…) ou retirez ce champ."]),
    "functional e-mail": (dict(contact="ce.dafpic@ac-rennes.fr"), []),
    "title is a date": (
        dict(titre=datetime.date(2016, 5, 1)),
        ["content/bonnes-pratiques/x.md:2: titre: doit être un texte (reçu : la date 2016-05-01) ; "
         "mettez la valeur entre guillemets."]),
}


@pytest.mark.parametrize("fields, expected", PRACTICE_CASES.values(), ids=PRACTICE_CASES.keys())
def test_practice_rule(tree, fields, expected):
    tree.campus("c1")
    tree.practice("x", **fields)
    assert messages(tree) == expected


P = "content/bonnes-pratiques/x.md"
SEVERAL_CAMPUSES_CASES = {
    "one of them unknown": (
        dict(campus=["c1", "c9"]),
        [f"{P}:6: campus: aucun campus « c9 » (fichier content/campuses/c9.md introuvable)."]),
    "twice the same": (
        dict(campus=["c1", "c1"]),
        [f"{P}:6: campus: l’élément n° 2 (« c1 ») figure déjà dans la liste ; retirez-le."]),
    "empty list": (
        dict(campus=[]),
        [f"{P}:4: campus: liste vide ; donnez au moins un campus, ou retirez le champ."]),
    "not an identifier": (
        dict(campus=["c1", 3]),
        [f"{P}:6: campus: l’élément n° 2 doit être un identifiant de campus (reçu : le nombre 3)."]),
    "neither a text nor a list": (
        dict(campus={"id": "c1"}),
        [f"{P}:4: campus: doit être un identifiant de campus ou une liste d’identifiants (reçu : un groupe "
         "de champs) ; mettez la valeur entre guillemets."]),
    "a field that is one of theirs": (dict(campus=["c1", "c2"], secteur="tourisme-gastronomie"), []),
    "a field that is none of theirs": (
        dict(campus=["c1", "c2"], secteur="chimie-biotechnologies"),
        [f"{P}:7: secteur: « chimie-biotechnologies » ne correspond à aucun des campus (« c1 » : secteur "
         "« numerique-telecommunications » ; « c2 » : secteur « tourisme-gastronomie ») ; choisissez l’une de "
         "ces valeurs, ou retirez ce champ."]),
    "a field that differs from what they share": (
        dict(campus=["c1", "c3"], region="normandie"),
        [f"{P}:7: region: « normandie » ne correspond pas aux campus (« c1 » : region « bretagne » ; « c3 » : "
         "region « bretagne ») ; retirez ce champ, il est déduit des campus."]),
    "reported with the other errors of the file": (
        dict(campus=["c1", "c2"], secteur="chimie-biotechnologies", mots_cle=["x"]),
        [f"{P}:7: secteur: « chimie-biotechnologies » ne correspond à aucun des campus (« c1 » : secteur "
         "« numerique-telecommunications » ; « c2 » : secteur « tourisme-gastronomie ») ; choisissez l’une de "
         "ces valeurs, ou retirez ce champ.",
         f"{P}:8: mots_cle: champ inconnu ; vouliez-vous dire « mots_cles » ?"]),
    "an académie of one, the region of the other": (
        dict(campus=["c1", "c2"], region="bretagne", academie="normandie"),
        [f"{P}:8: academie: l’académie « normandie » appartient à la région « normandie », pas à « bretagne »."]),
}


@pytest.mark.parametrize("fields, expected", SEVERAL_CAMPUSES_CASES.values(), ids=SEVERAL_CAMPUSES_CASES.keys())
def test_practice_of_several_campuses(tree, fields, expected):
    tree.campus("c1")  # numerique-telecommunications, bretagne, rennes
    tree.campus("c2", secteur="tourisme-gastronomie", region="normandie", academie="normandie")
    tree.campus("c3", ville="Brest")
    tree.practice("x", **fields)
    assert messages(tree) == expected


def test_sources_are_a_tuple_whether_one_or_several(tree):
    tree.campus("c1", source="Document A, p. 1")
    tree.campus("c2", source=["Document A, p. 1", "Document  B,\n§ 2"])
    tree.practice("p1")
    campuses = pipeline.run(tree.root).catalog.campuses
    assert campuses["c1"].source == ("Document A, p. 1",)
    assert campuses["c2"].source == ("Document A, p. 1", "Document B, § 2")  # each folded onto one line
    assert pipeline.run(tree.root).catalog.practices["p1"].source == ()


def test_region_is_derived_from_the_academie(tree):
    tree.campus("c1", region=None, academie="nantes")
    assert pipeline.run(tree.root).catalog.campuses["c1"].region.id == "pays-de-la-loire"


def test_practice_field_when_the_campus_has_none(tree):
    tree.campus("c1", region=None, academie=None)
    tree.practice("p1", region="bretagne")
    assert messages(tree) == [
        "content/bonnes-pratiques/p1.md:5: region: « bretagne » ne correspond pas au campus « c1 » "
        "(region non précisé) ; retirez ce champ, il est déduit du campus."]


def test_practice_of_an_invalid_campus_reports_only_the_campus(tree):
    tree.campus("c1", secteur="zzz")
    tree.practice("p1", secteur="numerique-telecommunications")
    assert messages(tree) == [
        "content/campuses/c1.md:3: secteur: « zzz » est inconnu dans content/referentiels/secteurs.yml."]


def test_an_unknown_term_names_the_vocabulary_file_actually_read(tree, monkeypatch):
    """With content elsewhere (``check --content``), the message names that folder's vocabulary."""
    tree.campus("c1", secteur="zzz")
    monkeypatch.chdir(tree.root.parent.parent)
    folder = f"{tree.root.parent.name}/content"
    assert [d.format() for d in pipeline.run(tree.root.relative_to(Path.cwd())).diagnostics] == [
        f"{folder}/campuses/c1.md:3: secteur: « zzz » est inconnu dans {folder}/referentiels/secteurs.yml."]


def test_empty_body(tree):
    tree.campus("c1", body="   ")
    assert messages(tree) == [
        "content/campuses/c1.md:8: texte: description du campus manquante après l’en-tête "
        "(le texte Markdown est obligatoire)."]


def test_bad_file_name_suggests_an_id(tree):
    tree.campus("c1")
    tree.campus("Campus_Énergie")
    assert messages(tree) == [
        "content/campuses/Campus_Énergie.md:1: id: le nom de fichier « Campus_Énergie » n’est pas un identifiant "
        "valide (minuscules sans accents, chiffres et « - » seulement) ; renommez le fichier "
        "« campus-energie.md »."]


def test_every_problem_of_every_file_in_one_run(tree):
    tree.campus("c1", secteur="zzz", nom=None)
    tree.campus("c2", excellence="oui")
    tree.practice("p1", campus="c9", domaine="x")
    found = messages(tree)
    assert [" ".join(m.split(" ")[:2]) for m in found] == [
        "content/bonnes-pratiques/p1.md:3: domaine:", "content/bonnes-pratiques/p1.md:4: campus:",
        "content/campuses/c1.md:1: nom:", "content/campuses/c1.md:2: secteur:", "content/campuses/c2.md:7: excellence:"]


def test_broken_vocabulary_is_reported_and_stops_entry_checks(tree):
    (tree.root / "referentiels" / "academies.yml").write_text(
        "- {id: rennes, nom: Rennes, region: bretange}\n", encoding="utf-8")
    tree.campus("c1")
    assert messages(tree) == [
        "content/referentiels/academies.yml:1: region: l’académie « rennes » indique une région inconnue "
        "« bretange » ; vouliez-vous dire « bretagne » ?"]


def test_summary_uses_french_plurals(tree):
    tree.campus("c1", excellence="oui", region="aquitaine", academie="bordeaux")
    result = pipeline.run(tree.root)
    assert summary(result.diagnostics) == "1 erreur, 1 avertissement"
    assert summary([]) == "0 erreur, 0 avertissement"


def test_suggestion_needs_a_close_match():
    assert did_you_mean("zzz", ["bretagne"]) == ""
    assert did_you_mean("Bretagne", ["bretagne"]) == " ; vouliez-vous dire « bretagne » ?"


def test_a_mistyped_part_of_a_long_id_is_suggested(tree):
    tree.campus("c1")
    tree.practice("p1", domaine="inovation")
    assert [d.format() for d in pipeline.run(tree.root).diagnostics] == [
        "content/bonnes-pratiques/p1.md:3: domaine: « inovation » est inconnu dans content/referentiels/domaines.yml"
        " ; vouliez-vous dire « innovation-pedagogique » ?"]
    # Ambiguous heads suggest nothing rather than a guess.
    assert did_you_mean("partenarait", ["partenariat-academies-regions", "partenariat-entreprises-locales"]) == ""


def test_map_place_of_a_region_is_checked(tree):
    path = tree.root / "referentiels" / "regions.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("carte: [0, 1]", "carte: [0, haut]"), encoding="utf-8")
    assert [d.format() for d in pipeline.run(tree.root).diagnostics] == [
        "content/referentiels/regions.yml:15: carte: « carte » de « bretagne » : [colonne, ligne], "
        "deux entiers de 0 à 20, par exemple [2, 1]."]


def test_markup_hidden_by_nesting_or_line_breaks_is_rejected(tree):
    tree.campus("c1")
    tree.practice("p1", body="Voir [a [b] c](javascript:alert(1)).\n\n![x [y] z](https://t.example/p.png)\n\n"
                             "<img\nsrc=x onerror=alert(1)>\n\nUn lien [correct](https://example.org), et a < b.")
    assert [d.format() for d in pipeline.run(tree.root).diagnostics] == [
        "content/bonnes-pratiques/p1.md:6: texte: lien « javascript:alert(1 » refusé : seules les adresses "
        "https://, http:// et mailto: sont permises.",
        "content/bonnes-pratiques/p1.md:8: texte: image « https://t.example/p.png » refusée : les fiches ne "
        "contiennent pas d’images.",
        "content/bonnes-pratiques/p1.md:10: texte: HTML interdit (« <img », balise sur plusieurs lignes) ; "
        "écrivez en Markdown : **gras**, *italique*, [lien](https://…).",
    ]


def test_a_quoted_key_is_a_duplicate_too(tree):
    tree.campus("c1")
    tree.write("bonnes-pratiques", "p1.md", '---\ntitre: "A"\ndomaine: innovation-pedagogique\ncampus: c1\n'
                                            '"titre": "B"\n---\nTexte.\n')
    assert [d.format() for d in pipeline.run(tree.root).diagnostics] == [
        "content/bonnes-pratiques/p1.md:5: titre: champ en double (déjà défini ligne 2) ; ne gardez qu’une ligne."]


@pytest.mark.parametrize("vocab, old, new, expected", [
    ("academies", "region: provence-alpes-cote-d-azur}", "region: [bretagne]}",
     "academies.yml:3: region: « region » de « aix-marseille » : un texte, pas une liste."),
    ("regions", "anciens_noms: [centre]", "anciens_noms: 5",
     "regions.yml:19: anciens_noms: « anciens_noms » de « centre-val-de-loire » : une liste d’identifiants, "
     "par exemple [centre]."),
    ("secteurs", "- id: alimentaire-agroalimentaire", "- id: Alimentaire",
     "secteurs.yml:2: id: identifiant « Alimentaire » invalide (minuscules sans accents, chiffres et « - »)."),
])
def test_broken_vocabulary_records_are_messages(tree, vocab, old, new, expected):
    path = tree.root / "referentiels" / f"{vocab}.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    messages = [d.format() for d in pipeline.run(tree.root).diagnostics]
    assert f"content/referentiels/{expected}" in messages


def test_vocabulary_not_in_utf8_is_a_message(tree):
    path = tree.root / "referentiels" / "secteurs.yml"
    path.write_bytes(path.read_bytes() + b"\n- id: caf\xe9\n")
    messages = [d.format() for d in pipeline.run(tree.root).diagnostics]
    assert any(m.startswith("content/referentiels/secteurs.yml:") and "pas encodé en UTF-8" in m for m in messages)


@pytest.mark.parametrize("vocab, text, expected", [
    ("domaines", None, "content/referentiels/domaines.yml:1: fichier: référentiel introuvable."),
    ("domaines", "id: progres-economique\n",
     "content/referentiels/domaines.yml:1: fichier: le référentiel doit être une liste d’éléments « - id: … »."),
    ("domaines", "- progres-economique\n",
     "content/referentiels/domaines.yml:1: id: chaque élément doit avoir « id » et « nom »."),
    ("domaines", "- id: progres-economique\n  nom: \"\"\n",
     "content/referentiels/domaines.yml:1: nom: « progres-economique » n’a pas de nom."),
    ("domaines", "- {id: progres-economique, nom: A}\n- {id: progres-economique, nom: B}\n",
     "content/referentiels/domaines.yml:2: id: identifiant « progres-economique » en double."),
])
def test_vocabulary_file_rules(tree, vocab, text, expected):
    path = tree.root / "referentiels" / f"{vocab}.yml"
    if text is None:
        path.unlink()
    else:
        path.write_text(text, encoding="utf-8")
    assert expected in [d.format() for d in pipeline.run(tree.root).diagnostics]


def test_unreadable_entry_file(tree):
    (tree.root / "campuses" / "c1.md").symlink_to(tree.root / "nulle-part.md")
    assert [d.format() for d in pipeline.run(tree.root).diagnostics] == [
        "content/campuses/c1.md:1: fichier: fichier illisible (lien cassé, dossier ou droits)."]


def test_list_items_are_found_on_their_lines_whatever_the_writing(tree):
    """One item a line, indented or not, with comments between, or a list on the key's line."""
    tree.campus("c1")
    tree.write("bonnes-pratiques", "p1.md", "---\ntitre: \"T\"\ndomaine: \"parcours-reussite\"\n"
               "campus: # les deux campus\n  - \"c1\"\n  # le second :\n  - \"c2\"\n"
               "mots_cles: [\"a\", 3]\n---\n## La pratique\n\nTexte.\n")
    assert [d.format() for d in pipeline.run(tree.root).diagnostics] == [
        "content/bonnes-pratiques/p1.md:7: campus: aucun campus « c2 » (fichier content/campuses/c2.md "
        "introuvable).",
        "content/bonnes-pratiques/p1.md:8: mots_cles: l’élément n° 2 doit être un texte non vide (reçu : le nombre 3)."]


def test_keyword_too_long(tree):
    tree.campus("c1")
    tree.practice("p1", mots_cles=["court", "x" * 81])
    assert [d.format() for d in pipeline.run(tree.root).diagnostics] == [
        "content/bonnes-pratiques/p1.md:7: mots_cles: l’élément n° 2 dépasse 80 caractères."]


def test_a_keyword_with_the_list_separator_is_two_keywords(tree):
    """« ; » separates a list's items in the CSV: a keyword holding one would be read back as
    two; the message gives the two, to write one a line."""
    tree.campus("c1")
    tree.practice("p1", mots_cles=["court", "santé ; social", "a;b;"])
    assert messages(tree) == [
        "content/bonnes-pratiques/p1.md:7: mots_cles: l’élément n° 2 (« santé ; social ») contient « ; », qui "
        "sépare les éléments d’une liste dans les exports CSV ; écrivez-en un par ligne : - santé, - social.",
        "content/bonnes-pratiques/p1.md:8: mots_cles: l’élément n° 3 (« a;b; ») contient « ; », qui "
        "sépare les éléments d’une liste dans les exports CSV ; écrivez-en un par ligne : - a, - b."]


def test_control_characters_are_refused_in_fields(tree):
    tree.campus("c1")
    tree.write("bonnes-pratiques", "p1.md", '---\ntitre: "Un\\x01titre"\ndomaine: innovation-pedagogique\n'
                                            'campus: c1\nmots_cles: ["a\\x1bb"]\n---\nTexte.\n')
    assert [d.format() for d in pipeline.run(tree.root).diagnostics] == [
        "content/bonnes-pratiques/p1.md:2: titre: caractère de contrôle interdit (U+0001, position 3) ; "
        "retapez la valeur.",
        "content/bonnes-pratiques/p1.md:5: mots_cles: caractère de contrôle interdit (U+001B, élément n° 1) ; "
        "retapez la valeur."]


def test_reference_address_on_the_next_line_is_checked(tree):
    tree.campus("c1")
    tree.practice("p1", body="Voir [ici][ref].\n\n[ref]:\n    javascript:alert(1)\n\nSi x<y\nalors ![ … [lien](https://example.org).")
    assert [d.format() for d in pipeline.run(tree.root).diagnostics] == [
        "content/bonnes-pratiques/p1.md:9: texte: lien « javascript:alert(1) » refusé : seules les adresses "
        "https://, http:// et mailto: sont permises."]


_SPACES = " \t\r\n\f\v\x85\u2028\u2029\u00a0\u202f\x1b\x7fab"


@given(st.text(alphabet=_SPACES, max_size=12))
def test_fold_space_and_the_control_check_take_their_shortcut_only_when_nothing_changes(text):
    """fold_space skips its regexes for a printable text without double spaces; the control
    check, for a printable text: both give what the regexes alone give."""
    assert validate.fold_space(text) == re.sub(r"[ \t\r\n\f\v\x85\u2028\u2029]+", " ", text).strip(" ")
    found = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", text)
    assert validate._control(text) == ((f"U+{ord(found.group()):04X}", found.start() + 1) if found else None)
