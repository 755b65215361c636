"""What a visitor does, in headless Chromium (Debian's package, driven by Playwright).

The fixture site is served on 127.0.0.1; every request the page makes is recorded and
must stay on that host (no font, CDN or tracker request may leave the site).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import serve, served, watched_page
from playwright.sync_api import expect

from generator import search
from generator.search import SearchIndex

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(fixture_site: Path):
    with served(fixture_site) as url:
        yield url


@pytest.fixture
def page(browser, base_url):
    with watched_page(browser) as page:
        yield page


def test_home_then_sector_then_campus_then_practice(page, base_url):
    page.goto(base_url)
    assert page.title().startswith("Accueil")
    page.get_by_role("link", name="Mobilité, aéronautique, transports terrestres et maritimes").first.click()
    page.wait_for_url("**/secteurs/mobilite-aeronautique-transports/")
    assert "Mobilité, aéronautique" in page.locator("h1").inner_text()

    page.locator("article").get_by_role(
        "link", name="Campus des métiers et des qualifications Aéronautique (fiche d’exemple)").first.click()
    page.wait_for_url("**/campus/aeronautique-exemple/")
    assert "Mérignac" in page.locator(".cmq-fiche").inner_text()

    page.locator("article").get_by_role("link", name="Former sur des pièces d’avion réelles (fiche d’exemple)").click()
    page.wait_for_url("**/bonnes-pratiques/situations-authentiques-exemple/")
    assert page.locator("h1").inner_text() == "Former sur des pièces d’avion réelles (fiche d’exemple)"
    assert "Innovation pédagogique" in page.locator(".cmq-fiche").inner_text()


def test_search_box_finds_a_practice(page, base_url):
    page.goto(base_url)
    page.get_by_role("textbox", name="Rechercher").or_(page.locator("input.md-search__input")).first.click()
    page.keyboard.type("éolienne")
    result = page.locator(".md-search-result__item").filter(has_text="Une tour d’entraînement")
    result.first.wait_for(timeout=10_000)
    result.first.locator("a").first.click()
    page.wait_for_url("**/bonnes-pratiques/eolien-exemple/**")
    assert "maintenance éolienne" in page.locator("h1").inner_text()


def test_search_keyboard_arrows_and_escape(page, base_url):
    """Arrows go into the results; Escape closes the box and, where the header shows the closed
    box (60em and wider), leaves the keyboard in it, where typing opens it again; on a narrow
    screen the closed box is out of sight, and the keyboard is not left in it."""
    focused = "document.activeElement === document.querySelector('input.md-search__input')"
    is_open = "document.getElementById('__search').checked"
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(base_url)
    page.locator("input.md-search__input").focus()
    page.keyboard.type("éolienne")
    page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.classList.contains('md-search-result__link')")
    page.keyboard.press("Escape")
    assert page.evaluate(focused) and not page.evaluate(is_open)
    page.keyboard.type("s")
    assert page.evaluate(is_open) and page.locator("input.md-search__input").input_value() == "éoliennes"
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowDown")  # opens it again, on the first result (WAI-ARIA's combobox)
    assert page.evaluate(is_open) and page.evaluate("document.activeElement.classList.contains('md-search-result__link')")
    page.keyboard.press("Escape")
    page.locator("input.md-search__input").click()
    assert page.evaluate(is_open) and page.evaluate(focused)

    page.set_viewport_size({"width": 400, "height": 800})
    page.keyboard.press("Escape")
    assert not page.evaluate(is_open) and not page.evaluate(focused)


def test_search_finds_a_campus_by_its_town(page, base_url):
    page.goto(base_url + "campus/")
    page.locator("input.md-search__input").click(force=True)
    page.keyboard.type("Quimper")
    page.locator(".md-search-result__item").filter(has_text="agroalimentaires").first.wait_for(timeout=10_000)


def test_search_says_when_the_index_is_missing_then_recovers(browser, fixture_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(fixture_site, site)
    (site / "recherche").rename(tmp_path / "recherche")
    with served(site) as url, watched_page(browser) as page:
        page.goto(url)
        page.locator("input.md-search__input").click(force=True)
        page.keyboard.type("éolienne")
        meta = page.locator(".md-search-result__meta")
        expect(meta).to_have_text("La recherche est indisponible (index absent ou incomplet).")
        (tmp_path / "recherche").rename(site / "recherche")  # e.g. the build has finished
        page.keyboard.type("s")
        expect(meta).to_have_text(re.compile(r"^\d+ documents? trouvés?$"))


def test_search_across_shard_boundaries(browser, fixture_site, tmp_path, monkeypatch):
    """One word a shard: a shorter form and the completions of a word being typed are in
    other shards than the word itself."""
    site = tmp_path / "site"
    shutil.copytree(fixture_site, site)
    monkeypatch.setattr(search, "SHARD_BYTES", 1)
    index = SearchIndex()
    index.add("a/", "Parc éolien", "<p>Un parc éolien en mer.</p>")
    index.add("b/", "Atelier", "<p>Des éoliennes et une éolienne.</p>")
    index.add("c/", "Autre", "<p>Rien de tel.</p>")
    index.write(site)
    with served(site) as url, watched_page(browser) as page:
        page.goto(url)
        box = page.locator("input.md-search__input")
        box.click(force=True)
        meta = page.locator(".md-search-result__meta")
        for query, found in [("eoliens ", "2 documents trouvés"), ("eoli", "2 documents trouvés"),
                             ("éolie", "2 documents trouvés"), ("parc eol", "1 document trouvé")]:
            box.fill(query)
            expect(meta).to_have_text(found)


def test_no_injected_script_runs_on_any_page(browser, hostile_site):
    server = serve(hostile_site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    context = browser.new_context()
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        pages = sorted(p.relative_to(hostile_site).parent.as_posix() for p in hostile_site.rglob("index.html"))
        for path in pages:
            page.goto(base + ("" if path == "." else path + "/"))
            page.mouse.move(200, 300)  # hover handlers would fire
            assert page.evaluate("typeof window.__pwned") == "undefined", path
        page.locator("input.md-search__input").click(force=True)
        page.keyboard.type("pwned")
        page.wait_for_timeout(1000)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert dialogs == []
    finally:
        context.close()
        server.shutdown()
