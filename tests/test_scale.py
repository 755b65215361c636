"""What makes the catalogue scale, checked by counting, never by timing
(the timings are `make bench`'s job)."""

from __future__ import annotations

import gc
import sys
import weakref
from pathlib import Path

import jinja2
import pytest
from bench.synthetic import write_catalogue
from conftest import build_site
from test_site import nav_links

from generator import generate as generate_module, load, model, nogc, validate
from generator.generate import LIVRET_PART, PAGE_SIZE


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    built = {}
    for n in (50, 500):
        work = tmp_path_factory.mktemp(f"n{n}")
        content = write_catalogue(work, n)
        result = build_site(content, work / "site", work)
        assert result.returncode == 0, result.stderr
        built[n] = work / "site"
    return built


def entry_pages(site):
    return [p for folder in ("campus", "bonnes-pratiques") for p in (site / folder).glob("*/index.html")]


def test_entry_page_size_does_not_depend_on_n(sites):
    small = max(p.stat().st_size for p in entry_pages(sites[50]))
    large = max(p.stat().st_size for p in entry_pages(sites[500]))
    # Longer numbers in names, and « voir aussi » cards that a small catalogue cannot always fill.
    assert large < small * 1.15, (small, large)
    assert large < 40_000
    # Every entry links to a bounded number of others, whatever N.
    links = lambda site: max(p.read_text(encoding="utf-8").count('href="../../bonnes-pratiques/')  # noqa: E731
                             for p in entry_pages(site))
    assert links(sites[500]) <= links(sites[50]) + 4 <= 30


def test_list_pages_are_split_and_stay_small(sites):
    site = sites[500]
    pages = [p for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "livret"]
    assert max(p.stat().st_size for p in pages) < 100_000
    # The Livret of a large catalogue: a page per domain, none with more than LIVRET_PART practices.
    livret = (site / "livret" / "index.html").read_text(encoding="utf-8")
    assert 'href="innovation-pedagogique/#innovation-pedagogique"' in livret
    for chapter in (site / "livret").glob("*/index.html"):
        assert chapter.read_text(encoding="utf-8").count('class="cmq-livret-pratique"') <= LIVRET_PART
    # 500 practices over 6 domains: about 84 per domain, hence two pages of at most PAGE_SIZE.
    domain = site / "domaines" / "innovation-pedagogique"
    assert (domain / "page-2" / "index.html").is_file() and not (domain / "page-3").exists()
    first = (domain / "index.html").read_text(encoding="utf-8")
    assert first.count('href="../../bonnes-pratiques/pratique-') == PAGE_SIZE
    assert 'href="page-2/"' in first and "Page 1 sur 2" in first


def test_navigation_is_the_same_for_any_n(sites):
    assert nav_links(sites[50] / "index.html") == nav_links(sites[500] / "index.html")


def count_calls(function, *args) -> int:
    calls = 0

    def profiler(frame, event, arg):
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(profiler)
    try:
        function(*args)
    finally:
        sys.setprofile(None)
    return calls


def test_cross_entry_checks_are_linear(tmp_path):
    calls = {}
    for n in (50, 500):
        loaded = load.load(write_catalogue(tmp_path / str(n), n))
        calls[n] = count_calls(validate.validate, loaded)
    # Ten times the entries: ten times the work (give or take the fixed vocabulary checks),
    # where a pairwise comparison of entries would make it a hundred times.
    assert 8 < calls[500] / calls[50] < 11, calls


def test_stages_run_without_the_cyclic_collector(tmp_path, monkeypatch):
    """Loading, checking, modelling and rendering pause the garbage collector (nogc.py), which
    scanned their many live objects for nothing; it is back on once each stage is over."""
    seen: dict[str, list[bool]] = {}

    def spy(module, name, stage):
        real = getattr(module, name)

        def recorded(*args, **kwargs):
            seen.setdefault(stage, []).append(gc.isenabled())
            return real(*args, **kwargs)
        monkeypatch.setattr(module, name, recorded)

    spy(load, "read_entry", "load")
    spy(validate, "_check_common", "validate")
    spy(model, "_keywords", "model")
    spy(generate_module.Renderer, "render", "generate")
    content = write_catalogue(tmp_path, 20)
    checked = validate.validate(load.load(content))
    assert gc.isenabled()
    catalog = model.build(checked.vocabularies, checked.campuses, checked.practices)
    generate_module.generate(catalog, Path(__file__).parents[1] / "theme" / "pages")
    assert gc.isenabled()
    assert set(seen) == {"load", "validate", "model", "generate"}
    assert not any(state for states in seen.values() for state in states), seen


def _in_collector(catalog: model.Catalog) -> int:
    """How many of the catalogue's practices the collector's generations hold (what is set
    aside is not there)."""
    practices = {id(p) for p in catalog.practices.values()}
    return sum(id(o) in practices for o in gc.get_objects())


def test_the_model_is_set_aside_from_the_collector_until_the_pages_are_made(tmp_path):
    """From the model's stage to the end of the pages', the collector leaves the model out of
    its passes (nogc.py); then it has it back, so that a later build frees an earlier model."""
    templates = Path(__file__).parents[1] / "theme" / "pages"
    checked = validate.validate(load.load(write_catalogue(tmp_path, 20)))
    catalog = model.build(checked.vocabularies, checked.campuses, checked.practices)
    assert gc.get_freeze_count() > 0 and _in_collector(catalog) == 0
    generate_module.generate(catalog, templates)
    assert gc.get_freeze_count() == 0 and _in_collector(catalog) == 20

    earlier = weakref.ref(catalog)  # a campus and its practices refer to each other: only the collector frees them
    del catalog
    later = model.build(checked.vocabularies, checked.campuses, checked.practices)
    with pytest.raises(jinja2.TemplateNotFound):  # the pages' stage fails: the model is given back all the same
        generate_module.generate(later, tmp_path)
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert earlier() is None


def test_the_collector_comes_back_after_a_failing_stage():
    @nogc.without_gc
    def failing():
        assert not gc.isenabled()
        raise ValueError("contenu")

    with pytest.raises(ValueError):
        failing()
    assert gc.isenabled()
