"""Stage 4 — generate: turn the catalogue into site files (Markdown pages and data).

Pages are rendered from the Jinja templates of ``theme/pages/``. Templates output
Markdown, so every value printed with ``{{ … }}`` is escaped for Markdown and HTML
unless it is marked trusted (``Markup``): the Markdown body of an entry (checked by the
validator) and links built by the ``link`` filter. Nothing here imports MkDocs.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
import io
import keyword
import os
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import lru_cache, partial
from operator import attrgetter
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterable, Iterator, MutableMapping, NamedTuple, Sequence
from urllib.parse import quote

import jinja2
import jinja2.nodes
import orjson
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.runtime import Context
from markupsafe import Markup

from . import charts, parallel
from .model import KEYWORDS_PREFIX, Campus, Catalog, Keyword, Practice, Term
from .nogc import giving_back, without_gc
from .schema import (CAMPUS, CONTENT_TYPES, DERIVED_FROM_CAMPUS, LIST_SEPARATOR, PRACTICE, VOCAB_LABELS, VOCABULARIES,
                     ContentType, Kind)
from .schemas import generate_schemas, schema_uri
from .validate import FENCE_RE, fold_space

# Characters Python-Markdown treats as inline syntax and accepts backslash-escaped, and those
# HTML (and a table cell) would read, with what replaces each; then what would start a block
# (list, quote, heading) at the beginning of a value.
_ESCAPES = {**{c: "\\" + c for c in "\\`*_{}[]()#!"}, "&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;",
            '"': "&quot;"}
_SPECIAL = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")
_MD_BLOCK_START = re.compile(r"[-+]|\d+(?=\.)")
# Markup(text), for a str: markupsafe's constructor first looks for an __html__ method, and
# its missing attribute costs more than the rest (pages make several a page).
_trusted: Callable[[str], Markup] = partial(str.__new__, Markup)


def _json_text(value: Any) -> str:
    """Compact JSON, characters as they are: orjson writes the same text as the standard
    library (json.dumps with ensure_ascii=False and separators=(",", ":")), in a third of the
    time: 0.1 s less for the data files at N = 10,000 (requirements/site.in)."""
    return orjson.dumps(value).decode()


# What the generator's code is: its options, code generator and filters shape the compiled
# templates (a filter's pass_context is written into them), so a change of any module compiles
# them again.
_SOURCE_KEY = hashlib.sha1(b"".join(p.read_bytes() for p in sorted(Path(__file__).parent.glob("*.py")))).hexdigest()


@lru_cache(maxsize=65536)  # names of campuses and terms are printed on many pages
def _escaped(text: str) -> Markup:
    """``text`` made inert and literal inside generated Markdown (and HTML), as trusted Markup."""
    text = fold_space(text)  # one line: a value never starts a block; French spaces stay
    text = _SPECIAL.sub(lambda m: _ESCAPES[m.group()], text)  # one pass (str.translate is slower on accents)
    start = _MD_BLOCK_START.match(text)
    if start:  # "2016." → "2016\.", "- x" → "\- x"
        text = f"{start.group()}\\{text[start.end():]}" if text[0].isdigit() else "\\" + text
    return _trusted(text)


@lru_cache(maxsize=4096)
def relative_uri(base_dir: str, target: str) -> str:
    """Path from a page's folder to another file ("campus" → "secteurs/x/": "../secteurs/x/");
    URIs are POSIX and relative to the site root (used for the links of HTML fragments)."""
    base = base_dir.split("/") if base_dir else []
    parts = target.split("/")
    common = 0
    while common < min(len(base), len(parts) - 1) and base[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + parts[common:])


def md_escape(value: Any) -> str:
    """Make any text inert and literal inside generated Markdown (and HTML)."""
    return str(_escaped(str(value)))


def external_link(url: str, text: str | None = None) -> Markup:
    """A link to a validated absolute URL (http, https or mailto), percent-encoded."""
    target = quote(url, safe=":/?#@!$&'*+,;=%~")
    return _trusted(f"[{md_escape(text or url)}]({target})")


# Long lists are split into pages of this many items, so that no page grows with the
# catalogue (the index pages show the first items of each group and link to the rest).
PAGE_SIZE = 50
PREVIEW = 10  # items per group on the index pages of a large catalogue…
LIST_IN_FULL = 150  # …while a catalogue of up to this many entries is listed in full
KEYWORDS_PER_PAGE = 300  # the list of keywords (short lines)


@dataclass(frozen=True)
class Pager:
    number: int  # 1-based
    uris: list[str]  # src URI of every page of the list

    @property
    def count(self) -> int:
        return len(self.uris)

    @property
    def uri(self) -> str:
        return self.uris[self.number - 1]

    @property
    def shown(self) -> list[int | None]:
        """The page numbers a pager shows: the first, the last, and up to WINDOW on each side
        of this one; None where numbers are left out (a pager stays short for any list)."""
        around = range(max(1, self.number - WINDOW), min(self.count, self.number + WINDOW) + 1)
        shown: list[int | None] = []
        last = 0
        for n in sorted({1, self.count, *around}):
            if n == last + 2:  # a single number left out: show it rather than « … »
                shown.append(last + 1)
            elif n > last + 2:
                shown.append(None)
            shown.append(n)
            last = n
        return shown


WINDOW = 2  # page numbers on each side of the current one in a pager


def paginate(first: str, more: str, items: int, size: int) -> list[tuple[Pager, slice]]:
    """The pages of a list of ``items`` entries, ``size`` a page: the first at ``first``, the
    next ones at ``more.format(n=2)``…, each with its pager and the slice of the list it shows."""
    count = max(1, -(-items // size))
    uris = [first] + [more.format(n=n) for n in range(2, count + 1)]
    return [(Pager(n + 1, uris), slice(n * size, (n + 1) * size)) for n in range(count)]


class GeneratedFile(NamedTuple):
    # A named tuple: made fast (a frozen dataclass took 1.5 µs, 25,000 times at N = 10,000),
    # and sent back by the second process as it is (parallel.py).
    uri: str  # path in the site, e.g. "campus/foo.md" or "donnees/campus.json"
    content: str
    # Pictures and controls of our own templates (SVG, form), as trusted HTML: the page holds
    # a placeholder (fragment_placeholder) that the site stage replaces after sanitising.
    fragments: tuple[tuple[str, str], ...] = ()


def fragment_placeholder(name: str) -> str:
    return f'<div id="cmq-fragment-{name}"></div>'


def page_url(src_uri: str) -> str:
    """The URL of a generated file relative to the site root, with directory URLs
    ("index.md" → "", "campus/x.md" → "campus/x/", "donnees/a.csv" → "donnees/a.csv")."""
    if not src_uri.endswith(".md"):
        return src_uri
    if src_uri == "index.md" or src_uri.endswith("/index.md"):
        return src_uri[: -len("index.md")]
    return src_uri[:-3] + "/"


class _CodeGenerator(CodeGenerator):
    """The Python that page templates compile to, for what they do most, without a call.

    Jinja's own code makes two calls per printed value, ``str(environment.finalize(v))``,
    and one per attribute, ``environment.getattr(o, "a")`` (which falls back on ``o["a"]``);
    most values printed are links, already trusted. Here a trusted value (Markup) is printed as
    it is, anything else goes through finalize, and an attribute is read as in Python (templates
    read attributes of the model's objects, never keys of a dict with a dot; a name Python
    reserves, such as ``if``, is read Jinja's way). Same pages, for 6 % fewer instructions
    (N = 1,000). An environment chooses its code generator (code_generator_class); Jinja is
    pinned, and a test compares this code's pages with those of Jinja's own.
    """

    def _plain(self, frame: Frame) -> bool:
        """Our way for a page's values; Jinja's inside an {% autoescape %} block, or without finalize."""
        return self.environment.finalize is not None and not frame.eval_ctx.volatile and not frame.eval_ctx.autoescape

    def _output_child_pre(self, node: jinja2.nodes.Expr, frame: Frame, finalize: Any) -> None:
        if not self._plain(frame):
            return super()._output_child_pre(node, frame, finalize)
        self.write("(_v if (_v := ")

    def _output_child_post(self, node: jinja2.nodes.Expr, frame: Frame, finalize: Any) -> None:
        if not self._plain(frame):
            return super()._output_child_post(node, frame, finalize)
        self.write(").__class__ is Markup else environment.finalize(_v))")

    @optimizeconst
    def visit_Getattr(self, node: jinja2.nodes.Getattr, frame: Frame) -> None:
        python = not keyword.iskeyword(node.attr)  # else not a Python attribute name: Jinja's way
        self.write("(" if python else "environment.getattr(")
        self.visit(node.node, frame)
        self.write(f").{node.attr}" if python else f", {node.attr!r})")


class _Template(jinja2.Template):
    """A page template whose render makes its context without copying the globals.

    Jinja's render copies the template's globals into a new dict, with the values passed,
    then makes a set of their names, for each render: 30,000 renders (pages, cards, boxes)
    at N = 10,000. Here the values passed are the context's own variables (``vars``, where a
    ``{% set %}`` also writes, and which a name is looked up in first), and the globals its
    parent, shared by every render and never written: a name means the same as in Jinja's
    context. ``render(**values)`` only (Jinja's other forms go Jinja's way).
    """

    def render(self, *args: Any, **values: Any) -> str:
        if args or self.blocks:
            return super().render(*args, **values)
        context = Context.__new__(Context)  # its attributes set here, as Context.__init__ would
        context.parent = self.globals
        context.vars = values
        context.environment = environment = self.environment
        context.eval_ctx = jinja2.nodes.EvalContext(environment, self.name)
        context.exported_vars = set()
        context.name = self.name
        context.globals_keys = self.globals.keys()  # for an {% import %}: the names of the globals
        context.blocks = {}
        try:
            return "".join(self.root_render_func(context))
        except Exception:
            environment.handle_exception()


class _Environment(jinja2.Environment):
    """Jinja with each template's globals as one plain dict, rendered by _Template.

    Jinja chains a template's globals to the environment's (a ``ChainMap``), which every
    render copies key by key in Python: a fifth of the cost of a short page. Renderer sets
    every global in its constructor, before any template is loaded (as Jinja asks), so a copy
    is the same.
    """

    code_generator_class = _CodeGenerator
    template_class = _Template

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Templates compiled by an earlier build, reused as Python reuses its .pyc files:
    compiling them all (Jinja's parser, then Python's) took 0.19 s, in each of the two
    processes that render a large catalogue, and as long at each rebuild of `make serve`;
    loading them takes 0.01 s. Jinja keeps them in a folder of the system's temporary
    directory that only this user may write (Jinja checks it), and checks each one against
    its template's source and Python's version. What else shapes the compiled code is in
    the key: the generator's modules (the environments' options, the code generator, the
    filters), Jinja's version, and the environment (``variant``). Without a usable folder,
    templates are compiled as before; a damaged file is compiled again.
    """

    def __init__(self, variant: str):
        super().__init__()
        self.directory = os.path.abspath(self.directory)  # the same folder after a chdir
        self.variant = hashlib.sha1(f"{_SOURCE_KEY}|{jinja2.__version__}|{variant}".encode()).hexdigest()

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self.variant}|{name}", filename)

    def load_bytecode(self, bucket: Any) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # cut short or damaged (Jinja only guards its last part): compiled again
            bucket.reset()

    def dump_bytecode(self, bucket: Any) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # full or read-only: the template is compiled again next time
            pass


