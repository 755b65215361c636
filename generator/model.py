"""Stage 3 — model: typed dataclasses of the catalogue, built from validated values.

The model is what templates and exports read. It knows nothing of files or YAML.
Cross-references are resolved here once (campus → practices, vocabulary → entries),
in linear time.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable

from slugify import slugify

from .nogc import set_aside, without_gc
from .schema import CAMPUS, DERIVED_FROM_CAMPUS, PRACTICE, VOCABULARIES


@dataclass(frozen=True)
class Term:
    """One value of a vocabulary (a sector, a region, an académie, a Livret domain)."""

    vocab: str
    id: str
    nom: str
    titre: str | None = None  # long title (domains: the Livret chapter title)
    region: str | None = None  # académies only
    aliases: tuple[str, ...] = ()
    order: int = 0
    code: str | None = None  # regions: the abbreviation shown on the map
    carte: tuple[int, int] | None = None  # regions: (column, row) of its tile on the map
    src_uri: str = field(init=False, repr=False, compare=False)  # its page's source file (see Practice)

    def __post_init__(self) -> None:
        object.__setattr__(self, "src_uri", f"{self.vocab}/{self.id}.md")  # frozen


@dataclass
class Vocabularies:
    terms: dict[str, dict[str, Term]]  # vocabulary name -> id -> term, in file order
    aliases: dict[str, dict[str, str]]  # vocabulary name -> former id -> current id
    paths: dict[str, str]  # vocabulary name -> its file, as messages name it

    def term(self, vocab: str, term_id: str) -> Term:
        return self.terms[vocab][term_id]


@dataclass(eq=False)  # one object per campus: compared (and hashed) by identity
class Campus:
    id: str
    nom: str
    secteur: Term
    body: str
    path: str
    region: Term | None = None
    academie: Term | None = None
    ville: str | None = None
    etablissement_support: str | None = None
    annee_labellisation: int | None = None
    excellence: bool | None = None
    site_web: str | None = None
    source: tuple[str, ...] = ()  # the documents cited, one or several
    # (Back references are left out of repr(): it would walk the whole catalogue, path by path.)
    practices: list[Practice] = field(default_factory=list, repr=False)
    src_uri: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.src_uri = f"{CAMPUS.url_prefix}/{self.id}.md"

    @property
    def title(self) -> str:
        return self.nom

    @property
    def url(self) -> str:
        return f"{CAMPUS.url_prefix}/{self.id}/"


@dataclass
class Practice:
    id: str
    titre: str
    domaine: Term
    body: str
    path: str
    campus: tuple[Campus, ...] = ()  # the campuses that carry it, one or several; none: academy or region
    region: Term | None = None
    academie: Term | None = None
    secteur: Term | None = None
    mots_cles: tuple[str, ...] = ()
    contact: str | None = None
    source: tuple[str, ...] = ()  # the documents cited, one or several
    added: int = 0  # when the entry entered the catalogue (Unix time, from git history)
    keywords: tuple[Keyword, ...] = ()
    # Its page's source file, set when it is made: as a functools.cached_property, its first
    # reading took 4.5 to 6.7 µs (a lock shared by every instance, then a key added to the
    # object's __dict__), 0.05 s for 10,000 practices before the pages could be shared out.
    src_uri: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.src_uri = f"{PRACTICE.url_prefix}/{self.id}.md"

    @property
    def title(self) -> str:
        return self.titre

    def listed_under(self, name: str) -> tuple[Term, ...]:
        """The terms of a field its campuses give (``secteur``, ``region``, ``academie``) whose
        lists hold this practice: its own, then each of its campuses' (a practice of campuses of
        two regions is on both regions' pages, whatever the one it shows)."""
        own = getattr(self, name)
        if not self.campus[1:]:  # one campus (the practice's term is its campus's) or none
            return (own,) if own else ()
        return tuple(dict.fromkeys(t for t in (own, *(getattr(c, name) for c in self.campus)) if t))

    @property
    def url(self) -> str:
        return f"{PRACTICE.url_prefix}/{self.id}/"


