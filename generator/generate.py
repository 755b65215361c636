"""Stage 4 — generate: turn the catalogue into site files (Markdown pages and data).

Pages are rendered from the Jinja templates of ``theme/pages/``. Templates output
Markdown, so every value printed with ``{{ … }}`` is escaped for Markdown and HTML
unless it is marked trusted (``Markup``): the Markdown body of an entry (checked by the
validator) and links built by ``link()``. Nothing here imports MkDocs.
"""

from __future__ import annotations

import json
import posixpath
import re
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from .model import Campus, Catalog, Practice, Term
from .schema import CAMPUS, CONTENT_TYPES, PRACTICE, VOCAB_LABELS, VOCABULARIES
from .schemas import generate_schemas, schema_uri

# Characters Python-Markdown treats as inline syntax and accepts backslash-escaped, and
# what would start a block (list, quote, heading) at the beginning of a value.
_MD_ESCAPE = re.compile(r"([\\`*_{}\[\]()#!])")
_MD_BLOCK_START = re.compile(r"^([-+]|\d+(?=\.))")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;", '"': "&quot;"}
_HTML_RE = re.compile("[&<>|\"]")


@lru_cache(maxsize=65536)  # names of campuses and terms are printed on many pages
def _md_escape_text(text: str) -> str:
    text = " ".join(text.split())  # no line breaks: a value never starts a block
    text = _MD_ESCAPE.sub(r"\\\1", text)
    text = _MD_BLOCK_START.sub(lambda m: m.group() + "\\" if m.group().isdigit() else "\\" + m.group(), text)
    return _HTML_RE.sub(lambda m: _HTML[m.group()], text)


@lru_cache(maxsize=4096)
def relative_uri(base_dir: str, target: str) -> str:
    """Path from a page's folder to another source file ("campus" → "secteurs/x.md":
    "../secteurs/x.md"); URIs are POSIX and relative to the docs folder."""
    base = base_dir.split("/") if base_dir else []
    parts = target.split("/")
    common = 0
    while common < min(len(base), len(parts) - 1) and base[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + parts[common:])


def md_escape(value: Any) -> str:
    """Make any text inert and literal inside generated Markdown (and HTML)."""
    return _md_escape_text(str(value))


def external_link(url: str, text: str | None = None) -> Markup:
    """A link to a validated absolute URL (http, https or mailto), percent-encoded."""
    target = quote(url, safe=":/?#@!$&'*+,;=%~")
    return Markup(f"[{md_escape(text or url)}]({target})")


# Long lists are split into pages of this many items, so that no page grows with the
# catalogue (the index pages show the first items of each group and link to the rest).
PAGE_SIZE = 50
PREVIEW = 10  # items per group on the index pages of a large catalogue…
LIST_IN_FULL = 150  # …while a catalogue of up to this many entries is listed in full


@dataclass(frozen=True)
class Pager:
    number: int  # 1-based
    uris: list[str]  # src URI of every page of the list

    @property
    def count(self) -> int:
        return len(self.uris)


@dataclass(frozen=True)
class GeneratedFile:
    uri: str  # path in the site, e.g. "campus/foo.md" or "donnees/campus.json"
    content: str


class Renderer:
    def __init__(self, templates_dir: Path, catalog: Catalog, edit_base: str | None = None):
        self.catalog = catalog
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            undefined=jinja2.StrictUndefined,
            auto_reload=False,  # templates do not change during a build: no stat per page
            # Autoescape makes macro output trusted (Markup); finalize escapes every other value
            # for Markdown (md_escape also covers HTML).
            finalize=lambda v: v if isinstance(v, Markup) else Markup(md_escape(v)),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        # Field labels come from the one declaration of each content type.
        fields = {CAMPUS.key: CAMPUS.fields_by_name, PRACTICE.key: PRACTICE.fields_by_name}
        self.env.globals.update(catalog=catalog, vocab_labels=VOCAB_LABELS, vocabularies=VOCABULARIES, fields=fields,
                                json_string=lambda v: Markup(json.dumps(str(v), ensure_ascii=False)))
        self.env.globals["external_link"] = external_link
        self.env.globals["content_types"] = CONTENT_TYPES
        self.env.globals["preview"] = PREVIEW
        self.env.globals["list_in_full"] = LIST_IN_FULL
        self.env.globals["code"] = lambda text: Markup(f"`{str(text).replace('`', '')}`")
        self.env.globals["schema_uri"] = schema_uri

        def edit_link(entry: Campus | Practice) -> Markup | str:
            """« Modifier cette fiche »: the entry's source file in the repository, if configured."""
            if not edit_base:
                return ""
            ctype = CAMPUS if isinstance(entry, Campus) else PRACTICE
            return external_link(f"{edit_base.rstrip('/')}/{ctype.directory}/{entry.id}.md", "Modifier cette fiche")

        self.env.globals["edit_link"] = edit_link
        self.env.filters["body"] = lambda text: Markup(text)

    def render(self, template: str, uri: str, **context: Any) -> GeneratedFile:
        base = posixpath.dirname(uri)

        def link(target: Campus | Practice | Term | str, text: Any = None) -> Markup:
            """A Markdown link from this page to another page (MkDocs checks it exists)."""
            src = target if isinstance(target, str) else target.src_uri
            return _markdown_link(str(text if text is not None else _label(target)), src, base)

        content = self.env.get_template(template).render(link=link, **context)
        return GeneratedFile(uri, content)


