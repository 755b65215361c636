"""What a visitor does on the real catalogue, in headless Chromium: search, the explorer,
the map, the printable Livret, and accessibility (axe-core) on every page type."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import axe_playwright_python
import pytest
import yaml
from conftest import ROOT, served, watched_page
from generator import pipeline
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from pypdf import PdfReader

pytestmark = pytest.mark.browser

AXE = Path(axe_playwright_python.__file__).parent / "axe.min.js"  # axe-core, from the wheel: no CDN
DOMAINS = yaml.safe_load((ROOT / "content" / "referentiels" / "domaines.yml").read_text(encoding="utf-8"))
PRACTICES = len(list((ROOT / "content" / "bonnes-pratiques").glob("*.md")))
CAMPUSES = len(list((ROOT / "content" / "campuses").glob("*.md")))


@pytest.fixture(scope="module")
def real_url(real_site: Path):
    with served(real_site) as url:
        yield url


@pytest.fixture
def page(browser):
    with watched_page(browser) as page:
        yield page


def practice_links(page) -> list[str]:
    return page.locator('[data-liste="pratiques"] a').evaluate_all("links => links.map(a => a.pathname)")


def search_result(page, url: str, query: str, title: str):
    """Types ``query`` in the search box of ``url``; the first result with this title, once shown."""
    page.goto(url)
    page.locator("input.md-search__input").click(force=True)
    page.keyboard.type(query)
    result = page.locator(".md-search-result__item").filter(has=page.locator("h1", has_text=title)).first
    result.wait_for(timeout=10_000)
    return result


def test_searching_eolien_lists_the_fecamp_practice(page, real_url):
    search_result(page, real_url, "éolien", "À Fécamp, un chantier-école éolien").locator("a").click()
    page.wait_for_url("**/bonnes-pratiques/chantier-ecole-eolien-fecamp/**")


def test_search_without_accents_and_with_a_form_no_page_has(page, real_url):
    """« maintenances » is in no page: its shorter form « maintenance » is used; every word
    must be found; the matched words are marked in the excerpt."""
    result = search_result(page, real_url, "fecamp maintenances ", "À Fécamp, un chantier-école éolien")
    marked = {m.lower() for m in result.locator("mark").all_inner_texts()}
    assert marked and marked <= {"fécamp", "maintenance"}
    titles = page.locator(".md-search-result__item h1").all_inner_texts()
    assert len(titles) < PRACTICES


def test_every_shard_of_the_real_index_answers(page, real_url, real_site):
    """The first word of each shard of the index is found by the search box."""
    manifest = json.loads((real_site / "recherche" / "index.json").read_text(encoding="utf-8"))
    assert len(manifest["shards"]) > 1
    page.goto(real_url)
    search = page.locator("input.md-search__input")
    search.click(force=True)
    meta = page.locator(".md-search-result__meta")
    for word in manifest["shards"][1:]:
        search.fill("")
        expect(meta).to_have_text("Taper pour démarrer la recherche")
        search.fill(word + " ")
        expect(meta).to_have_text(re.compile(r"^\d+ documents? trouvés?$"))


def test_explorer_region_then_domain_narrows_and_the_url_restores_it(page, real_url):
    page.goto(real_url + "explorer/")
    status = page.locator(".cmq-bilan")
    status.get_by_text(f"{PRACTICES} bonnes pratiques").wait_for()
    assert status.inner_text() == f"Le catalogue compte {CAMPUSES} campus et {PRACTICES} bonnes pratiques."
    everything = practice_links(page)
    assert len(everything) == 30  # the first page of the list; « Afficher plus » for the rest
    # The label's count says what ticking it gives: the campuses of excellence, and their practices.
    excellence = re.search(r"\((\d+) campus, (\d+) bonnes pratiques\)$",
                           page.locator("label[for=filtre-excellence]").inner_text())
    assert excellence and int(excellence.group(1)) == sum(
        bool(re.search(r"^excellence: *true", f.read_text(encoding="utf-8"), re.M))
        for f in (ROOT / "content" / "campuses").glob("*.md"))

    page.locator("#filtre-region").select_option("grand-est")
    assert parse_qs(urlsplit(page.url).query) == {"region": ["grand-est"]}
    in_region = practice_links(page)
    # The chosen region shows its name alone (whole in a narrow box), the others their counts.
    assert page.locator("#filtre-region option:checked").inner_text() == "Grand Est"
    assert page.locator("#filtre-region option").nth(1).inner_text().endswith(")")
    assert 0 < len(in_region) < 30
    # Counts of the other filters follow the choice, campus and practices apart: the domains
    # add up to the region's practices.
    domain_counts = page.locator("#filtre-domaine").locator("option").all_inner_texts()
    practices = [re.search(r"(\d+) bonnes? pratiques?\)$|\(aucun résultat\)$|campus\)$", t) for t in domain_counts[1:]]
    assert all(practices), domain_counts
    assert sum(int(m.group(1) or 0) for m in practices) == len(in_region)
    assert re.search(r"\((\d+ campus(, \d+ bonnes? pratiques?)?|\d+ bonnes? pratiques?|aucun résultat)\)$",
                     page.locator("label[for=filtre-excellence]").inner_text())

    page.locator("#filtre-domaine").select_option("innovation-pedagogique")
    assert parse_qs(urlsplit(page.url).query) == {"region": ["grand-est"], "domaine": ["innovation-pedagogique"]}
    narrowed = practice_links(page)
    assert 0 < len(narrowed) < len(in_region) and set(narrowed) <= set(in_region)
    for link in page.locator('[data-liste="pratiques"] li').all_inner_texts():
        assert "Innovation pédagogique" in link
    said = status.inner_text()

    page.reload()
    page.locator(".cmq-bilan").get_by_text(said).wait_for()
    assert practice_links(page) == narrowed
    assert page.locator("#filtre-region").input_value() == "grand-est"

    page.go_back()  # back to the region alone
    page.wait_for_function("() => !location.search.includes('domaine')")
    assert practice_links(page) == in_region
    assert page.locator("#filtre-domaine").input_value() == ""


def test_explorer_counts_add_up_with_entries_without_an_academie(page, real_url):
    """Campuses without an académie are a choice of their own: the académie filter's counts
    add up to the catalogue, and that choice lists them (and it stays in the URL)."""
    without = sorted(f.stem for f in (ROOT / "content" / "campuses").glob("*.md")
                     if not re.search(r"^academie: *\S", f.read_text(encoding="utf-8"), re.M))
    assert without  # the real catalogue has some
    page.goto(real_url + "explorer/")
    page.locator(".cmq-bilan").get_by_text("Le catalogue compte").wait_for()
    counts = [re.search(r"\((?:(\d+) campus)?(?:, )?(?:(\d+) bonnes? pratiques?)?\)$|\(aucun résultat\)$", t)
              for t in page.locator("#filtre-academie option").all_inner_texts()[1:]]
    assert all(counts)
    assert sum(int(m.group(1) or 0) for m in counts) == CAMPUSES
    # A practice of campuses of several académies counts in each (the maritime network: three).
    catalog = pipeline.run(ROOT / "content").catalog
    assert sum(int(m.group(2) or 0) for m in counts) == sum(
        len(p.listed_under("academie")) or 1 for p in catalog.practices.values()) > PRACTICES
    choice = page.locator("#filtre-academie option", has_text="Académie non précisée")
    page.locator("#filtre-academie").select_option(choice.get_attribute("value"))
    assert parse_qs(urlsplit(page.url).query) == {"academie": ["_aucun"]}
    page.locator(".cmq-bilan").get_by_text("correspondent").wait_for()
    if len(without) > 30:  # the list shows 30 at first
        page.locator('[data-plus="campus"]').click()
    listed = page.locator('[data-liste="campus"] a').evaluate_all("links => links.map(a => a.pathname)")
    assert sorted(path.rstrip("/").rsplit("/", 1)[1] for path in listed) == without
    page.reload()
    page.locator(".cmq-bilan").get_by_text(f"{len(without)} campus").wait_for()
    assert page.locator("#filtre-academie").input_value() == "_aucun"


def test_explorer_arrow_keys_on_a_filter_make_one_history_entry(page, real_url):
    """Arrowing down a closed list chooses each option on the way: Back returns to before the
    filter was used, not to the option passed over; a choice on another filter, or with the
    mouse on the same one, is an entry of its own."""
    page.goto(real_url + "explorer/")
    page.locator(".cmq-bilan").get_by_text("Le catalogue compte").wait_for()
    page.locator("#filtre-region").focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    third = page.locator("#filtre-region option").nth(3).get_attribute("value")
    page.wait_for_function(f"() => location.search === '?region={third}'")
    page.keyboard.press("Tab")  # to the académie filter
    page.keyboard.press("ArrowDown")
    first, second = (page.locator("#filtre-academie option").nth(n).get_attribute("value") for n in (1, 2))
    page.wait_for_function(f"() => location.search.endsWith('academie={first}')")
    page.locator("#filtre-academie").select_option(second)  # as with the mouse, focus kept
    page.wait_for_function(f"() => location.search.endsWith('academie={second}')")
    page.go_back()
    page.wait_for_function(f"() => location.search.endsWith('academie={first}')")
    page.go_back()
    page.wait_for_function(f"() => location.search === '?region={third}'")
    assert page.locator("#filtre-academie").input_value() == ""
    page.go_back()
    page.wait_for_function("() => location.search === ''")
    assert page.locator("#filtre-region").input_value() == ""


def test_explorer_lists_show_a_choice_whole_on_a_wide_screen(page, real_url):
    """A closed list shows its choice, count included (« Mobilité, aéronautique, transports
    terrestres et maritimes (17) »), not its first words: lists of long names are wider."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(real_url + "explorer/")
    page.locator(".cmq-bilan").get_by_text("Le catalogue compte").wait_for()
    cut = page.evaluate("""() => [...document.querySelectorAll('.cmq-filtres select')].flatMap(select => {
        const style = getComputedStyle(select), text = document.createElement('canvas').getContext('2d');
        text.font = style.font;
        const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 24;
        return [...select.options].filter(o => text.measureText(o.text).width > room).map(o => o.text);
    })""")
    assert cut == []