@dataclass(eq=False)
class Keyword:
    """A keyword of the practices; spellings that differ only in case or accents are one."""

    slug: str
    nom: str
    practices: list[Practice] = field(default_factory=list, repr=False)

    @property
    def src_uri(self) -> str:
        return f"{KEYWORDS_PREFIX}/{self.slug}.md"

    @property
    def has_page(self) -> bool:
        """A keyword of a single practice has no page of its own (it would list that practice only)."""
        return len(self.practices) >= KEYWORD_PAGE_MIN


KEYWORDS_PREFIX = "mots-cles"
KEYWORD_PAGE_MIN = 2


@dataclass
class Catalog:
    vocabularies: Vocabularies
    campuses: dict[str, Campus]  # sorted by id
    practices: dict[str, Practice]  # sorted by id
    # (vocabulary, term id) -> entries, filled by build()
    campuses_by: dict[tuple[str, str], list[Campus]] = field(default_factory=dict)
    practices_by: dict[tuple[str, str], list[Practice]] = field(default_factory=dict)
    keywords: dict[str, Keyword] = field(default_factory=dict)  # slug -> keyword, sorted by slug

    def terms(self, vocab: str) -> list[Term]:
        return list(self.vocabularies.terms[vocab].values())

    def campuses_of(self, term: Term) -> list[Campus]:
        return self.campuses_by.get((term.vocab, term.id), [])

    def practices_of(self, term: Term) -> list[Practice]:
        return self.practices_by.get((term.vocab, term.id), [])

    # Entries that the sources leave without a term of a vocabulary (a campus without an
    # académie): the catalogue's size against the entries of each term.
    def campuses_without(self, vocab: str) -> int:
        return len(self.campuses) - sum(len(self.campuses_of(t)) for t in self.terms(vocab))

    def practices_without(self, vocab: str) -> int:
        # A practice of several campuses may be listed under several terms: counted once.
        return len(self.practices) - len({id(p) for t in self.terms(vocab) for p in self.practices_of(t)})


def _terms_of_campus(campus: Campus) -> list[Term]:
    return [t for t in (campus.secteur, campus.region, campus.academie) if t]


def _terms_of_practice(practice: Practice) -> list[Term]:
    if not practice.campus[1:]:  # most practices: their own terms
        return [t for t in (practice.domaine, practice.secteur, practice.region, practice.academie) if t]
    return [practice.domaine, *(t for name in DERIVED_FROM_CAMPUS for t in practice.listed_under(name))]


@without_gc
def build(vocabularies: Vocabularies, campus_values: list[dict[str, Any]],
          practice_values: list[dict[str, Any]], added: dict[str, int] | None = None) -> Catalog:
    """Assemble the catalogue from validated values (ids already resolved to current ones).

    ``added``: entry path -> when it entered the catalogue (see ``load.added_dates``).
    """
    added = added or {}
    term = vocabularies.term
    campuses: dict[str, Campus] = {}
    for values in sorted(campus_values, key=lambda v: v["id"]):
        campuses[values["id"]] = Campus(
            id=values["id"], nom=values["nom"], secteur=term("secteurs", values["secteur"]),
            region=_optional(vocabularies, "regions", values.get("region")),
            academie=_optional(vocabularies, "academies", values.get("academie")),
            ville=values.get("ville"), body=values["body"], path=values["path"],
            etablissement_support=values.get("etablissement_support"),
            annee_labellisation=values.get("annee_labellisation"),
            excellence=values.get("excellence"), site_web=values.get("site_web"),
            source=values.get("source") or (),
        )
    practices: dict[str, Practice] = {}
    for values in sorted(practice_values, key=lambda v: v["id"]):
        ids = values.get("campus") or ()
        if len(ids) == 1:  # most practices: their campus's (validation checked the values given are)
            own = (campuses[ids[0]],)
            secteur, region, academie = own[0].secteur, own[0].region, own[0].academie
        else:
            own = tuple(campuses[c] for c in ids)
            secteur, region, academie = (_derived(vocabularies, name, values.get(name), own)
                                         for name in DERIVED_FROM_CAMPUS)
        practice = Practice(
            id=values["id"], titre=values["titre"], domaine=term("domaines", values["domaine"]),
            region=region, academie=academie, secteur=secteur, campus=own,
            mots_cles=tuple(values.get("mots_cles") or ()), contact=values.get("contact"),
            source=values.get("source") or (), body=values["body"], path=values["path"],
            added=added.get(values["path"], 0),
        )
        practices[practice.id] = practice
        for campus in own:
            campus.practices.append(practice)

    campuses_by: dict[tuple[str, str], list[Campus]] = defaultdict(list)
    for campus in campuses.values():
        for t in _terms_of_campus(campus):
            campuses_by[(t.vocab, t.id)].append(campus)
    practices_by: dict[tuple[str, str], list[Practice]] = defaultdict(list)
    for practice in practices.values():
        for t in _terms_of_practice(practice):
            practices_by[(t.vocab, t.id)].append(practice)
    for vocab in VOCABULARIES:  # every term has its (possibly empty) lists
        for t in vocabularies.terms[vocab].values():
            campuses_by.setdefault((vocab, t.id), [])
            practices_by.setdefault((vocab, t.id), [])
    catalog = Catalog(vocabularies, campuses, practices, dict(campuses_by), dict(practices_by),
                      _keywords(practices.values()))
    set_aside()  # until the pages are made (nogc.py)
    return catalog


