"""The search index: a static index in small files, written next to the built pages and
read by theme/overrides/assets/javascripts/recherche.js. A query downloads the list of
shards, the shard (or the few shards) holding its words, then the pages of the results
it shows — never the whole index, so what a first search costs hardly grows with the
catalogue.

French stemming happens here: every word is reduced by the Snowball French stemmer
(PyStemmer, the Snowball project's C library), so « formations » and « formation »
lead to the same pages. The browser never stems: it looks the words of a query up in
the list of the words that the pages contain (accents and case folded), by their exact
form, as the start of longer words (the word being typed), or by their closest shorter
form (« éoliens » → « éolien »).

Layout of ``<site>/recherche/``:

- ``index.json``: ``{"version", "pages", "chunk", "shards": [first word of each shard]}``;
- ``<version>/mots/<i>.json``: shard ``i``, a run of the sorted folded words:
  ``{"w": {word: [stem index]}, "s": [[page deltas], [title page deltas]]}`` — each stem's
  pages (and the pages whose title has it) as gaps between increasing page numbers;
- ``<version>/pages/<i>.json``: pages ``i * chunk`` to ``i * chunk + chunk - 1`` as
  ``[title, url, excerpt]``.

Files under ``<version>/`` never change once written (the version is a hash of them), so
a browser may keep them; only ``index.json`` must be asked for again.

This module does not import MkDocs: the plugin hands it each page's title, URL and HTML.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
from array import array
from collections import defaultdict
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import orjson
import Stemmer

SHARD_BYTES = 40_000  # a shard's approximate JSON size before the next one starts
CHUNK = 8  # pages per excerpt file: the 20 results shown need at most 20 small files
EXCERPT_CHARS = 400

# The same tokens as recherche.js: runs of letters and digits (/[\p{L}\p{N}]+/u).
_WORD = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<[^>]*>")
_DIV = re.compile(r"<(/?)div\b[^>]*>")
_IGNORED = re.compile(r"<div\b[^>]*\bdata-recherche-ignore\b[^>]*>")
_PARAGRAPH = re.compile(r"<(p|li)\b[^>]*>(.*?)</\1>", re.S)  # paragraphs and list items, in page order
# Tags that part words (a line, an item, a cell); any other tag is inline, and leaves its text
# joined to what follows (« <a>Secteurs</a>. » is « Secteurs. »).
_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|dl|dt|dd|div|br|hr|h[1-6]|table|thead|tbody|tr|td|th|blockquote|pre)"
                        r"\b[^>]*>")
_ONLY_A_LINK = re.compile(r"\s*<a\b[^>]*>[^<]*</a>\s*")
_SPACES = re.compile(r"\s+")
_SENTENCE_ENDS = (".", "!", "?", ":", ";", "…", "»", ")")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})


def fold(word: str) -> str:
    """Lower case, no accents, no ligatures: what a visitor may type for the word."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").translate(_LIGATURES)


def without_ignored(html: str) -> str:
    """Drops every ``<div data-recherche-ignore>`` block (with the divs nested in it)."""
    while match := _IGNORED.search(html):
        depth, end = 0, len(html)
        for tag in _DIV.finditer(html, match.start()):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                end = tag.end()
                break
        html = html[: match.start()] + html[end:]
    return html