def test_explorer_arrow_keys_that_end_where_they_began_leave_no_history_entry(page, real_url):
    """Down then up on a closed list: the page is as before, and Back leaves the explorer."""
    page.goto(real_url)
    page.goto(real_url + "explorer/")
    page.locator(".cmq-bilan").get_by_text("Le catalogue compte").wait_for()
    page.locator("#filtre-region").focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => location.search.startsWith('?region=')")
    page.keyboard.press("ArrowUp")
    page.wait_for_function("() => location.search === ''")
    assert page.locator("#filtre-region").input_value() == ""
    page.go_back()  # (it used to show the explorer again, unchanged)
    page.wait_for_function("() => !location.pathname.includes('explorer')")
    page.go_forward()  # the explorer again; its list still answers the keys, a new entry
    page.locator(".cmq-bilan").get_by_text("Le catalogue compte").wait_for()
    page.locator("#filtre-region").focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => location.search.startsWith('?region=')")
    page.go_back()
    page.wait_for_function("() => location.pathname.endsWith('/explorer/') && location.search === ''")


def test_explorer_says_the_choices_whole_under_a_narrow_list(browser, real_url):
    """On a phone, the closed list cuts the longest sector's name: the line under the count
    says every choice whole (and nothing when there is none)."""
    longest = max(yaml.safe_load((ROOT / "content" / "referentiels" / "secteurs.yml").read_text(encoding="utf-8")),
                  key=lambda term: len(term["nom"]))
    with watched_page(browser, viewport={"width": 360, "height": 740}) as page:
        page.goto(real_url + "explorer/")
        page.locator(".cmq-bilan").get_by_text("Le catalogue compte").wait_for()
        choice = page.locator("[data-choix]")
        expect(choice).to_be_hidden()
        page.goto(f"{real_url}explorer/?secteur={longest['id']}&academie=_aucun&excellence=oui&q=campus")
        page.locator(".cmq-bilan").get_by_text("sélection").wait_for()
        expect(choice).to_have_text(f"Sélection\u00a0: secteur «\u00a0{longest['nom']}\u00a0», académie non précisée, "
                                    "label «\u00a0Campus d’excellence\u00a0», mots «\u00a0campus\u00a0».")
        box = choice.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360  # wrapped, whole, on screen
        page.get_by_role("button", name="Effacer les filtres").click()
        expect(choice).to_be_hidden()


