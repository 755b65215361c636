"""End to end: `mkdocs build --strict` of the fixture catalogue and of the real content."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import CATALOGUE, ROOT, project_config, read_index

from generator import pipeline

NAV_PAGES = ["", "explorer/", "campus/", "bonnes-pratiques/", "domaines/", "secteurs/", "regions/", "academies/",
             "carte/", "statistiques/", "livret/", "donnees/", "contribuer/", "accessibilite/"]
EXTERNAL_RESOURCE = re.compile(r"<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)=\"(?:https?:)?//", re.I)


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def nav_links(page: Path) -> list[str]:
    """Links of the site navigation in a page (anchors of the page's own table of contents aside)."""
    links = re.findall(r'<a href="([^"]+)" class="md-nav__link', page.read_text(encoding="utf-8"))
    return [link for link in links if not link.startswith("#")]


def test_fixture_site_has_every_page(fixture_site):
    ids = lambda folder: sorted(p.stem for p in (CATALOGUE / folder).glob("*.md"))  # noqa: E731
    for campus in ids("campuses"):
        assert (fixture_site / "campus" / campus / "index.html").is_file()
    for practice in ids("bonnes-pratiques"):
        assert (fixture_site / "bonnes-pratiques" / practice / "index.html").is_file()
    for vocab in ("secteurs", "regions", "academies", "domaines"):
        terms = yaml.safe_load((ROOT / "content" / "referentiels" / f"{vocab}.yml").read_text(encoding="utf-8"))
        for term in terms:
            assert (fixture_site / vocab / term["id"] / "index.html").is_file()
    for page in NAV_PAGES:
        assert (fixture_site / page / "index.html").is_file()
    assert (fixture_site / "donnees" / "campus.json").is_file()
    assert (fixture_site / "donnees" / "bonnes-pratiques.json").is_file()


def test_no_generated_file_in_the_source_tree(fixture_site):
    assert not (CATALOGUE / "campus").exists() and not (CATALOGUE / "index.md").exists()


def test_pages_are_french_and_load_nothing_from_elsewhere(fixture_site):
    for page in html_pages(fixture_site):
        html = page.read_text(encoding="utf-8")
        assert '<html lang="fr"' in html, page
        assert not EXTERNAL_RESOURCE.search(html), page
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html, page


def test_navigation_holds_only_the_index_pages(fixture_site):
    # The theme copies the nav into every page: entries must never be in it.
    for page in (fixture_site / "secteurs" / "index.html",
                 fixture_site / "campus" / "aeronautique-exemple" / "index.html"):
        links = nav_links(page)
        assert len(links) == len(NAV_PAGES), links
        assert not any("aeronautique-exemple" in link or "eolien-exemple" in link for link in links)


def test_a_page_that_hides_its_table_of_contents_has_none_in_the_drawer(fixture_site):
    """On a small screen the theme lists the page's headings in the navigation drawer, even
    with `hide: toc` (the explorer's pointed to the headings its script hides)."""
    toc_button = 'for="__toc"'
    assert toc_button not in (fixture_site / "explorer" / "index.html").read_text(encoding="utf-8")
    assert toc_button not in (fixture_site / "livret" / "index.html").read_text(encoding="utf-8")
    assert toc_button in (fixture_site / "carte" / "index.html").read_text(encoding="utf-8")  # others keep it


def test_the_404_page_says_so_in_its_title(fixture_site):
    title = re.search(r"<title>(.*?)</title>", (fixture_site / "404.html").read_text(encoding="utf-8")).group(1)
    assert title.startswith("Page introuvable - ")  # RGAA 8.6: the title names the page


def test_practice_page_shows_its_resolved_fields(fixture_site):
    html = (fixture_site / "bonnes-pratiques" / "situations-authentiques-exemple" / "index.html").read_text()
    for text in ("Innovation pédagogique", "Aéronautique (fiche d’exemple)", "Mérignac",
                 "Mobilité, aéronautique, transports terrestres et maritimes", "Nouvelle-Aquitaine",
                 "Bordeaux", "Fiche d’exemple des tests, p. 1"):
        assert text in html, text
    assert 'href="../../campus/aeronautique-exemple/"' in html
    assert 'href="../../academies/bordeaux/"' in html
    # A keyword shared with another practice links to its page; one of this practice alone is plain text.
    assert 'situation authentique, <a href="../../mots-cles/maintenance/">maintenance</a>' in html
    keyword = (fixture_site / "mots-cles" / "maintenance" / "index.html").read_text(encoding="utf-8")
    assert len(re.findall(r'href="../../bonnes-pratiques/[a-z0-9-]+/"', keyword)) == 2
    assert not (fixture_site / "mots-cles" / "situation-authentique").exists()


def test_campus_page_lists_its_practices(fixture_site):
    html = (fixture_site / "campus" / "aeronautique-exemple" / "index.html").read_text()
    assert 'href="../../bonnes-pratiques/eolien-exemple/"' in html
    assert 'href="../../bonnes-pratiques/situations-authentiques-exemple/"' in html
    empty = (fixture_site / "campus" / "energies-exemple" / "index.html").read_text()
    assert "Aucune bonne pratique de ce campus" in empty


def test_a_practice_of_two_campuses_is_on_both_and_shows_both(fixture_site):
    """eolien-exemple names aeronautique-exemple and agroalimentaire-exemple, of two regions."""
    for campus, other in (("aeronautique-exemple", "agroalimentaire-exemple"),
                          ("agroalimentaire-exemple", "aeronautique-exemple")):
        html = (fixture_site / "campus" / campus / "index.html").read_text(encoding="utf-8")
        card = html[html.index('href="../../bonnes-pratiques/eolien-exemple/"'):].split("</li>")[0]
        # On each campus's page, its card names the other campus (and no link leads to the page itself).
        assert f' avec <a href="../{other}/">' in card and 'href="./"' not in card
    html = (fixture_site / "bonnes-pratiques" / "eolien-exemple" / "index.html").read_text(encoding="utf-8")
    assert "(Mérignac), <a" in html and "(Quimper)" in html
    assert html.count('class="cmq-carte-campus"') == 2 and ">Les campus</h2>" in html
    assert "Nouvelle-Aquitaine" not in html.split('class="cmq-voisins"')[0]  # no region: they have two


def test_entry_pages_show_their_sources_once(fixture_site):
    """Several documents as a list (the campus), one on a line (the practice)."""
    html = (fixture_site / "campus" / "aeronautique-exemple" / "index.html").read_text(encoding="utf-8")
    assert ("<p><em>Sources&nbsp;:</em></p>\n<ul>\n<li>Fiche d’exemple des tests, p. 1</li>\n"
            "<li>Second document d’exemple ; annexe, p. 4</li>\n</ul>") in html
    assert html.count("Fiche d’exemple des tests, p. 1") == 1
    html = (fixture_site / "bonnes-pratiques" / "pilotage-regional-exemple" / "index.html").read_text(encoding="utf-8")
    assert "<p><em>Source&nbsp;: Fiche d’exemple des tests, p. 2</em></p>" in html


def test_search_index_covers_the_articles_of_entries_and_lists(fixture_site):
    manifest, shards, pages = read_index(fixture_site)
    # Every page but the Livret and the keyword lists, which repeat the practices
    # (front matter `search: exclude`): a search for a practice finds the practice first.
    urls = {url for _, url, _ in pages}
    built = {p.parent.relative_to(fixture_site).as_posix() + "/" for p in fixture_site.rglob("index.html")}
    excluded = {"livret/"} | {u for u in built if u.startswith("mots-cles/") and u != "mots-cles/"}
    assert urls == {u.replace("./", "") for u in built} - excluded
    assert manifest["pages"] == len(pages)
    title, _, excerpt = next(p for p in pages if p[1] == "bonnes-pratiques/eolien-exemple/")
    assert title == "Une tour d’entraînement pour la maintenance éolienne (fiche d’exemple)"
    assert excerpt.startswith("Une tour de 26 mètres")
    # Only the article is indexed: not the nav, the header or the footer (« Taper pour
    # démarrer la recherche » is in every page's search box), nor the theme's own lunr index.
    words = {w for shard in shards for w in shard["w"]}
    assert {"eolienne", "merignac", "2014"} <= words
    assert "demarrer" not in words
    assert not (fixture_site / "search" / "search_index.json").exists()


def test_real_content_builds_strict_with_every_entry(real_site):
    result = pipeline.run(ROOT / "content")
    assert result.errors == []
    catalog = result.catalog
    for campus in catalog.campuses.values():
        assert (real_site / campus.url / "index.html").is_file()
    for practice in catalog.practices.values():
        assert (real_site / practice.url / "index.html").is_file()
    exported = json.loads((real_site / "donnees" / "bonnes-pratiques.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in exported] == list(catalog.practices)
    exported = json.loads((real_site / "donnees" / "campus.json").read_text(encoding="utf-8"))
    assert [c["id"] for c in exported] == list(catalog.campuses)


def test_navigation_does_not_grow_with_the_number_of_entries(fixture_site, real_site):
    small = nav_links(fixture_site / "campus" / "index.html")
    large = nav_links(real_site / "campus" / "index.html")
    assert len(small) == len(large) == len(NAV_PAGES)


def internal_links(site: Path):
    """(page, href) of every link and resource of the built pages that stays on the site."""
    for page in html_pages(site):
        if page.name == "404.html":  # served at any depth: its links are root-relative by design
            continue
        for href in re.findall(r'(?:href|src)="([^"]+)"', page.read_text(encoding="utf-8")):
            if not re.match(r"^(?:[a-z]+:|#|//)", href):
                yield page, href


def test_every_internal_link_resolves(real_site):
    # MkDocs checks the links of the Markdown; this also covers the fragments (map, explorer)
    # and the theme's assets.
    broken = []
    for page, href in internal_links(real_site):
        target = (page.parent / href.split("#")[0].split("?")[0]).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append((str(page.relative_to(real_site)), href))
    assert broken == []


def test_map_explorer_and_charts_are_in_their_pages(fixture_site):
    carte = (fixture_site / "carte" / "index.html").read_text(encoding="utf-8")
    tiles = re.findall(r'<a href="../regions/[a-z-]+/" class="cmq-carte__tuile" aria-label=', carte)
    assert len(tiles) == 18 and "<svg" in carte
    # The name read out starts with what the tile shows (code, campus count: WCAG 2.5.3).
    # 3 practices: eolien-exemple, of campuses of two regions, counts in both.
    assert 'aria-label="BRE, 1 campus\u00a0: Bretagne, 3 bonnes pratiques"' in carte
    assert "<title>BRE, 1 campus\u00a0: Bretagne, 3 bonnes pratiques</title>" in carte  # not read out twice
    assert "cmq-fragment" not in carte
    home = (fixture_site / "index.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<a href="regions/[a-z-]+/" class="cmq-carte__tuile" aria-label=', home)) == 18
    explorer = (fixture_site / "explorer" / "index.html").read_text(encoding="utf-8")
    assert '<select id="filtre-region" name="region">' in explorer
    assert 'data-index="../donnees/explorateur.json"' in explorer
    stats = (fixture_site / "statistiques" / "index.html").read_text(encoding="utf-8")
    assert stats.count('<svg class="cmq-barres"') == 6  # one per table, the labelling years included
    feed = (fixture_site / "flux.xml").read_text(encoding="utf-8")
    assert feed.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert 'type="application/atom+xml"' in home


# `make serve` runs `mkdocs serve --dirty`: two builds of one site directory in one process,
# in strict mode (MkDocs' own warning about dirty builds must not stop them).
DIRTY_TWICE = """
import json, sys
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config

config_file, site, page, stamps = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
config = load_config(config_file)
config.plugins.on_startup(command="serve", dirty=True)
build(config, dirty=True)
stamps.write_text(json.dumps({str(p): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}))
page.write_text(page.read_text(encoding="utf-8").replace("26 mètres", "27 mètres"), encoding="utf-8")
build(load_config(config_file, strict=False), dirty=True)
"""


def test_a_dirty_rebuild_renders_what_changed_and_keeps_every_page_searchable(tmp_path, fixture_site):
    content = tmp_path / "content"
    shutil.copytree(CATALOGUE, content)
    site = tmp_path / "site"
    config = project_config(content, site, tmp_path)
    stamps = tmp_path / "stamps.json"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run([sys.executable, "-c", DIRTY_TWICE, str(config), str(site),
                             str(content / "bonnes-pratiques" / "eolien-exemple.md"), str(stamps)],
                            env=env, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    before = json.loads(stamps.read_text())
    rewritten = {Path(p).relative_to(site).as_posix() for p, t in before.items()
                 if not Path(p).exists() or Path(p).stat().st_mtime_ns != t}
    changed = site / "bonnes-pratiques" / "eolien-exemple" / "index.html"
    assert "27 mètres" in changed.read_text(encoding="utf-8")
    assert "bonnes-pratiques/eolien-exemple/index.html" in rewritten
    assert "campus/energies-exemple/index.html" not in rewritten
    assert "contribuer/index.html" not in rewritten
    # The search index is written anew: the pages of a full build, with the new words.
    manifest, shards, pages = read_index(site)
    assert [url for _, url, _ in pages] == [url for _, url, _ in read_index(fixture_site)[2]]
    assert len(pages) == manifest["pages"] > 10
    words = {w for shard in shards for w in shard["w"]}
    assert "27" in words and "energies" in words