def text_of(html: str) -> str:
    return _SPACES.sub(" ", unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", html)))).strip()


def excerpt_of(html: str) -> str:
    """The start of the page's prose: its paragraphs and list items, without those that are just a link."""
    text = ""
    for _, paragraph in _PARAGRAPH.findall(html):
        if _ONLY_A_LINK.fullmatch(paragraph) or not (part := text_of(paragraph)):
            continue
        if text:  # after a sentence, a space; after a part that does not end one (a list item), « · »
            text += " " if text.endswith(_SENTENCE_ENDS) else " · "
        text += part
        if len(text) >= EXCERPT_CHARS:
            break
    if len(text) > EXCERPT_CHARS:
        text = text[:EXCERPT_CHARS].rsplit(" ", 1)[0].removesuffix(" ·") + " …"
    return text


def _js_order(word: str) -> bytes:
    return word.encode("utf-16-be")  # JavaScript compares strings by UTF-16 code units


def _gaps(pages: array) -> list[int]:
    return [page - previous for previous, page in zip((-1, *pages), pages)]


@dataclass(frozen=True)
class _Page:
    title: str
    url: str
    excerpt: str
    stems: tuple[str, ...]  # of the whole page, title included
    title_stems: tuple[str, ...]
    entry: bool


class SearchIndex:
    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("french")
        self._stems: dict[str, str] = {}  # lower-case word → stem
        self._lexicon: dict[str, set[str]] = defaultdict(set)  # folded word → stems
        self._pages: dict[str, _Page] = {}  # by URL, in the order they were added

    def _terms(self, text: str) -> set[str]:
        # Words first, then lower case, as recherche.js does (« İ » lowers to two characters).
        words = {w.lower() for w in set(_WORD.findall(unicodedata.normalize("NFC", text)))}
        new = [w for w in words if w not in self._stems]
        for word, stem in zip(new, self._stemmer.stemWords(new)):
            self._stems[word] = stem
            self._lexicon[fold(word)].add(stem)
        return {self._stems[w] for w in words}

    def add(self, url: str, title: str, html: str, entry: bool = False) -> None:
        """One page: ``html`` is its article (the theme's header, nav and footer are not in it).
        Entries (a campus, a practice) come before the other pages when their scores tie."""
        html = without_ignored(html)
        in_title = self._terms(title)
        words = unescape(_TAG.sub(" ", html))  # spaces need not be tidied here
        self._pages[url] = _Page(title, url, excerpt_of(html), tuple(self._terms(words) | in_title),
                                 tuple(in_title), entry)

    def keep(self, previous: SearchIndex, urls: list[str]) -> None:
        """Pages that this build did not render (a dirty build): as ``previous`` indexed them.
        Their words come too (the words of pages now gone are dropped by ``_shards``)."""
        kept = [u for u in urls if u in previous._pages]
        for url in kept:
            self._pages[url] = previous._pages[url]
        if kept:
            for word, stems in previous._lexicon.items():
                self._lexicon[word] |= stems

    def write(self, site_dir: Path, order: list[str] | None = None) -> None:
        """``order``: the URLs of the pages in the site's order (default: as added)."""
        ordered = list(self._pages.values()) if order is None else [self._pages[u] for u in order if u in self._pages]
        folder = site_dir / "recherche"
        shutil.rmtree(folder, ignore_errors=True)
        # Page numbers: entries first, then the other pages, each in the site's order.
        docs = sorted(ordered, key=lambda page: not page.entry)
        pages: dict[str, array] = defaultdict(lambda: array("I"))  # stem → pages having it
        titles: dict[str, array] = defaultdict(lambda: array("I"))  # stem → pages whose title has it
        for number, page in enumerate(docs):
            for stem in page.stems:
                pages[stem].append(number)
            for stem in page.title_stems:
                titles[stem].append(number)
        shards = self._shards(pages, titles)
        rows = [(page.title, page.url, page.excerpt) for page in docs]
        chunks = [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]
        files = {f"mots/{i}.json": _dump(shard) for i, (_, shard) in enumerate(shards)}
        files |= {f"pages/{i}.json": _dump(chunk) for i, chunk in enumerate(chunks)}
        digest = hashlib.sha256()
        for name, data in files.items():
            digest.update(name.encode() + b"\0" + data)
        version = digest.hexdigest()[:12]
        for sub in ("mots", "pages"):
            (folder / version / sub).mkdir(parents=True)
        for name, data in files.items():
            (folder / version / name).write_bytes(data)
        manifest = {"version": version, "pages": len(docs), "chunk": CHUNK,
                    "shards": [first for first, _ in shards]}
        (folder / "index.json").write_bytes(_dump(manifest))

    def _shards(self, pages: dict[str, array], titles: dict[str, array]) -> list[tuple[str, dict]]:
        """Runs of sorted folded words, each about SHARD_BYTES of JSON, with the pages of
        their stems (a stem whose words fall in two shards is in both)."""
        shards: list[tuple[str, dict]] = []
        words: dict[str, list[int]] = {}
        stems: dict[str, int] = {}
        postings: list[list[list[int]]] = []
        size = 0
        for word in sorted(self._lexicon, key=_js_order):
            if size >= SHARD_BYTES:
                shards.append((next(iter(words)), {"w": words, "s": postings}))
                words, stems, postings, size = {}, {}, [], 0
            live = [stem for stem in sorted(self._lexicon[word]) if stem in pages]
            if not live:
                continue
            indices = []
            for stem in live:
                if stem not in stems:
                    stems[stem] = len(postings)
                    postings.append([_gaps(pages[stem]), _gaps(titles.get(stem, ()))])
                    size += 3 * (len(pages[stem]) + len(titles.get(stem, ())))
                indices.append(stems[stem])
            words[word] = indices
            size += len(word) + 8
        if words:
            shards.append((next(iter(words)), {"w": words, "s": postings}))
        return shards


def _dump(value) -> bytes:
    """Compact JSON in UTF-8 (orjson: the standard library's text, faster; see generate._json_text)."""
    return orjson.dumps(value)