def test_explorer_says_when_nothing_matches(page, real_url):
    page.goto(real_url + "explorer/?q=zzzzz")
    page.locator(".cmq-bilan").get_by_text("Aucun campus ni aucune bonne pratique ne correspond").wait_for()
    expect(page.get_by_text("Aucun campus ne correspond à cette sélection.")).to_be_visible()
    expect(page.get_by_text("Aucune bonne pratique ne correspond à cette sélection.")).to_be_visible()
    assert page.locator("[data-liste]").evaluate_all("lists => lists.map(l => l.hidden)") == [True, True]
    assert page.locator("#filtre-region option").nth(1).inner_text().endswith("(aucun résultat)")
    page.goto(real_url + "explorer/?q=eolien")  # something again: lists back, sentences gone
    page.locator(".cmq-bilan").get_by_text("correspondent").wait_for()
    expect(page.get_by_text("Aucune bonne pratique ne correspond à cette sélection.")).to_be_hidden()


def test_explorer_free_text_and_keyboard(page, real_url):
    page.goto(real_url + "explorer/?q=eolien")
    page.locator(".cmq-bilan").get_by_text("correspondent").wait_for()
    titles = page.locator('[data-liste="pratiques"] li').all_inner_texts()
    assert any("Fécamp" in t for t in titles)
    # Keyboard only: Tab reaches the text field, then the filters.
    page.goto(real_url + "explorer/")
    page.get_by_label("Mots à rechercher").focus()
    page.keyboard.type("Lyon")
    page.wait_for_function("() => location.search === '?q=Lyon'")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "filtre-secteur"
    assert all("Lyon" in t for t in page.locator('[data-liste="campus"] li').all_inner_texts())