def _compiled_templates(variant: str) -> jinja2.BytecodeCache | None:
    try:
        return _CompiledTemplates(variant)
    except (OSError, RuntimeError):  # no temporary folder, or one that others could write
        return None


def _finalize(value: Any) -> Markup:
    """Every value printed by a page template: trusted (Markup) as it is, anything else escaped."""
    return value if isinstance(value, Markup) else _escaped(str(value))


@dataclass
class _Page:
    """The page being rendered: what the link filter, html() and snippets() need to know of it."""

    up: str  # from its folder up to the docs folder: "" (at the root), "../", "../../"…
    url: str  # its URL relative to the site root
    links: dict[str | tuple[str, Any], Markup]  # links already made from pages as deep as this one
    fragments: list[tuple[str, str]] = field(default_factory=list)


class Renderer:
    def __init__(self, templates_dir: Path, catalog: Catalog, edit_base: str | None = None,
                 depot: str | None = None, site_url: str | None = None, build_time: int = 0):
        self.catalog = catalog
        # What the page (Markdown) and fragment (HTML) templates share.
        common: dict[str, Any] = dict(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            undefined=jinja2.StrictUndefined,
            auto_reload=False,  # templates do not change during a build: no stat per page
            # Jinja's optimizer tries to fold every expression into a constant while compiling: it
            # folds nothing in our templates (the same Python code comes out, a test checks it) and
            # cost an eighth of the compile time, which is half of the generation at N = 1,000.
            optimized=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env = _Environment(
            bytecode_cache=_compiled_templates("md"),
            # finalize escapes every printed value for Markdown (md_escape also covers HTML) but
            # what is trusted (Markup): links, bodies, and macro output marked `| safe` (a macro's
            # values are escaped inside it). Jinja's autoescape would only wrap every value,
            # already escaped, in markupsafe's escape(): a fifth of the cost of a page.
            finalize=_finalize,
            autoescape=False,
            keep_trailing_newline=True,
            **common,
        )
        # Field labels come from the one declaration of each content type, as attributes
        # (f.domaine.label): Jinja tries an attribute before an item, and a dict would raise
        # and catch an AttributeError for each of them. Each label is escaped here, once: a
        # page prints it without a call to finalize (80,000 calls at N = 10,000).
        fields = {ctype.key: SimpleNamespace(**{name: replace(f, label=_escaped(f.label))
                                                for name, f in ctype.fields_by_name.items()})
                  for ctype in (CAMPUS, PRACTICE)}
        self.env.globals.update(catalog=catalog, vocab_labels=VOCAB_LABELS, vocabularies=VOCABULARIES, fields=fields)
        self.env.globals["content_types"] = CONTENT_TYPES
        self.env.globals["preview"] = PREVIEW
        self.env.globals["list_in_full"] = LIST_IN_FULL
        self.env.globals["code"] = lambda text: Markup(f"`{str(text).replace('`', '')}`")
        self.env.globals["schema_uri"] = schema_uri
        self.env.globals["charts"] = charts

        def edit_link(entry: Campus | Practice) -> Markup | str:
            """« Modifier cette fiche »: the entry's source file in the repository, if configured."""
            if not edit_base:
                return ""
            ctype = CAMPUS if isinstance(entry, Campus) else PRACTICE
            return external_link(f"{edit_base.rstrip('/')}/{ctype.directory}/{entry.id}.md", "Modifier cette fiche")

        self.env.globals["csv_columns"] = csv_columns
        self.env.globals.update(depot=depot, site_public=site_url, feed_size=FEED_SIZE,
                                build_date=french_date(build_time))
        def lacking(name: str, vocab: str) -> bool:
            """Whether some entries of a type with this field have no term of it (as counted on
            the statistics page)."""
            return ((name in CAMPUS.fields_by_name and catalog.campuses_without(vocab) > 0)
                    or (name in PRACTICE.fields_by_name and catalog.practices_without(vocab) > 0))

        # A facet also offers « X non précisé(e) » when some entries have no term of it (a campus
        # without an académie): otherwise its counts would not add up to the catalogue. A facet
        # with long names (sectors, domains) has a row of its own, where a choice shows whole.
        self.env.globals["explorer_facets"] = lambda: [
            {"name": name, "label": PRACTICE.field(name).label, "all": VOCAB_LABELS[vocab][2],
             "terms": catalog.terms(vocab), "none": VOCAB_LABELS[vocab][3] if lacking(name, vocab) else None,
             "wide": max((len(t.nom) for t in catalog.terms(vocab)), default=0) > WIDE_FACET}
            for name, vocab in EXPLORER_FACETS]
        self.env.globals["campus_counts"] = lambda vocab: {
            t.id: len(catalog.campuses_of(t)) for t in catalog.terms(vocab)}
        self.env.globals["practice_counts"] = lambda vocab: {
            t.id: len(catalog.practices_of(t)) for t in catalog.terms(vocab)}
        self.env.globals["region_map"] = lambda: charts.tile_map(
            catalog.terms("regions"), self.env.globals["campus_counts"]("regions"),
            self.env.globals["practice_counts"]("regions"))
        self.env.globals["per_term"] = lambda vocab, counts: [(t.nom, counts[t.id]) for t in catalog.terms(vocab)]
        self.env.globals["labelling_years"] = lambda: sorted(Counter(
            c.annee_labellisation for c in catalog.campuses.values() if c.annee_labellisation).items())
        # What depends on the page being rendered reads it from self._page, so that the shared
        # macros are imported without the page's context (Jinja then loads them once).
        self.env.globals["html"] = self.html
        # The helpers that pages call for each entry are filters ({{ practice | edit_link }}):
        # Jinja calls a filter directly, and a function through Context.call, whose checks cost
        # more than most helpers (a sixth of a practice page).
        related = Related(catalog)
        self.env.filters.update(
            link=self.link, campus_links=self.campus_links, keyword_links=self.keyword_links, snippets=self.snippets,
            edit_link=edit_link, external_link=external_link, see_also=related.see_also,
            same_sector=related.same_sector, json_string=lambda v: _trusted(_json_text(str(v))), body=_trusted,
            demote=lambda text, levels: _trusted(demote_headings(text, levels)))
        # Fragments (SVG, form) are HTML, never Markdown: plain HTML escaping.
        self.html_env = jinja2.Environment(autoescape=True, bytecode_cache=_compiled_templates("html"), **common)
        self.html_env.globals.update(catalog=catalog)
        # Each template by name, looked up in a plain dict: Jinja's own lookup (a lock, an LRU
        # cache keyed by loader and name) costs 1.6 µs, for 30,000 pages and cards at N = 10,000.
        self._template = lru_cache(maxsize=None)(self.env.get_template)
        self._snippets: dict[tuple[Any, ...], dict[str, Markup]] = {}
        self._links: dict[str, dict[str | tuple[str, Any], Markup]] = {}
        self._page = _Page("", "", {})

    def render(self, template: str, uri: str, **context: Any) -> GeneratedFile:
        # Links go up to the docs folder, then down to their target ("../bonnes-pratiques/x.md",
        # even from bonnes-pratiques/): a link, a card or a box is then the same from every page
        # as deep, most pages being one folder deep, and is made once. MkDocs resolves each link
        # to the same URL as the shortest path would give.
        up = "../" * uri.count("/")
        page = self._page = _Page(up, page_url(uri), self._links.setdefault(up, {}))
        content = self._template(template).render(**context)
        return GeneratedFile(uri, content, tuple(page.fragments))

    @jinja2.pass_context  # unused, but it stops Jinja from computing a link of constants once, at compile time
    def link(self, _: Any, target: Campus | Practice | Term | Keyword | str, text: Any = None) -> Markup:
        """``{{ target | link }}``, ``{{ target | link("texte") }}``: a Markdown link from the page
        being rendered to another page, given as an entry, a term, a keyword or a source file
        (MkDocs checks that it exists)."""
        page = self._page
        uri = target if target.__class__ is str else target.src_uri
        key = uri if text is None else (uri, text)
        found = page.links.get(key)
        if found is None:
            label = _escaped(str(text if text is not None else _label(target)))
            found = page.links[key] = _trusted(f"[{label}]({page.up}{uri})")
        return found

    def campus_links(self, campuses: Sequence[Campus], town: bool = True) -> Markup:
        """``{{ practice.campus | campus_links }}``: a practice's campuses a comma apart, each a
        link followed by its town (``campus_links(False)``: without), in one call for a row of a list."""
        if len(campuses) == 1:  # most practices: one call, as {{ campus | link }} was (rows of lists)
            campus = campuses[0]
            found = self.link(None, campus)
            return _trusted(f"{found} ({_escaped(campus.ville)})") if town and campus.ville else found
        return _trusted(", ".join([self.campus_links((c,), town) for c in campuses]))

    def keyword_links(self, keywords: Iterable[Keyword]) -> Markup:
        """``{{ practice.keywords | keyword_links }}``: the keywords a comma apart, each a link
        to its page if it has one (a loop with ``loop.last`` cost a seventh of a practice page)."""
        return _trusted(", ".join([self.link(None, k, k.nom) if k.has_page else _escaped(k.nom) for k in keywords]))

    def html(self, template_name: str, name: str, **values: Any) -> Markup:
        """Render an HTML template as a fragment of this page; return its placeholder."""
        page = self._page.url
        # Site URLs, not source files: fragments bypass MkDocs' link rewriting.
        url = lambda target: relative_uri(page.rstrip("/"), page_url(  # noqa: E731
            target if isinstance(target, str) else target.src_uri)) or "./"
        self._page.fragments.append(
            (name, self.html_env.get_template(template_name).render(url=url, name=name, **values)))
        return Markup(fragment_placeholder(name))

    def snippets(self, entries: Iterable[Campus | Practice], name: str, **flags: Any) -> Markup:
        """``{{ practices | snippets("carte-pratique.md.j2") }}``: a piece of page about each
        entry (a card, a campus box), rendered by that template with ``entry`` and ``flags``,
        a line apart. A piece is the same from every page as deep, so rendered once per depth
        and reused."""
        # The snippets of this template, with these flags, for pages as deep as this one (by entry).
        cache = self._snippets.setdefault((name, self._page.up, *flags.items()), {})
        return _trusted("\n".join([cache.get(entry.src_uri) or self._render_snippet(cache, entry, name, flags)
                                 for entry in entries]))

    def _render_snippet(self, cache: dict[str, Markup], entry: Campus | Practice, name: str,
                        flags: dict[str, Any]) -> Markup:
        fragments = len(self._page.fragments)
        text = cache[entry.src_uri] = _trusted(self._template(name).render(entry=entry, **flags))
        if len(self._page.fragments) != fragments:  # the other pages reusing it would miss the fragment
            raise jinja2.TemplateError(f"{name}: html() cannot be used in a snippet (rendered once, then reused)")
        return text


def _label(target: Any) -> str:
    if isinstance(target, (Term, Keyword)):
        return target.nom
    if isinstance(target, (Campus, Practice)):
        return target.title
    raise TypeError(f"link needs a label for {target!r}")


# --------------------------------------------------------------------------- data exports

def _reference_json(value: Campus | Term) -> dict[str, Any]:
    """A term or a campus in a record: its identifier and name (and a campus's town)."""
    if isinstance(value, Campus):
        return {"id": value.id, "nom": value.nom, "ville": value.ville}
    return {"id": value.id, "nom": value.nom}


def records(ctype: ContentType, entries: Iterable[Campus | Practice]) -> Iterator[dict[str, Any]]:
    """The JSON export of entries: identifier, URL, every declared field (a term or a campus as
    a small object, lists as lists), then the campus's practices or the practice's date."""
    keys = ("id", "url", *(f.name for f in ctype.fields))
    read = attrgetter(*keys)  # all the values of an entry in one C call
    references = [f.name for f in ctype.fields if f.kind is Kind.VOCAB]
    several = [f.name for f in ctype.fields if f.kind is Kind.CAMPUS_REFS]  # an array, even of one
    made: dict[int, dict[str, Any]] = {}  # one object per term or campus (by identity), encoded alike
    campuses = ctype is CAMPUS
    for entry in entries:
        record = dict(zip(keys, read(entry)))  # tuples are encoded as JSON arrays, like lists
        for name in references:
            value = record[name]
            if value is not None:
                record[name] = made.get(id(value)) or made.setdefault(id(value), _reference_json(value))
        for name in several:
            record[name] = [made.get(id(v)) or made.setdefault(id(v), _reference_json(v)) for v in record[name]]
        if campuses:
            record["bonnes_pratiques"] = [p.id for p in entry.practices]
        else:
            record["date_ajout"] = _added(entry)
        yield record


def _added(practice: Practice) -> str | None:
    return _day(practice.added) if practice.added else None


def _day(stamp: int) -> str:
    return datetime.fromtimestamp(stamp, timezone.utc).date().isoformat()


_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre")


def french_date(stamp: int) -> str:
    """« 1er décembre 2026 » (UTC)."""
    day = datetime.fromtimestamp(stamp, timezone.utc).date()
    return f"{'1er' if day.day == 1 else day.day} {_MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Column:
    """One column of a CSV export; its description is printed on the « Données » page."""

    name: str
    description: str
    value: Callable[[Any], Any]


# A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed with « ' ».
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    text = LIST_SEPARATOR.join(map(str, value)) if isinstance(value, (tuple, list)) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _getter(name: str, part: str | None = None) -> Callable[[Any], Any]:
    if not part:
        return attrgetter(name)  # C: no Python call per cell

    def get(entry: Any) -> Any:
        value = getattr(entry, name)
        return getattr(value, part) if value is not None else None
    return get


def _joined(name: str, part: str) -> Callable[[Any], str]:
    """A cell of the ``part`` of each item of a tuple field (the campuses of a practice)."""
    read, get = attrgetter(name), attrgetter(part)
    return lambda entry: LIST_SEPARATOR.join(map(get, read(entry)))


def csv_columns(ctype: ContentType) -> list[Column]:
    """The columns of a type's CSV, from its declaration: a vocabulary or campus field gives
    two columns (identifier, then name); lists (and several campuses) are joined with « ; »."""
    columns = [Column("id", "Identifiant de la fiche (nom du fichier sans « .md »).", _getter("id")),
               Column("url", "Adresse de la page de la fiche, relative à la racine du site.", _getter("url"))]
    for f in ctype.fields:
        if f.kind is Kind.VOCAB:
            derived = " ; déduit du campus (des campus, s’ils l’ont en commun) quand la fiche ne l’indique pas" if (
                ctype is PRACTICE and f.name in DERIVED_FROM_CAMPUS) else ""
            columns.append(Column(f.name, f"{f.label} : identifiant du référentiel « {f.vocab} »{derived}.",
                                  _getter(f.name, "id")))
            columns.append(Column(f"{f.name}_nom", f"{f.label} : nom.", _getter(f.name, "nom")))
        elif f.kind is Kind.CAMPUS_REFS:  # a practice of several campuses: « ; » between them
            # (joined here, by C code: a text then needs no other call, see _cells)
            columns.append(Column(f.name, f"{f.label} : identifiant du campus ; plusieurs campus : séparés "
                                  "par « ; ».", _joined(f.name, "id")))
            columns.append(Column(f"{f.name}_nom", f"{f.label} : nom ; plusieurs campus : séparés par « ; ».",
                                  _joined(f.name, "nom")))
        else:
            rule = f.rule.rstrip(".")
            value: Callable[[Any], Any] = _getter(f.name)
            if f.kind is Kind.BOOLEAN:  # the file's true / false, written for a spreadsheet
                rule = "« oui », « non » ou vide si la source ne le dit pas"
            elif f.kind is Kind.TEXT_LIST:
                rule += " ; séparés par « ; »"
            elif f.kind is Kind.TEXTS:  # a document may cite pages with « ; »: a line each (CRLF, as RFC 4180)
                rule = f.single_rule + " ; plusieurs documents : un par ligne de la cellule"
                value = lambda entry, name=f.name: "\r\n".join(getattr(entry, name))  # noqa: E731
            columns.append(Column(f.name, f"{f.label} : {rule[0].lower()}{rule[1:]}.", value))
    if ctype is CAMPUS:
        columns.append(Column("bonnes_pratiques", "Identifiants des bonnes pratiques du campus, séparés par « ; ».",
                              lambda c: [p.id for p in c.practices]))
    else:
        columns.append(Column("date_ajout", "Date d’entrée de la fiche au catalogue (AAAA-MM-JJ), "
                              "d’après l’historique du dépôt.", _added))
    return columns


def _csv(ctype: ContentType, entries: Iterable[Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    columns = csv_columns(ctype)
    writer.writerow([c.name for c in columns])
    entries = list(entries)
    writer.writerows(zip(*[_cells(map(c.value, entries)) for c in columns]))  # column by column
    return out.getvalue()


def _cells(values: Iterable[Any]) -> list[Any]:
    """A column's cells: the common ones (text, empty: the writer leaves None empty) without a call."""
    return [v if v is None or (v.__class__ is str and not v.startswith(_FORMULA_START)) else _cell(v) for v in values]


def explorer_index(catalog: Catalog) -> str:
    """The explorer's data, small whatever N: vocabularies once, entries as arrays of
    indexes into them (see assets/javascripts/explorateur.js for the reading side)."""
    # The index of each term (in its vocabulary) and of each campus, by identity: the model has
    # one object per term and per campus. None (no term, no campus) is -1.
    at = {id(t): i for vocab in VOCABULARIES for i, t in enumerate(catalog.terms(vocab))}
    at.update({id(c): i for i, c in enumerate(catalog.campuses.values())})
    at[id(None)] = -1
    # A practice's campus is its index (-1: none), as are its sector, region and académie. A
    # practice of several campuses has a list of campuses, and a list of the sectors (regions,
    # académies) it is listed under where they are several (Practice.listed_under).
    def one_or_list(items: Sequence[Any]) -> int | list[int]:
        return [at[id(i)] for i in items] if items[1:] else at[id(items[0] if items else None)]

    several = {id(p): [one_or_list(p.campus), *(one_or_list(p.listed_under(name)) for name in DERIVED_FROM_CAMPUS)]
               for p in catalog.practices.values() if p.campus[1:]}
    keywords = {slug: i for i, slug in enumerate(catalog.keywords)}
    data = {
        "v": 3,
        **{vocab: [[t.id, t.nom] for t in catalog.terms(vocab)] for vocab in VOCABULARIES},
        "mots_cles": [k.nom for k in catalog.keywords.values()],
        # [id, nom, secteur, région, académie, ville, excellence (1, 0, -1: non précisé)]
        "campus": [[c.id, c.nom, at[id(c.secteur)], at[id(c.region)], at[id(c.academie)], c.ville or "",
                    -1 if c.excellence is None else int(c.excellence)]
                   for c in catalog.campuses.values()],
        # [id, titre, domaine, campus, secteur, région, académie, mots-clés (indexes)]: campus, secteur,
        # région and académie are an index (-1: none) or a list of them
        "pratiques": [[p.id, p.titre, at[id(p.domaine)],
                       *(several.get(id(p)) or (at[id(p.campus[0] if p.campus else None)], at[id(p.secteur)],
                                                at[id(p.region)], at[id(p.academie)])),
                       [keywords[k.slug] for k in p.keywords]]
                      for p in catalog.practices.values()],
    }
    return _json_text(data) + "\n"


# The explorer's filters: URL parameter (a practice field) and its vocabulary.
EXPLORER_FACETS = (("secteur", "secteurs"), ("region", "regions"), ("academie", "academies"), ("domaine", "domaines"))
WIDE_FACET = 30  # characters of a term's name past which a filter's list has a row of its own in the form
FEED_SIZE = 30


def feed(catalog: Catalog, renderer: "Renderer", site_url: str, fallback: int) -> GeneratedFile:
    """Atom feed of the latest practices, by the date they entered the catalogue (git
    history); entries not committed yet take ``fallback`` (the date of the build's commit)."""
    dated = sorted(catalog.practices.values(), key=lambda p: (-(p.added or fallback), p.id))[:FEED_SIZE]
    base = site_url.rstrip("/") + "/"
    stamp = lambda p: datetime.fromtimestamp(p.added or fallback, timezone.utc).isoformat()  # noqa: E731
    text = renderer.html_env.get_template("flux.xml.j2").render(
        practices=dated, base=base, stamp=stamp,
        updated=stamp(dated[0]) if dated else datetime.fromtimestamp(fallback, timezone.utc).isoformat())
    return GeneratedFile("flux.xml", text)


# --------------------------------------------------------------------------- related entries

def _around(items: list[Any], position: int, count: int, keep: Callable[[Any], bool], scan: int = 60) -> list[Any]:
    """Up to ``count`` items that follow ``position`` in ``items`` (circularly) and pass
    ``keep``, looking at no more than ``scan`` of them: constant work per page, and every
    entry is linked from its neighbours."""
    found: list[Any] = []
    size = len(items)
    for step in range(1, min(size, scan + 1)):
        item = items[(position + step) % size]
        if keep(item):
            found.append(item)
            if len(found) == count:
                break
    return found


def _elsewhere(practice: Practice) -> Callable[[Practice], bool]:
    """Whether a practice is another one that shares no campus with this one (a regional
    practice shares none)."""
    if len(practice.campus) > 1:
        mine = set(practice.campus)
        return lambda p: p is not practice and mine.isdisjoint(p.campus)
    campus = practice.campus[0] if practice.campus else None  # most practices: a test of identity, in C
    return lambda p: p is not practice and campus not in p.campus


class Related:
    """« Voir aussi » and « autres campus du secteur » of one catalogue."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._positions: dict[tuple[str, str, str], dict[str, int]] = {}

    def _position(self, kind: str, term: Term, items: list[Any], entry: Any) -> int:
        key = (kind, term.vocab, term.id)
        if key not in self._positions:
            self._positions[key] = {e.id: i for i, e in enumerate(items)}
        return self._positions[key].get(entry.id, 0)

    def see_also(self, practice: Practice, count: int = 4) -> list[Practice]:
        """Practices of the same domain in other regions (else of other campuses)."""
        items = self.catalog.practices_of(practice.domaine)
        at = self._position("p", practice.domaine, items, practice)
        here = practice.region  # one object per term
        return (_around(items, at, count, lambda p: p.region is not here and p is not practice)
                or _around(items, at, count, _elsewhere(practice)))

    def same_sector(self, entry: Campus | Practice, count: int = 4) -> list[Any]:
        """Other campuses of a campus's sector, or practices of other campuses of a practice's sector."""
        if entry.secteur is None:
            return []
        if isinstance(entry, Campus):
            campuses = self.catalog.campuses_of(entry.secteur)
            return _around(campuses, self._position("c", entry.secteur, campuses, entry), count,
                           lambda c: c is not entry)
        items = self.catalog.practices_of(entry.secteur)
        return _around(items, self._position("p", entry.secteur, items, entry), count, _elsewhere(entry))


# --------------------------------------------------------------------------- livret and keywords

_HEADING = re.compile(r"^(#{1,6})(?=\s|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
# The same rules over a whole body, with a line break put before it: each starts with that
# break, so that the regex engine jumps from one line break to the next ("^" with re.M is
# tried at every character, four times slower on each body of the Livret).
_HEADINGS = re.compile(r"\n(#{1,6})(?=\s|$)")
# What only a line-by-line walk handles: a line that may underline a heading, or a fence.
_WALK_LINES = re.compile(r"\n(?: {0,3}(?:=+|-+)[ \t]*(?:\n|$)|\s{0,3}(?:```|~~~))")


def demote_headings(markdown: str, levels: int) -> str:
    """Push the headings of a body down ``levels`` (## → ####), underlined ones included
    (Titre / ===== → ### Titre), leaving fenced code alone (the validator's fence rule)."""
    text = "\n" + markdown
    if not _WALK_LINES.search(text):  # no fence, no underline: the # headings, in one pass
        return _HEADINGS.sub(lambda m: "\n" + "#" * min(6, len(m.group(1)) + levels), text)[1:]
    return _demote_by_lines(markdown, levels)


def _demote_by_lines(markdown: str, levels: int) -> str:
    lines = markdown.split("\n")
    out: list[str] = []
    in_fence = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if FENCE_RE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            underline = _SETEXT.match(lines[i + 1]) if i + 1 < len(lines) else None
            if underline and line.strip() and not line.startswith((" " * 4, "\t")) and not _HEADING.match(line):
                level = 1 if underline.group(1)[0] == "=" else 2
                out.append("#" * min(6, level + levels) + " " + line.strip())
                i += 2
                continue
            line = _HEADING.sub(lambda m: "#" * min(6, len(m.group(1)) + levels), line)
        out.append(line)
        i += 1
    return "\n".join(out)


@dataclass(frozen=True)
class Chapter:
    domain: Term
    practices: list[Practice]  # the practices on this page
    uri: str  # the page that holds this part of the chapter
    total: int  # practices of the whole chapter
    pager: Pager


LIVRET_PART = 100  # practices per page of a large Livret


def livret_chapters(catalog: Catalog) -> list[Chapter]:
    """The Livret: one page for a catalogue the size of the paper booklet (up to
    LIST_IN_FULL practices); beyond, a page per domain, split into parts of LIVRET_PART
    practices, so that no page grows with the catalogue."""
    chapters = []
    for d in catalog.terms("domaines"):
        practices = catalog.practices_of(d)
        if len(catalog.practices) <= LIST_IN_FULL:
            chapters.append(Chapter(d, practices, LIVRET, len(practices), Pager(1, [LIVRET])))
            continue
        chapters.extend(Chapter(d, practices[window], pager.uri, len(practices), pager) for pager, window
                        in paginate(f"livret/{d.id}.md", f"livret/{d.id}/partie-{{n}}.md", len(practices),
                                    LIVRET_PART))
    return chapters


LIVRET = "livret/index.md"


def _json(records: Iterable[dict[str, Any]]) -> str:
    # One record per line: readable diffs.
    lines = b",\n".join(map(orjson.dumps, records)).decode()
    return f"[\n{lines}\n]\n"


# --------------------------------------------------------------------------- pages

Job = tuple[str, str, dict[str, Any]]  # template, page (source URI), context
PRACTICE_PAGE = "pratique.md.j2"
PARALLEL_FROM = 2000  # pages: below this, a second process costs more than it saves


@without_gc
@giving_back  # the model, set aside from the collector since its stage (nogc.py)
def generate(catalog: Catalog, templates_dir: Path, edit_base: str | None = None,
             site_url: str | None = None, build_time: int = 0, depot: str | None = None) -> list[GeneratedFile]:
    """Every generated page and data file of the site, in a stable order.

    ``edit_base``: URL of the content folder in the repository's editor (e.g.
    ``https://github.com/o/r/edit/main/content``), for the « Modifier cette fiche » links.
    ``site_url``: public address of the site (absolute links of the Atom feed);
    ``build_time``: the date given to entries that git does not date yet (reproducible);
    ``depot``: the repository's address (contact link of the accessibility statement).
    """
    r = Renderer(Path(templates_dir), catalog, edit_base, depot, site_url, build_time)
    # Every page as a job (template, page, context), rendered in this order.
    jobs: list[Job] = [("accueil.md.j2", "index.md", {}), ("campus-liste.md.j2", f"{CAMPUS.url_prefix}/index.md", {})]
    jobs.extend(("campus.md.j2", c.src_uri, {"campus": c}) for c in catalog.campuses.values())
    jobs.append(("pratiques-liste.md.j2", f"{PRACTICE.url_prefix}/index.md", {}))
    jobs.extend((PRACTICE_PAGE, p.src_uri, {"practice": p}) for p in catalog.practices.values())
    for vocab in VOCABULARIES:
        jobs.append(("referentiel-liste.md.j2", f"{vocab}/index.md", {"vocab": vocab}))
        for term in catalog.terms(vocab):
            campuses, practices = catalog.campuses_of(term), catalog.practices_of(term)
            pages = paginate(term.src_uri, f"{vocab}/{term.id}/page-{{n}}.md",
                             max(len(campuses), len(practices)), PAGE_SIZE)
            jobs.extend(("referentiel.md.j2", pager.uri, {"term": term, "campuses": campuses[window],
                                                          "practices": practices[window], "pager": pager})
                        for pager, window in pages)
    keywords = list(catalog.keywords.values())
    jobs.extend(("mots-cles-liste.md.j2", pager.uri, {"pager": pager, "keywords": keywords[window]})
                for pager, window in paginate(f"{KEYWORDS_PREFIX}/index.md", f"{KEYWORDS_PREFIX}/page-{{n}}.md",
                                              len(keywords), KEYWORDS_PER_PAGE))
    for keyword in (k for k in keywords if k.has_page):
        jobs.extend(("mot-cle.md.j2", pager.uri, {"keyword": keyword, "pager": pager,
                                                  "practices": keyword.practices[window]})
                    for pager, window in paginate(keyword.src_uri, f"{KEYWORDS_PREFIX}/{keyword.slug}/page-{{n}}.md",
                                                  len(keyword.practices), PAGE_SIZE))
    jobs.extend((template, uri, {}) for template, uri in (
        ("explorer.md.j2", "explorer/index.md"), ("carte.md.j2", "carte/index.md"),
        ("statistiques.md.j2", "statistiques/index.md")))
    chapters = livret_chapters(catalog)
    # The table of contents lists the first part of each domain: found once here. Each page
    # used to select them from all the chapters, pages × chapters in all, which grows as N²
    # (10,000 tests and 0.03 s at N = 10,000; a hundred times that at N = 100,000).
    book = {"all_chapters": chapters, "firsts": [c for c in chapters if c.pager.number == 1],
            "livret_part": LIVRET_PART}
    jobs.append(("livret.md.j2", LIVRET, {"chapters": [c for c in chapters if c.uri == LIVRET], **book}))
    jobs.extend(("livret.md.j2", c.uri, {"chapters": [c], **book}) for c in chapters if c.uri != LIVRET)
    jobs.extend((template, uri, {}) for template, uri in (
        ("donnees.md.j2", "donnees/index.md"), ("accessibilite.md.j2", "accessibilite.md"),
        ("contribuer.md.j2", "contribuer.md")))

    def data() -> list[GeneratedFile]:
        files = [GeneratedFile(uri, text) for uri, text in
                 generate_schemas(catalog.vocabularies, list(catalog.campuses)).items()]
        files.append(GeneratedFile("donnees/campus.json", _json(records(CAMPUS, catalog.campuses.values()))))
        files.append(GeneratedFile("donnees/bonnes-pratiques.json",
                                   _json(records(PRACTICE, catalog.practices.values()))))
        files.append(GeneratedFile("donnees/campus.csv", _csv(CAMPUS, catalog.campuses.values())))
        files.append(GeneratedFile("donnees/bonnes-pratiques.csv", _csv(PRACTICE, catalog.practices.values())))
        files.append(GeneratedFile("donnees/explorateur.json", explorer_index(catalog)))
        files.append(feed(catalog, r, site_url or "", build_time))
        return files

    # A large catalogue is rendered by two processes (parallel.py), the second one writing the data files first.
    def render(part: list[Job]) -> list[GeneratedFile]:
        return [r.render(t, uri, **c) for t, uri, c in part]

    # The child takes pages from the start of the list, this process from its end, and the
    # child's pages come back pickled, at a cost for each character. The practice pages are
    # half of the text, for the least work a character: they go last, so that this process
    # renders them itself, and the child the pages that take most work for what they send
    # back (campus pages, lists, the data files). At N = 10,000, the child sends 33 to 45 MB
    # instead of 55 to 68 MB, and generation takes 0.07 to 0.17 s less (medians of two series
    # of runs, each beside one of the former order: 10 and 15 pairs).
    order = sorted(range(len(jobs)), key=lambda i: jobs[i][0] == PRACTICE_PAGE)  # stable: otherwise as listed
    done, data_files = parallel.shared([jobs[i] for i in order], render, PARALLEL_FROM, data)
    pages: list[Any] = [None] * len(jobs)
    for i, page in zip(order, done):
        pages[i] = page
    return pages + data_files
