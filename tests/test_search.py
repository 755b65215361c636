"""The search index (generator/search.py): what it keeps of a page, French stemming, and
the files a browser reads (tests/test_browser.py searches with them)."""

from __future__ import annotations

import json

from conftest import read_index

from generator import search
from generator.search import SearchIndex, excerpt_of, fold, without_ignored


def pages_of(shards: list[dict], manifest: dict, word: str) -> set[int]:
    """What recherche.js finds for an exact word: the shard whose first word is the last
    one not after it, then the pages of the word's stems."""
    i = max(k for k, first in enumerate(manifest["shards"]) if first <= word or k == 0)
    shard = shards[i]
    found = set()
    for stem in shard["w"].get(word, []):
        page = -1
        for gap in shard["s"][stem][0]:
            page += gap
            found.add(page)
    return found


def test_fold_drops_case_accents_and_ligatures():
    assert fold("Éolienne") == "eolienne"
    assert fold("cœur") == "coeur"
    assert fold("Ex\u0301") == "ex"  # a decomposed accent too


def test_ignored_blocks_are_dropped_with_their_nested_divs():
    html = ('<p>avant</p><div class="cmq-voisins" data-recherche-ignore><div><p>voisin</p></div>'
            '<p>encore</p></div><p>après</p>')
    assert without_ignored(html) == "<p>avant</p><p>après</p>"


def test_excerpt_skips_paragraphs_that_are_only_a_link_and_stops_at_a_word():
    html = '<p><a href="x">Domaine</a></p><p>Une tour &amp; un atelier.</p>' + "<p>" + "mot " * 200 + "</p>"
    text = excerpt_of(html)
    assert text.startswith("Une tour & un atelier. mot")
    assert text.endswith(" …") and len(text) <= search.EXCERPT_CHARS + 2


def test_excerpt_keeps_punctuation_after_a_link_and_reads_list_items():
    html = ('<p>Le réseau lui consacre trois fiches :</p><ul>\n<li><a href="a/">Une fiche</a> — '
            '<em>atelier</em></li>\n<li>Deux<ul><li>imbriqué</li></ul></li>\n</ul>'
            '<p>Voir aussi : <a href="s/">Secteurs</a>.<br>Fin</p>')
    assert excerpt_of(html) == ("Le réseau lui consacre trois fiches : Une fiche — atelier · Deux imbriqué · "
                                "Voir aussi : Secteurs. Fin")
    for size in range(1, 40):  # cut wherever it may fall, an excerpt never ends on a separator
        items = "".join(f"<li>{'x' * size} {i}</li>" for i in range(200))
        assert not excerpt_of(f"<ul>{items}</ul>").endswith("· …")


def test_inflected_forms_share_the_pages_of_their_stem(tmp_path):
    index = SearchIndex()
    index.add("a/", "Formations en alternance", "<p>Des formations pour les lycéens.</p>")
    index.add("b/", "Atelier", "<p>Une formation continue, un lycée.</p>")
    index.add("c/", "Autre", "<p>Rien à voir.</p>")
    index.write(tmp_path)
    manifest, shards, pages = read_index(tmp_path)
    assert manifest["pages"] == 3
    assert pages_of(shards, manifest, "formations") == pages_of(shards, manifest, "formation") == {0, 1}
    assert pages_of(shards, manifest, "lycee") == {1}  # folded: typed without accent
    # The title pages of a stem: « formation » is in the title of page 0 only.
    shard = shards[0]
    assert shard["s"][shard["w"]["formation"][0]][1] == [1]  # gaps from -1: page 0
    assert pages == [["Formations en alternance", "a/", "Des formations pour les lycéens."],
                     ["Atelier", "b/", "Une formation continue, un lycée."], ["Autre", "c/", "Rien à voir."]]


def test_ignored_blocks_are_not_searchable(tmp_path):
    index = SearchIndex()
    index.add("a/", "Page", '<p>visible</p><div data-recherche-ignore><p>cachemire</p></div>')
    index.write(tmp_path)
    manifest, shards, _ = read_index(tmp_path)
    assert pages_of(shards, manifest, "visible") == {0}
    assert pages_of(shards, manifest, "cachemire") == set()


def test_many_words_are_split_in_shards_that_each_find_their_words(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "SHARD_BYTES", 200)
    index = SearchIndex()
    vocabulary = [f"mot{i:03d}" for i in range(300)] + ["éclair", "zèbre", "ålborg", "2014"]
    for page in range(10):
        index.add(f"p{page}/", f"Page {page}", "<p>" + " ".join(vocabulary[page::10]) + "</p>")
    index.write(tmp_path)
    manifest, shards, _ = read_index(tmp_path)
    assert len(shards) > 5
    assert manifest["shards"] == sorted(manifest["shards"])
    for k, shard in enumerate(shards):
        assert min(shard["w"]) == manifest["shards"][k]
    for i, word in enumerate(vocabulary):
        assert pages_of(shards, manifest, fold(word)) == {i % 10}, word


def test_a_new_index_replaces_the_old_one_under_a_new_version(tmp_path):
    first = SearchIndex()
    first.add("a/", "Une", "<p>un</p>")
    first.write(tmp_path)
    old = json.loads((tmp_path / "recherche" / "index.json").read_text())["version"]
    second = SearchIndex()
    second.add("a/", "Une", "<p>deux</p>")
    second.write(tmp_path)
    new = json.loads((tmp_path / "recherche" / "index.json").read_text())["version"]
    assert new != old
    assert sorted(p.name for p in (tmp_path / "recherche").iterdir()) == sorted([new, "index.json"])


def test_words_are_split_before_lower_case_as_in_the_browser(tmp_path):
    index = SearchIndex()
    index.add("a/", "Page", "<p>İstanbul</p>")  # « İ » lowers to « i » and a combining dot
    index.write(tmp_path)
    manifest, shards, _ = read_index(tmp_path)
    assert pages_of(shards, manifest, "istanbul") == {0}