def test_a_practice_of_two_campuses_is_found_by_either_and_links_to_both(page, real_url):
    """Égletons and Felletin carry one practice (Livret, p. 45): the explorer finds it by the
    second campus's town and names both; its page has a box for each, and both campus pages list it."""
    practice = "/bonnes-pratiques/parcours-mixtes-securises-edf-enedis-egletons-felletin/"
    page.goto(real_url + "explorer/?q=felletin")
    page.locator(".cmq-bilan").get_by_text("correspondent").wait_for()
    row = page.locator('[data-liste="pratiques"] li').filter(has=page.locator(f'a[href$="{practice}"]'))
    expect(row).to_contain_text("Égletons (Égletons), Campus des métiers et des qualifications de Felletin (Felletin)")
    row.locator("a").click()
    page.wait_for_url(f"**{practice}")
    boxes = page.locator(".cmq-carte-campus")
    expect(boxes).to_have_count(2)
    assert page.locator("h2", has_text="Les campus").count() == 1
    for campus in ("campus-egletons", "campus-felletin"):
        page.goto(f"{real_url}campus/{campus}/")
        expect(page.locator(f'.grid.cards a[href$="{practice}"]')).to_have_count(1)


def test_a_practice_of_campuses_of_three_regions_is_found_under_each(page, real_url):
    """The maritime network (Cherbourg, Brest, Toulon; Livret, p. 12) shows Normandy as its
    region, and is listed under Brittany and Provence too: the explorer's filter and the pages."""
    practice = "/bonnes-pratiques/industries-mer-reseau-campus-maritimes/"
    for region, academie in (("normandie", "normandie"), ("bretagne", "rennes"), ("provence-alpes-cote-d-azur", "nice")):
        page.goto(f"{real_url}explorer/?region={region}&academie={academie}")
        page.locator(".cmq-bilan").get_by_text("correspondent").wait_for()
        while page.locator('[data-plus="pratiques"]').is_visible():
            page.locator('[data-plus="pratiques"]').click()
        assert practice in practice_links(page), region
        page.goto(f"{real_url}regions/{region}/")
        expect(page.locator(f'a[href$="{practice}"]')).to_have_count(1)
    page.goto(real_url + "explorer/?region=bretagne")
    page.locator(".cmq-bilan").get_by_text("correspondent").wait_for()
    # With Brittany chosen, the count of its sector includes it.
    sector = page.locator("#filtre-secteur option[value=mobilite-aeronautique-transports]").inner_text()
    shown = re.search(r"(\d+) bonnes? pratiques?\)$", sector)
    catalog = pipeline.run(ROOT / "content").catalog
    bretagne = catalog.vocabularies.term("regions", "bretagne")
    assert shown and int(shown.group(1)) == sum(
        "mobilite-aeronautique-transports" in [t.id for t in p.listed_under("secteur")]
        for p in catalog.practices_of(bretagne))