@lru_cache(maxsize=4096)  # the same few keywords, on thousands of practices
def _keyword_key(word: str) -> str:
    """Spellings that differ only in case, accents or spacing are one keyword."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


RESERVED_SLUGS = frozenset({"index"})  # mots-cles/index.md (and page-N.md) list the keywords
_LIST_PAGE = re.compile(r"^page-\d+$")


def _keywords(practices: Iterable[Practice]) -> dict[str, Keyword]:
    """Group the practices by keyword; a keyword is named by its most frequent spelling.

    Its slug (the URL) is unique: a keyword whose slug is taken ("C++" and "C#" both give
    "c"), reserved, or empty (only punctuation) gets a numbered one.
    """
    found: dict[str, Keyword] = {}  # key -> keyword
    uses: dict[str, int] = {}  # spelling -> the practices that give it (first for its keyword)
    for practice in practices:
        own: dict[str, Keyword] = {}
        for word in practice.mots_cles:
            key = _keyword_key(word)
            if not key or key in own:
                continue
            keyword = found.get(key)
            if keyword is None:  # (setdefault would make a Keyword for each of its uses)
                keyword = found[key] = Keyword("", word)
            own[key] = keyword
            uses[word] = uses.get(word, 0) + 1  # (a Counter per keyword: this loop took a fifth longer)
            keyword.practices.append(practice)
        practice.keywords = tuple(own.values())
    spellings: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for word, count in uses.items():
        spellings[_keyword_key(word)].append((-count, word))
    taken: set[str] = set(RESERVED_SLUGS)
    for key in sorted(found):  # in key order: the same slugs from one build to the next
        keyword = found[key]
        keyword.nom = min(spellings[key])[1]  # the most frequent spelling (the first in order, if tied)
        base = slugify(keyword.nom) or "mot-cle"
        slug, n = base, 1
        while slug in taken or _LIST_PAGE.match(slug):
            n += 1
            slug = f"{base}-{n}"
        keyword.slug = slug
        taken.add(slug)
    return dict(sorted((k.slug, k) for k in found.values()))


def _derived(vocabularies: Vocabularies, name: str, term_id: str | None, campuses: tuple[Campus, ...]) -> Term | None:
    """A practice's sector, region or académie (``name``, a field of both types): the one it
    gives (validation checked it is one of its campuses'), else the one its campuses share, else none."""
    if term_id or not campuses:
        return _optional(vocabularies, PRACTICE.field(name).vocab or "", term_id)
    first = getattr(campuses[0], name)
    return first if all(getattr(c, name) is first for c in campuses[1:]) else None


def _optional(vocabularies: Vocabularies, vocab: str, term_id: str | None) -> Term | None:
    return vocabularies.term(vocab, term_id) if term_id else None