@lru_cache(maxsize=65536)  # the same term or campus is linked from many pages of one folder
def _markdown_link(label: str, src: str, base: str) -> Markup:
    return Markup(f"[{md_escape(label)}]({relative_uri(base, src)})")


def _label(target: Any) -> str:
    if isinstance(target, Term):
        return target.nom
    if isinstance(target, (Campus, Practice)):
        return target.title
    raise TypeError(f"link() needs a label for {target!r}")


# --------------------------------------------------------------------------- data exports

def _term_json(term: Term | None) -> dict[str, str] | None:
    return {"id": term.id, "nom": term.nom} if term else None


def campus_record(campus: Campus) -> dict[str, Any]:
    record: dict[str, Any] = {"id": campus.id, "url": campus.url}
    for f in CAMPUS.fields:
        value = getattr(campus, f.name)
        record[f.name] = _term_json(value) if isinstance(value, Term) else value
    record["bonnes_pratiques"] = [p.id for p in campus.practices]
    return record


def practice_record(practice: Practice) -> dict[str, Any]:
    record: dict[str, Any] = {"id": practice.id, "url": practice.url}
    for f in PRACTICE.fields:
        value = getattr(practice, f.name)
        if isinstance(value, Campus):
            value = {"id": value.id, "nom": value.nom, "ville": value.ville}
        elif isinstance(value, Term):
            value = _term_json(value)
        elif isinstance(value, tuple):
            value = list(value)
        record[f.name] = value
    return record


def _json(records: Iterable[dict[str, Any]]) -> str:
    # One record per line: readable diffs, and the C encoder (indent= would use the slow one).
    lines = ",\n".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records)
    return f"[\n{lines}\n]\n"


# --------------------------------------------------------------------------- pages

def generate(catalog: Catalog, templates_dir: Path, edit_base: str | None = None) -> list[GeneratedFile]:
    """Every generated page and data file of the site, in a stable order.

    ``edit_base``: URL of the content folder in the repository's editor (e.g.
    ``https://github.com/o/r/edit/main/content``), for the « Modifier cette fiche » links.
    """
    r = Renderer(Path(templates_dir), catalog, edit_base)
    files = [r.render("accueil.md.j2", "index.md")]
    files.append(r.render("campus-liste.md.j2", f"{CAMPUS.url_prefix}/index.md"))
    files.extend(r.render("campus.md.j2", c.src_uri, campus=c) for c in catalog.campuses.values())
    files.append(r.render("pratiques-liste.md.j2", f"{PRACTICE.url_prefix}/index.md"))
    files.extend(r.render("pratique.md.j2", p.src_uri, practice=p) for p in catalog.practices.values())
    for vocab in VOCABULARIES:
        files.append(r.render("referentiel-liste.md.j2", f"{vocab}/index.md", vocab=vocab))
        for term in catalog.terms(vocab):
            campuses, practices = catalog.campuses_of(term), catalog.practices_of(term)
            count = max(1, -(-max(len(campuses), len(practices)) // PAGE_SIZE))
            uris = [term.src_uri] + [f"{vocab}/{term.id}/page-{n}.md" for n in range(2, count + 1)]
            for n, uri in enumerate(uris):
                window = slice(n * PAGE_SIZE, (n + 1) * PAGE_SIZE)
                files.append(r.render("referentiel.md.j2", uri, term=term, campuses=campuses[window],
                                      practices=practices[window], pager=Pager(n + 1, uris)))
    files.append(r.render("contribuer.md.j2", "contribuer.md"))
    files.extend(GeneratedFile(uri, text) for uri, text in
                 generate_schemas(catalog.vocabularies, list(catalog.campuses)).items())
    files.append(GeneratedFile("donnees/campus.json", _json(map(campus_record, catalog.campuses.values()))))
    files.append(GeneratedFile("donnees/bonnes-pratiques.json",
                               _json(map(practice_record, catalog.practices.values()))))
    return files
