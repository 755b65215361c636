"""What makes the catalogue scale, checked by counting, never by timing
(the timings are `make bench`'s job)."""

from __future__ import annotations

import sys

import pytest
from bench.synthetic import write_catalogue
from conftest import build_site
from test_site import nav_links

from generator import load, validate
from generator.generate import PAGE_SIZE


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
    assert abs(large - small) < 1_000, (small, large)  # a few digits longer names at most
    assert large < 40_000


def test_list_pages_are_split_and_stay_small(sites):
    site = sites[500]
    assert max(p.stat().st_size for p in site.rglob("*.html")) < 100_000
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
