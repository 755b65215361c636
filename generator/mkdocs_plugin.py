"""The thin MkDocs side: run the pipeline and hand the generated pages to MkDocs as
virtual files (``File.generated``), so nothing generated is written into the source tree.

This is the only module that imports MkDocs.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from . import pipeline, sanitize
from .diagnostics import summary
from .generate import fragment_placeholder, generate
from .schema import CONTENT_TYPES
from .search import SearchIndex

log = logging.getLogger("mkdocs.plugins.cmq")


class CatalogConfig(base.Config):
    # Relative to the directory of mkdocs.yml.
    content_dir = c.Type(str, default="content")
    referentiels_dir = c.Type(str, default="")  # default: <content_dir>/referentiels
    templates_dir = c.Type(str, default="theme/pages")


class _GeneratedFile(File):
    """A generated page or data file; ``unchanged`` when it is the same as at the previous
    build of this site directory, so that a dirty build (`make serve`) leaves it as it is."""

    unchanged = False

    def is_modified(self) -> bool:
        return not self.unchanged and super().is_modified()


@dataclass
class _Build:
    signature: str  # what, besides its own Markdown, every page depends on
    digests: dict[str, bytes]  # generated file → digest of its content and fragments
    search: SearchIndex
    rendered: set[str]  # URLs of the pages rendered by this build


# The last build of each site directory in this process: `mkdocs serve` makes a new plugin
# for every rebuild, and with --dirty (`make serve`) renders only the files that changed.
_previous_builds: dict[str, _Build] = {}


def _signature(config: MkDocsConfig, uris: list[str]) -> str:
    """mkdocs.yml, the theme's templates and the set of generated files: when one changes,
    every page may change (its nav, its layout), so all are rendered again."""
    paths = [Path(config.config_file_path)]
    if config.theme.custom_dir:
        paths += sorted(p for p in Path(config.theme.custom_dir).rglob("*") if p.is_file())
    stamps = [(str(p), p.stat().st_mtime_ns) for p in paths]
    return hashlib.blake2b(repr((stamps, sorted(uris))).encode(), digest_size=16).hexdigest()


def _without_dirty_warning(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith("A 'dirty' build is being performed")


class CatalogPlugin(BasePlugin[CatalogConfig]):
    dirty = False  # `mkdocs serve --dirty`: set once for the process (each rebuild has a new plugin)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        type(self).dirty = command == "serve" and dirty
        if type(self).dirty:
            # MkDocs warns, in English, at every dirty build, and strict mode counts it as a
            # problem: say it once, in French, and keep strict mode for real warnings.
            logging.getLogger("mkdocs.commands.build").addFilter(_without_dirty_warning)
            log.info("Reconstructions partielles : après une modification, seules les pages changées "
                     "sont refaites (relancez `make serve` après avoir supprimé une fiche).")

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # Reproducible builds: MkDocs dates the sitemap (and its gzip header) with the build
        # time unless SOURCE_DATE_EPOCH is set; use the date of the last commit instead.
        if "SOURCE_DATE_EPOCH" not in os.environ:
            root = Path(config.config_file_path).parent
            try:
                stamp = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True,
                                       text=True, timeout=10).stdout.strip()
            except (OSError, subprocess.SubprocessError):
                stamp = ""
            os.environ["SOURCE_DATE_EPOCH"] = stamp if stamp.isdigit() else "0"
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        root = Path(config.config_file_path).parent
        content_dir = root / self.config.content_dir
        vocab_dir = root / self.config.referentiels_dir if self.config.referentiels_dir else None
        result = pipeline.run(content_dir, vocab_dir, history=True)
        if result.catalog is None:
            report = "\n".join(d.format() for d in result.diagnostics)
            raise PluginError(f"Contenu invalide :\n{report}\n{summary(result.diagnostics)}")
        for diagnostic in result.diagnostics:  # warnings only (errors stopped the build above)
            log.info(diagnostic.format())
        log.info(f"Contenu vérifié : {summary(result.diagnostics)} — {len(result.catalog.campuses)} campus, "
                 f"{len(result.catalog.practices)} bonnes pratiques")

        # The raw entries and vocabularies are sources, not pages: drop them.
        sources = tuple(f"{t.directory}/" for t in CONTENT_TYPES) + ("referentiels/",)
        for file in [f for f in files if f.src_uri.startswith(sources)]:
            files.remove(file)
        catalog = result.catalog
        self._entries = {e.src_uri for e in (*catalog.campuses.values(), *catalog.practices.values())}
        self._fragments: dict[str, tuple[tuple[str, str], ...]] = {}
        depot, branch = config.extra.get("depot"), config.extra.get("branche", "main")
        # The repository layout is fixed: entries live in content/ (whatever folder a test builds).
        edit_base = f"{depot.rstrip('/')}/edit/{branch}/content" if depot else None
        site_url = config.site_url or config.extra.get("site_public") or ""
        stamp = os.environ.get("SOURCE_DATE_EPOCH", "")
        build_time = int(stamp) if stamp.isdigit() else 0
        pages = list(generate(result.catalog, root / self.config.templates_dir, edit_base, site_url,
                              build_time, depot))
        previous = self._previous = _previous_builds.get(config.site_dir)
        signature = _signature(config, [g.uri for g in pages]) if self.dirty else ""
        digests = {}
        for generated in pages:
            file = _GeneratedFile.generated(config, generated.uri, content=generated.content)
            if self.dirty:  # a plain build renders everything: no need to compare
                digest = hashlib.blake2b(generated.content.encode(), digest_size=16)
                for name, fragment in generated.fragments:
                    digest.update(f"\0{name}\0{fragment}".encode())
                digests[generated.uri] = digest.digest()
                file.unchanged = previous is not None and previous.signature == signature and (
                    previous.digests.get(generated.uri) == digests[generated.uri])
            files.append(file)
            if generated.fragments:
                self._fragments[generated.uri] = generated.fragments
        self._build = _Build(signature, digests, SearchIndex(), set())
        self._files = files
        return files

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        build = self._build
        urls = [f.page.url for f in self._files.documentation_pages() if f.page is not None]
        if self._previous is not None:  # pages that a dirty build did not render: as indexed before
            build.search.keep(self._previous.search, [u for u in urls if u not in build.rendered])
        build.search.write(Path(config.site_dir), urls)
        if self.dirty:
            _previous_builds[config.site_dir] = build

    def on_page_context(self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig,
                        nav: Navigation) -> TemplateContext:
        # A page that hides its table of contents (`hide: toc`) has none in the drawer of a small
        # screen either, where the theme lists it all the same (on the explorer, links to the
        # headings of the list its script hides). The title stays: the skip link goes to it.
        if "toc" in (page.meta.get("hide") or ()):
            for item in page.toc:
                item.children = []
        return context

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # Contributed bodies are part of these pages: sanitise them whatever the validator let through,
        # then put our own pictures and controls (trusted fragments: SVG, forms) in their places.
        generated = isinstance(page.file, _GeneratedFile)
        if generated:
            html = sanitize.clean(html)
        self._build.rendered.add(page.url)
        # Pages marked `search: {exclude: true}` (the Livret repeats every practice) are not indexed.
        if not (page.meta.get("search") or {}).get("exclude"):
            self._build.search.add(page.url, page.title or "", html, entry=page.file.src_uri in self._entries)
        if not generated:
            return html
        for name, fragment in self._fragments.get(page.file.src_uri, ()):
            placeholder = fragment_placeholder(name)
            if placeholder not in html:
                raise PluginError(f"{page.file.src_uri} : emplacement « {name} » introuvable après nettoyage.")
            html = html.replace(placeholder, fragment, 1)
        return html