def test_explorer_without_javascript_shows_the_whole_grouped_list(browser, real_url):
    with watched_page(browser, java_script_enabled=False) as page:
        page.goto(real_url + "explorer/")
        static = page.locator(".cmq-explorateur-statique")
        assert static.is_visible()
        assert page.locator("[data-explorateur]").is_hidden()
        hrefs = set(static.locator("a").evaluate_all("links => links.map(a => a.pathname)"))
        assert len({h for h in hrefs if h.startswith("/bonnes-pratiques/")}) == PRACTICES
        assert len({h for h in hrefs if h.startswith("/campus/")}) == CAMPUSES


def test_clicking_a_region_on_the_map_opens_its_page(page, real_url):
    page.goto(real_url + "carte/")
    tile = page.get_by_role("link", name=re.compile(r"^BRE, \d+ campus\s:\sBretagne, "))
    tile.click()
    page.wait_for_url("**/regions/bretagne/")
    assert "Bretagne" in page.locator("h1").inner_text()
    # The home page has the same map, and a tile is reachable with the keyboard.
    page.goto(real_url)
    page.locator(".cmq-carte a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/regions/**")


def test_livret_prints_one_section_per_domain(page, real_url):
    page.goto(real_url + "livret/")
    page.emulate_media(media="print")
    assert page.locator(".md-header").is_hidden() and page.locator(".md-sidebar--primary").is_hidden()
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    texts = [" ".join(unicodedata.normalize("NFKC", p.extract_text()).split()) for p in pdf.pages]
    starts = [t[:200] for t in texts]
    for domain in DOMAINS:  # each chapter opens a page of its own
        assert sum(s.startswith(domain["titre"]) for s in starts) == 1, domain["titre"]
    text = "\n".join(texts)
    assert "Rechercher" not in text and "Accessibilité : non conforme" not in text  # no site chrome on paper
    assert text.count("Pourquoi c’est une bonne pratique") == PRACTICES


PAGE_TYPES = ["", "explorer/", "carte/", "statistiques/", "livret/", "donnees/", "accessibilite/", "contribuer/",
              "campus/", "bonnes-pratiques/", "domaines/", "secteurs/", "regions/", "academies/", "mots-cles/",
              "campus/ferrocampus/", "bonnes-pratiques/chantier-ecole-eolien-fecamp/", "secteurs/tourisme-gastronomie/",
              "regions/bretagne/", "academies/normandie/", "domaines/parcours-reussite/", "mots-cles/apprentissage/",
              "404.html"]


@pytest.mark.parametrize("path", PAGE_TYPES)
def test_axe_finds_no_serious_violation(page, real_url, path):
    page.goto(real_url + path)
    if path == "explorer/":
        page.locator(".cmq-bilan").get_by_text("Le catalogue compte").wait_for()
    page.add_script_tag(path=str(AXE))
    # Experimental rules included: label-content-name-mismatch checks that a link's name read out
    # holds what it shows (WCAG 2.5.3), which the map tiles once did not.
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations'], "
                           "rules: {'label-content-name-mismatch': {enabled: true}}})")
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []


@pytest.mark.parametrize("path", PAGE_TYPES)
def test_the_first_tab_stop_skips_to_the_content(page, real_url, path):
    """RGAA 12.7: a skip link first, whose target is the page's title (the 404 page, made by
    the theme without a table of contents, once had none)."""
    page.goto(real_url + path)
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Aller au contenu")
    target = focused.evaluate("a => document.getElementById(decodeURIComponent(a.hash.slice(1)))?.tagName")
    assert target == "H1"


def test_no_single_key_opens_the_search(page, real_url):
    """RGAA 12.10 (WCAG 2.1.4): the theme's « / », « s », « f » could not be turned off."""
    page.goto(real_url + "campus/ferrocampus/")
    for key in ("/", "s", "f"):
        page.keyboard.press(key)
    assert page.evaluate("document.activeElement.tagName") == "BODY"
    assert page.locator("#__search").is_checked() is False
    page.locator("input.md-search__input").click(force=True)  # the box itself still opens it
    page.keyboard.type("Ferrocampus")
    page.locator(".md-search-result__item").first.wait_for(timeout=10_000)


