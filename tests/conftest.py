"""Shared test helpers: paths, a tiny content tree builder, and site builds."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
CATALOGUE = FIXTURES / "catalogue"  # small valid catalogue exercising every feature
REFERENTIELS = ROOT / "content" / "referentiels"  # the one source of truth, also for tests
MKDOCS = Path(sys.executable).parent / "mkdocs"


@pytest.fixture(autouse=True, scope="session")
def _temporary_folder_of_the_tests(tmp_path_factory):
    """The tests' temporary files, among them the compiled templates (generate._CompiledTemplates),
    go to pytest's folder rather than the user's: tests with templates of their own, each in
    another folder, would add to the user's cache at every run."""
    saved = tempfile.tempdir
    tempfile.tempdir = str(tmp_path_factory.mktemp("tmp"))
    yield
    tempfile.tempdir = saved


class ContentTree:
    """A throw-away content folder for one test: add files, then run the pipeline on it."""

    def __init__(self, root: Path):
        self.root = root
        (root / "campuses").mkdir(parents=True)
        (root / "bonnes-pratiques").mkdir()
        shutil.copytree(REFERENTIELS, root / "referentiels")

    def write(self, folder: str, name: str, text: str | bytes) -> Path:
        path = self.root / folder / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return path

    def campus(self, id: str, body: str = "Description.", **fields) -> Path:
        values = {"nom": f"Campus {id}", "secteur": "numerique-telecommunications",
                  "region": "bretagne", "academie": "rennes", "ville": "Rennes"}
        values.update(fields)
        return self.write("campuses", f"{id}.md", _entry(values, body))

    def practice(self, id: str, body: str = "## La pratique\n\nTexte.", **fields) -> Path:
        values = {"titre": f"Pratique {id}", "domaine": "innovation-pedagogique", "campus": "c1"}
        values.update(fields)
        return self.write("bonnes-pratiques", f"{id}.md", _entry(values, body))


def _entry(values: dict, body: str) -> str:
    values = {k: v for k, v in values.items() if v is not None}
    front = yaml.safe_dump(values, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n{body}\n"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ContentTree:
    monkeypatch.chdir(tmp_path)  # messages show paths relative to the working directory
    return ContentTree(tmp_path / "content")


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose `!ENV [NAME, default]` tags keep their default here."""


_ConfigLoader.add_constructor("!ENV", lambda loader, node: loader.construct_sequence(node)[-1])


def project_config(content_dir: Path, site_dir: Path, config_dir: Path) -> Path:
    """The project's mkdocs.yml, building ``content_dir`` into ``site_dir``."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader)
    config["docs_dir"] = str(content_dir)
    config["site_dir"] = str(site_dir)
    config["theme"]["custom_dir"] = str(ROOT / "theme" / "overrides")
    config["plugins"] = [
        {"cmq": {"content_dir": str(content_dir), "referentiels_dir": str(REFERENTIELS),
                 "templates_dir": str(ROOT / "theme" / "pages")}},
    ]
    config.pop("watch", None)
    config_file = config_dir / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return config_file


def read_index(site: Path) -> tuple[dict, list[dict], list[list]]:
    """The search index of a built site: its manifest, its shards and its pages, in order."""
    manifest = json.loads((site / "recherche" / "index.json").read_text(encoding="utf-8"))
    version = site / "recherche" / manifest["version"]
    shards = [json.loads((version / "mots" / f"{i}.json").read_text(encoding="utf-8"))
              for i in range(len(manifest["shards"]))]
    pages = [page for i in range(len(list((version / "pages").iterdir())))
             for page in json.loads((version / "pages" / f"{i}.json").read_text(encoding="utf-8"))]
    return manifest, shards, pages


def build_site(content_dir: Path, site_dir: Path, config_dir: Path) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of ``content_dir`` with the project's configuration."""
    config_file = project_config(content_dir, site_dir, config_dir)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run([str(MKDOCS), "build", "--strict", "-f", str(config_file)],
                          capture_output=True, text=True, env=env, cwd=config_dir)


def from_the_second_process(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Filled, once parallel.shared has run, with the number of results of each chunk that came
    back from the second process (empty: this process did everything)."""
    from generator import parallel

    counts: list[int] = []
    real_read = parallel._read

    def read(spool):
        for start, results in real_read(spool):
            if start != parallel.SIDE:  # the result of the side work (meanwhile), not a chunk
                counts.append(len(results))
            yield start, results
    monkeypatch.setattr(parallel, "_read", read)
    return counts


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small fixture catalogue, built once per test session."""
    work = tmp_path_factory.mktemp("fixture-site")
    result = build_site(CATALOGUE, work / "site", work)
    assert result.returncode == 0, result.stderr
    return work / "site"


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real catalogue of content/, built once per test session with the real mkdocs.yml."""
    work = tmp_path_factory.mktemp("real-site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run([str(MKDOCS), "build", "--strict", "-d", str(work / "site")],
                            capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return work / "site"


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Entries whose every field carries a payload (tests/fixtures/hostile/accepte), built."""
    work = tmp_path_factory.mktemp("hostile-site")
    result = build_site(FIXTURES / "hostile" / "accepte", work / "site", work)
    assert result.returncode == 0, result.stderr
    return work / "site"


# --------------------------------------------------------------------------- browser

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


def serve(site: Path) -> http.server.ThreadingHTTPServer:
    """Serve a built site on 127.0.0.1 (a free port) until ``shutdown()``."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@contextlib.contextmanager
def served(site: Path):
    """The base URL of ``site`` served on 127.0.0.1, for the duration of the block."""
    server = serve(site)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (which never downloads a browser here)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (.ci/run does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextlib.contextmanager
def watched_page(browser, **options):
    """A new page whose requests must all stay on 127.0.0.1 and whose scripts must not fail."""
    context = browser.new_context(locale="fr-FR", **options)
    page = context.new_page()
    hosts: set[str | None] = set()
    errors: list[str] = []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert hosts <= {"127.0.0.1"}, hosts
    assert errors == []