def test_focus_is_visible_on_links(page, real_url):
    page.goto(real_url + "bonnes-pratiques/")
    page.keyboard.press("Tab")
    for _ in range(12):
        page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    box = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
    assert outline != "none" or box != "none"


# Contrast ratio (WCAG) of two computed CSS colours "rgb(r, g, b)", in the page.
_CONTRAST = """([fg, bg]) => {
  const lum = (c) => { const [r, g, b] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map((v) => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def test_hovered_links_and_buttons_keep_their_contrast(page, real_url):
    """The theme's accent colour, shown on hover and focus, was 4.3:1 on white (WCAG 1.4.3: 4.5)."""
    page.goto(real_url)
    link = page.locator("article a[href]:not(.md-button):not(.cmq-carte__tuile):not(.headerlink)").first
    link.hover()
    page.wait_for_timeout(400)  # the theme's colour transition: read the colour it ends on
    assert page.evaluate(_CONTRAST, [link.evaluate("a => getComputedStyle(a).color"), "rgb(255, 255, 255)"]) >= 4.5
    button = page.locator("article a.md-button:not(.md-button--primary)").first
    button.hover()
    page.wait_for_timeout(400)
    colours = button.evaluate("b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]")
    assert page.evaluate(_CONTRAST, colours) >= 4.5, colours


def test_map_tiles_are_not_underlined(page, real_url):
    page.goto(real_url + "carte/")
    tiles = page.locator("a.cmq-carte__tuile")
    assert tiles.count() == 18
    assert set(tiles.evaluate_all("links => links.map(a => getComputedStyle(a).textDecorationLine)")) == {"none"}
    other = page.locator("article a[href]:not(.cmq-carte__tuile):not(.headerlink):not(.md-button)").first
    assert other.evaluate("a => getComputedStyle(a).textDecorationLine") == "underline"  # other links still are


# The focused element, once in sight (a drawer slides in) and not transparent or hidden: its
# description, or false.
_FOCUS_IN_SIGHT = """() => { const e = document.activeElement, r = e.getBoundingClientRect();
    let seen = getComputedStyle(e).visibility === 'visible';
    for (let a = e; a && seen; a = a.parentElement) seen = parseFloat(getComputedStyle(a).opacity) > 0.5;
    return seen && r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth
        && [e.tagName, e.className, (e.textContent || '').trim().slice(0, 30), !!e.closest('.md-nav--primary')]; }"""


@pytest.mark.parametrize("path", ["", "carte/"])  # both with a table of contents (in the drawer of a phone)
@pytest.mark.parametrize("width, height", [(1280, 800), (1024, 768), (375, 740)])
def test_every_tab_stop_is_in_sight_and_the_navigation_is_reachable(browser, real_url, width, height, path):
    """Tabbing never lands on something out of sight (the results of the closed search box, the
    links of the closed drawer of a small screen, those of the page's table of contents in it),
    and still reaches the site's navigation."""
    with watched_page(browser, viewport={"width": width, "height": height}) as page:
        page.goto(real_url + path)
        hidden, navigation = [], 0
        for _ in range(30):
            page.keyboard.press("Tab")
            try:
                found = page.wait_for_function(_FOCUS_IN_SIGHT, timeout=1500).json_value()
            except PlaywrightTimeout:
                hidden.append(page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)"))
                continue
            navigation += found[3]
        assert hidden == []
        if path != "" or width < 1220:  # the home page hides the navigation sidebar (hide: navigation)
            assert navigation >= 10  # the links of the main navigation, drawer or sidebar


@pytest.mark.parametrize("width", [375, 1280])
def test_bar_charts_stay_legible(browser, real_url, width):
    """Labels stay inside their chart (long ones are wrapped), about 13 px high on a phone and
    15 px (the chart at its own size, not blown up to the column) on a wide screen."""
    with watched_page(browser, viewport={"width": width, "height": 740}) as page:
        page.goto(real_url + "statistiques/")
        charts = page.locator("svg.cmq-barres")
        assert charts.count() >= 5
        for chart in charts.all():
            drawn = chart.evaluate("s => s.viewBox.baseVal.width")
            rights = chart.evaluate("s => [...s.querySelectorAll('text')].map(t => t.getBBox().x + t.getBBox().width)")
            assert max(rights) <= drawn
            scale = chart.evaluate("s => s.getBoundingClientRect().width") / drawn
            assert 12.5 <= scale * 15 <= 15
