"""Stage 2 — validate: check raw entries against the declaration, the vocabularies and
each other. Every problem of every file is collected; nothing raises on bad content.

Produces the vocabularies and the clean values (aliases resolved to current ids) of the
entries that passed, ready for the model.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from slugify import slugify

from .diagnostics import Diagnostic, Severity, did_you_mean
from .load import LoadResult, RawEntry, RawVocabulary
from .model import Term, Vocabularies
from .nogc import without_gc
from .schema import CAMPUS, DERIVED_FROM_CAMPUS, ID_PATTERN, LIST_MARK, PRACTICE, TODO_MARKER, VOCABULARIES, Field

ID_RE = re.compile(ID_PATTERN)
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
# "prenom.nom@" looks personal; these first words are those of functional mailboxes.
PERSONAL_RE = re.compile(r"^([a-z]+(?:-[a-z]+)*)\.([a-z]+(?:-[a-z]+)*)@")
FUNCTIONAL_WORDS = {
    "ce", "campus", "cmq", "contact", "dafpic", "dafco", "daet", "dareic", "info", "secretariat",
    "direction", "accueil", "communication", "formation", "rectorat", "mission", "pole", "service",
}


@dataclass
class ValidationResult:
    diagnostics: list[Diagnostic]
    vocabularies: Vocabularies
    campuses: list[dict[str, Any]] = field(default_factory=list)  # clean values
    practices: list[dict[str, Any]] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def current_year() -> int:
    return datetime.date.today().year


# Line breaks and runs of ordinary white space; not the non-breaking spaces of French
# typography (« », before : ; ! ?), which are part of the text.
_BREAKS = r"\t\r\n\f\v\x85\u2028\u2029"  # white space other than the ordinary space
_SPACE_RUN = re.compile(f"[ {_BREAKS}]+")
_BREAK = re.compile(f"[{_BREAKS}]")


_MARK_AND_SPACES = re.compile(rf"\s*{re.escape(LIST_MARK)}\s*")
# Why a value of a joined field (Field.joined) may not hold LIST_MARK, in its messages.
_MARK_SEPARATES = f"contient « {LIST_MARK} », qui sépare les éléments d’une liste dans les exports CSV"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _control(text: str) -> tuple[str, int] | None:
    """The first control character of a text, as ("U+001B", its 1-based position)."""
    found = None if text.isprintable() else _CONTROL_RE.search(text)  # see fold_space
    return (f"U+{ord(found.group()):04X}", found.start() + 1) if found else None


def fold_space(text: str) -> str:
    """One line, single spaces, no spaces at the ends; non-breaking spaces kept."""
    # Most values have single spaces only, which sub() would replace one by one. A text that
    # Python finds printable has no line break (nor control character): two scans in C, where
    # a regex search cost 2 µs a title (a non-breaking space is not printable: then the search).
    if "  " in text or (not text.isprintable() and _BREAK.search(text)):
        text = _SPACE_RUN.sub(" ", text)
    return text.strip(" ")


# --------------------------------------------------------------------------- vocabularies

def build_vocabularies(raw: dict[str, RawVocabulary]) -> tuple[Vocabularies, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    terms: dict[str, dict[str, Term]] = {}
    aliases: dict[str, dict[str, str]] = {}
    for name in VOCABULARIES:
        vocab = raw[name]
        terms[name], aliases[name] = {}, {}
        for order, (record, line) in enumerate(vocab.records):
            if not isinstance(record, dict):
                diagnostics.append(Diagnostic(vocab.path, line, "id", "chaque élément doit avoir « id » et « nom »."))
                continue
            term_id, nom = record.get("id"), record.get("nom")
            if not isinstance(term_id, str) or not ID_RE.match(term_id):
                diagnostics.append(Diagnostic(
                    vocab.path, line, "id",
                    f"identifiant « {term_id} » invalide (minuscules sans accents, chiffres et « - »)."))
                continue
            if term_id in terms[name]:
                diagnostics.append(Diagnostic(vocab.path, line, "id", f"identifiant « {term_id} » en double."))
                continue
            if not isinstance(nom, str) or not nom.strip():
                diagnostics.append(Diagnostic(vocab.path, line, "nom", f"« {term_id} » n’a pas de nom."))
                continue
            former_raw = record.get("anciens_noms") or []
            if not isinstance(former_raw, list) or not all(isinstance(a, str) for a in former_raw):
                diagnostics.append(Diagnostic(vocab.path, line, "anciens_noms",
                                              f"« anciens_noms » de « {term_id} » : une liste d’identifiants, "
                                              "par exemple [centre]."))
                former_raw = []
            former = tuple(former_raw)
            for key in ("titre", "region"):
                if record.get(key) is not None and not isinstance(record.get(key), str):
                    diagnostics.append(Diagnostic(vocab.path, line, key,
                                                  f"« {key} » de « {term_id} » : un texte, pas {_describe(record[key])}."))
                    record = {**record, key: None}
            code, carte = record.get("code"), record.get("carte")
            if code is not None and not (isinstance(code, str) and code.strip()):
                diagnostics.append(Diagnostic(vocab.path, line, "code", f"« code » de « {term_id} » : un texte court."))
                code = None
            if carte is not None and not (isinstance(carte, list) and len(carte) == 2 and all(
                    isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 20 for n in carte)):
                diagnostics.append(Diagnostic(
                    vocab.path, line, "carte",
                    f"« carte » de « {term_id} » : [colonne, ligne], deux entiers de 0 à 20, par exemple [2, 1]."))
                carte = None
            terms[name][term_id] = Term(
                vocab=name, id=term_id, nom=nom.strip(), titre=record.get("titre"),
                region=record.get("region"), aliases=former, order=order,
                code=code.strip() if code else None, carte=tuple(carte) if carte else None)
            for alias in former:
                aliases[name][alias] = term_id
    not_text = {record.get("id") for record, _ in raw["academies"].records
                if isinstance(record, dict) and record.get("region") is not None
                and not isinstance(record.get("region"), str)}
    for term in terms["academies"].values():
        if term.id in not_text:
            continue  # already reported: not a text
        if term.region not in terms["regions"]:
            line = next((ln for rec, ln in raw["academies"].records
                         if isinstance(rec, dict) and rec.get("id") == term.id), 1)
            diagnostics.append(Diagnostic(
                raw["academies"].path, line, "region",
                f"l’académie « {term.id} » indique une région inconnue « {term.region} »"
                f"{did_you_mean(str(term.region), terms['regions'])}"))
    return Vocabularies(terms, aliases, {name: raw[name].path for name in VOCABULARIES}), diagnostics


# --------------------------------------------------------------------------- fields

class _EntryChecker:
    """Checks one entry; appends to a shared diagnostics list."""

    def __init__(self, entry: RawEntry, vocabularies: Vocabularies, diagnostics: list[Diagnostic]):
        self.entry, self.vocab, self.out = entry, vocabularies, diagnostics
        self.failed = False

    def error(self, key: str, message: str, line: int | None = None) -> None:
        self.failed = True
        self.out.append(Diagnostic(self.entry.path, line or self.entry.line(key), key, message))

    def warn(self, key: str, message: str, line: int | None = None) -> None:
        self.out.append(Diagnostic(self.entry.path, line or self.entry.line(key), key, message, Severity.WARNING))

    def check_id(self) -> None:
        if self.entry.id == "index":
            self.error("id", "« index » est réservé à la page de liste ; choisissez un autre nom de fichier.",
                       line=1)
        elif not ID_RE.match(self.entry.id):
            suggestion = slugify(self.entry.id)
            hint = f" ; renommez le fichier « {suggestion}.md »" if suggestion else ""
            self.error("id", f"le nom de fichier « {self.entry.id} » n’est pas un identifiant valide "
                             f"(minuscules sans accents, chiffres et « - » seulement){hint}.", line=1)

    def check_keys(self, declared: dict[str, Field]) -> None:
        for key in self.entry.data:
            if key not in declared:
                hint = did_you_mean(key, declared)
                self.error(key, "champ inconnu" + (hint or f" ; champs possibles : {', '.join(declared)}."))
        for f in declared.values():
            value = self.entry.data.get(f.name)
            if f.required and (value is None or (isinstance(value, str) and not value.strip())):
                if f.name in self.entry.data:
                    self.error(f.name, "champ obligatoire vide.")
                else:
                    self.error(f.name, "champ obligatoire manquant.", line=1)

    def check_body(self) -> None:
        if not self.entry.body.strip():
            self.error("texte", f"{self.entry.type.body_missing} après l’en-tête (le texte Markdown est obligatoire).",
                       line=self.entry.body_line)
        if TODO_MARKER not in self.entry.body:  # most bodies: not split into lines for nothing
            return
        for number, line in enumerate(self.entry.body.split("\n"), start=self.entry.body_line):
            if TODO_MARKER in line:
                self.out.append(Diagnostic(self.entry.path, number, "texte",
                                           "texte d’exemple « (à compléter…) » à remplacer par le vôtre.",
                                           Severity.WARNING))

    def value(self, f: Field) -> Any:
        """The checked value of a field (ids resolved), or None if absent or wrong."""
        if f.name not in self.entry.data:
            return None
        raw = self.entry.data[f.name]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        check = getattr(self, f"_check_{f.kind.name.lower()}")
        return check(f, raw)

    def _text(self, f: Field, raw: Any, what: str = "un texte") -> str | None:
        if not isinstance(raw, str):
            self.error(f.name, f"doit être {what} (reçu : {_describe(raw)}) ; mettez la valeur entre guillemets.")
            return None
        text = fold_space(raw)  # one line: no value may start a Markdown block
        control = _control(text)
        if control:  # invisible, and they break the XML of the feed
            self.error(f.name, f"caractère de contrôle interdit ({control[0]}, position {control[1]}) ; "
                               "retapez la valeur.")
            return None
        if f.max_length and len(text) > f.max_length:
            self.error(f.name, f"{len(text)} caractères, le maximum est {f.max_length} ; raccourcissez.")
            return None
        return text

    def _check_text(self, f: Field, raw: Any) -> str | None:
        text = self._text(f, raw)
        if text and f.joined and LIST_MARK in text:  # a campus's name, among a practice's campuses
            where = " (les campus d’une pratique)" if self.entry.type is CAMPUS else ""
            self.error(f.name, f"« {text} » {_MARK_SEPARATES}{where} ; remplacez-le, par exemple par une virgule : "
                               f"« {_MARK_AND_SPACES.sub(', ', text).strip(' ,')} ».")
            return None
        return text

    def _check_vocab(self, f: Field, raw: Any) -> str | None:
        assert f.vocab
        value = self._text(f, raw, "un identifiant")
        if value is None:
            return None
        terms, aliases = self.vocab.terms[f.vocab], self.vocab.aliases[f.vocab]
        if value in terms:
            return value
        if value in aliases:
            current = aliases[value]
            self.warn(f.name, f"« {value} » est un ancien nom ; utilisez l’identifiant actuel « {current} ».")
            return current
        self.error(f.name, f"« {value} » est inconnu dans {self.vocab.paths[f.vocab]}"
                           f"{did_you_mean(value, list(terms) + list(aliases)) or '.'}")
        return None

    def _check_integer(self, f: Field, raw: Any) -> int | None:
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.error(f.name, f"doit être un nombre entier (reçu : {_describe(raw)}).")
            return None
        top = current_year()
        if f.min_value is not None and not f.min_value <= raw <= top:
            self.error(f.name, f"{raw} est hors de la période possible ({f.min_value} à {top}).")
            return None
        return raw

    def _check_boolean(self, f: Field, raw: Any) -> bool | None:
        if not isinstance(raw, bool):
            self.error(f.name, f"doit valoir true ou false (reçu : {_describe(raw)}).")
            return None
        return raw

    def _check_url(self, f: Field, raw: Any) -> str | None:
        value = self._text(f, raw)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.netloc or " " in value:
            self.error(f.name, f"« {value} » n’est pas une adresse web absolue ; elle doit commencer "
                               "par https:// (ou http://).")
            return None
        return value

    def _check_email(self, f: Field, raw: Any) -> str | None:
        value = self._text(f, raw)
        if value is None:
            return None
        if not EMAIL_RE.match(value):
            self.error(f.name, f"« {value} » n’est pas une adresse électronique valide.")
            return None
        match = PERSONAL_RE.match(value.lower())
        if match and match.group(1) not in FUNCTIONAL_WORDS:
            self.warn(f.name, f"« {value} » ressemble à une adresse personnelle (prenom.nom@…) ; "
                              "indiquez plutôt une adresse fonctionnelle (campus, DAFPIC…) ou retirez ce champ.")
        return value

    def _check_text_list(self, f: Field, raw: Any) -> list[str] | None:
        if not isinstance(raw, list):
            self.error(f.name, f"doit être une liste (reçu : {_describe(raw)}) ; écrivez un élément par ligne, "
                               "précédé de « - ».")
            return None
        items: list[str] = []
        line = self.entry.item_line  # each message on the item's own line
        for position, item in enumerate(raw, start=1):
            if not isinstance(item, str) or not item.strip():
                self.error(f.name, f"l’élément n° {position} doit être un texte non vide (reçu : {_describe(item)}).",
                           line(f.name, position))
            elif f.max_length and len(item.strip()) > f.max_length:
                self.error(f.name, f"l’élément n° {position} dépasse {f.max_length} caractères.", line(f.name, position))
            elif _control(item):
                self.error(f.name, f"caractère de contrôle interdit ({_control(item)[0]}, élément "
                                   f"n° {position}) ; retapez la valeur.", line(f.name, position))
            elif f.joined and LIST_MARK in item:  # (a source, not joined, may cite pages with « ; »)
                parts = ", ".join(f"- {part}" for part in map(fold_space, item.split(LIST_MARK)) if part)
                self.error(f.name, f"l’élément n° {position} (« {fold_space(item)} ») {_MARK_SEPARATES} ; écrivez-en "
                                   f"un par ligne : {parts}.", line(f.name, position))
            else:
                items.append(fold_space(item))
        return items

    def _check_texts(self, f: Field, raw: Any) -> tuple[str, ...] | None:
        """One text, or a list of texts (a source, or several): a tuple either way."""
        if isinstance(raw, list):
            if not raw:  # as the JSON Schema says (minItems), rather than an absent field
                self.error(f.name, "liste vide ; donnez au moins un document, ou retirez le champ.")
                return None
            for position, item in enumerate(raw[1:], start=2):  # [Livret, p. 31]: YAML reads two items
                if isinstance(item, str) and _PAGE_ONLY_RE.fullmatch(item.strip()):
                    self.warn(f.name, f"l’élément n° {position} (« {item.strip()} ») n’est qu’une page : un document "
                                      "et sa page forment un seul élément, entre guillemets "
                                      "(- \"Livret des bonnes pratiques, p. 31\").", self.entry.item_line(f.name, position))
            return tuple(self._check_text_list(f, raw))
        text = self._text(f, raw, "un texte ou une liste de textes")
        return None if text is None else (text,)

    def _check_campus_refs(self, f: Field, raw: Any) -> tuple[str, ...] | None:
        """A campus id, or a list of them (a practice carried by several campuses): a tuple."""
        if not isinstance(raw, list):
            text = self._text(f, raw, "un identifiant de campus ou une liste d’identifiants")
            return None if text is None else (text,)
        if not raw:
            self.error(f.name, "liste vide ; donnez au moins un campus, ou retirez le champ.")
            return None
        ids: list[str] = []
        line = self.entry.item_line
        for position, item in enumerate(raw, start=1):
            if not isinstance(item, str) or not item.strip():
                self.error(f.name, f"l’élément n° {position} doit être un identifiant de campus "
                                   f"(reçu : {_describe(item)}).", line(f.name, position))
            elif fold_space(item) in ids:
                self.error(f.name, f"l’élément n° {position} (« {fold_space(item)} ») figure déjà dans la "
                                   "liste ; retirez-le.", line(f.name, position))
            else:
                ids.append(fold_space(item))
        return tuple(ids)


# Body markup. Contributed Markdown must not carry active content: Python-Markdown passes
# raw HTML, attribute lists and any link scheme straight through.
FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")  # also used to demote the headings of the Livret
_CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_HTML_RE = re.compile(r"<(/?[A-Za-z][^<>@ ]*(?: [^<>]*)?)>|<!--")  # Python-Markdown's own rule
_AUTOLINK_RE = re.compile(r"^https?://", re.I)
# Any "](target" is a link target, whatever the brackets before it hold ([a [b] c](…)); an
# image is a "![" before a link target on the line.
_LINK_RE = re.compile(r"\]\(\s*<?([^)\s>]*)")
_IMAGE_RE = re.compile(r"!\[[^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*\]\(\s*<?([^)\s>]*)")
# A tag left open at the end of a line (<img⏎ src=… onerror=…>): Markdown would keep it as HTML.
_OPEN_TAG_RE = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]+|[abipqsuABIPQSU])(?:\s[^<>]*)?$")
_REFERENCE_START_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*$")
_REFERENCE_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
_ATTR_LIST_RE = re.compile(r"\{:?\s*(?:[.#][\w-]+|[\w-]+\s*=)[^}]*\}")
ALLOWED_SCHEMES = ("https", "http", "mailto")


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def check_body_markup(entry: RawEntry, out: list[Diagnostic]) -> bool:
    """Reject raw HTML, attribute lists, images and links other than https/http/mailto."""
    ok = True

    def error(line: int, message: str) -> None:
        nonlocal ok
        ok = False
        out.append(Diagnostic(entry.path, line, "texte", message))

    if not any(char in entry.body for char in "<[{!`~"):
        return True  # nothing that could be markup (most bodies)
    in_fence = False
    pending_reference = False  # "[ref]:" alone on its line: its address is on the next one
    for number, line in enumerate(entry.body.split("\n"), start=entry.body_line):
        if pending_reference and line.strip():
            pending_reference = False
            line = "[ref]: " + line.strip()  # checked below like a one-line definition
        if not any(char in line for char in "<[{!`~"):
            continue
        if FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        text = _CODE_SPAN_RE.sub("", line)
        if _REFERENCE_START_RE.match(text):
            pending_reference = True
        for match in _HTML_RE.finditer(text):
            inner = match.group(1)
            if inner and (_AUTOLINK_RE.match(inner) or inner.startswith("/")):
                continue  # an autolink, or a closing tag (its opening tag is reported)
            error(number, f"HTML interdit (« {_shorten(match.group())} ») ; écrivez en Markdown : "
                          "**gras**, *italique*, [lien](https://…).")
        open_tag = _OPEN_TAG_RE.search(text)
        if open_tag:
            error(number, f"HTML interdit (« {_shorten(open_tag.group())} », balise sur plusieurs lignes) ; "
                          "écrivez en Markdown : **gras**, *italique*, [lien](https://…).")
        images = {m.start(1) for m in _IMAGE_RE.finditer(text)}
        for match in _IMAGE_RE.finditer(text):
            error(number, f"image « {_shorten(match.group(1))} » refusée : les fiches ne contiennent pas d’images.")
        links = [m for m in _LINK_RE.finditer(text) if m.start(1) not in images]
        for match in (*links, *_REFERENCE_RE.finditer(text)):
            target = match.group(1)
            scheme = urlsplit(target).scheme.lower() if ":" in target else ""
            if scheme in ALLOWED_SCHEMES and (scheme == "mailto" or urlsplit(target).netloc):
                continue
            if scheme or target.lower().startswith(("&", "%")):
                error(number, f"lien « {_shorten(target)} » refusé : seules les adresses https://, http:// "
                              "et mailto: sont permises.")
            else:
                error(number, f"lien relatif « {_shorten(target)} » refusé : donnez l’adresse complète "
                              "(https://…).")
        for match in _ATTR_LIST_RE.finditer(text):
            error(number, f"liste d’attributs « {_shorten(match.group())} » interdite ; retirez les accolades.")
    return ok


# A page reference alone (« p. 31 », « § 2.1 », « pages 12-15 »), as a list item: the end of the item before.
_PAGE_ONLY_RE = re.compile(r"(?:p\.|pp\.|pages?|§)\s*\d[\d\s.,–-]*", re.IGNORECASE)


def _describe(value: Any) -> str:
    if value is None:
        return "une valeur vide"
    if isinstance(value, bool):
        return "un booléen"
    if isinstance(value, (int, float)):
        return f"le nombre {value}"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, dict):
        return "un groupe de champs"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"la date {value.isoformat()}"
    if isinstance(value, str) and not value.strip():
        return "un texte vide"
    return f"« {value} »"


# --------------------------------------------------------------------------- entries

def _check_common(checker: _EntryChecker, ctype_fields: dict[str, Field]) -> dict[str, Any]:
    checker.check_id()
    checker.check_keys(ctype_fields)
    checker.check_body()
    if not check_body_markup(checker.entry, checker.out):
        checker.failed = True
    values: dict[str, Any] = {"id": checker.entry.id, "path": checker.entry.path,
                              "body": checker.entry.body.strip("\n")}
    for f in ctype_fields.values():
        value = checker.value(f)
        if value is not None:
            values[f.name] = value
    return values


def _check_academie_region(checker: _EntryChecker, vocab: Vocabularies, values: dict[str, Any]) -> None:
    academie, region = values.get("academie"), values.get("region")
    if academie and region:
        expected = vocab.term("academies", academie).region
        if expected != region:
            checker.error("academie", f"l’académie « {academie} » appartient à la région « {expected} », "
                                      f"pas à « {region} ».")


def check_campus(entry: RawEntry, vocab: Vocabularies, out: list[Diagnostic]) -> dict[str, Any] | None:
    checker = _EntryChecker(entry, vocab, out)
    values = _check_common(checker, CAMPUS.fields_by_name)
    _check_academie_region(checker, vocab, values)
    if values.get("academie") and values.get("region") is None:  # an académie belongs to one region
        values["region"] = vocab.term("academies", values["academie"]).region
    return None if checker.failed else values


def _present(entry: RawEntry, key: str) -> bool:
    value = entry.data.get(key)
    return value is not None and not (isinstance(value, str) and not value.strip())


def check_practice(entry: RawEntry, vocab: Vocabularies, campuses: dict[str, dict[str, Any] | None],
                   out: list[Diagnostic]) -> dict[str, Any] | None:
    """``campuses``: every campus id found on disk, with its clean values (None if invalid)."""
    checker = _EntryChecker(entry, vocab, out)
    values = _check_common(checker, PRACTICE.fields_by_name)
    campus_ids: tuple[str, ...] = values.get("campus", ())
    for campus_id in campus_ids:
        if campus_id not in campuses:
            hint = did_you_mean(campus_id, campuses)
            raw = entry.data["campus"]  # the line of its item, in a list
            line = entry.item_line("campus", [fold_space(str(i)) for i in raw].index(campus_id) + 1) if (
                isinstance(raw, list)) else None
            checker.error("campus", f"aucun campus « {campus_id} » (fichier content/campuses/{campus_id}.md "
                                    f"introuvable){hint or '.'}", line)
    if not campus_ids and not any(_present(entry, name) for name in PRACTICE.one_of):
        checker.error("campus", "indiquez « campus » (identifiant d’un campus) ou, pour une pratique "
                                "académique ou régionale, « region ».", line=1)
    mismatched = False
    if campus_ids and not values.keys().isdisjoint(DERIVED_FROM_CAMPUS):  # (most practices give none of them)
        known = [campuses[c] for c in campus_ids if campuses.get(c) is not None]
        if len(known) == len(campus_ids):  # every campus found and valid
            mismatched = _check_derived(checker, values, campus_ids, known)
    if not mismatched:  # the values given are then theirs: only their coherence is left to check
        _check_academie_region(checker, vocab, values)
    return None if checker.failed else values


def _check_derived(checker: _EntryChecker, values: dict[str, Any], ids: tuple[str, ...],
                   campuses: list[dict[str, Any]]) -> bool:
    """A sector, region or académie a practice gives must be its campus's, or one of its
    campuses' (the model derives the one they share, see model.build). Whether one is not."""
    mismatched = False
    for key in DERIVED_FROM_CAMPUS:
        if key not in values:
            continue
        theirs = [campus.get(key) for campus in campuses]
        if values[key] in theirs:
            continue
        mismatched = True
        described = [f"{key} « {v} »" if v else f"{key} non précisé" for v in theirs]
        if len(campuses) == 1:
            checker.error(key, f"« {values[key]} » ne correspond pas au campus « {ids[0]} » ({described[0]}) ; "
                               "retirez ce champ, il est déduit du campus.")
            continue
        each = " ; ".join(f"« {i} » : {d}" for i, d in zip(ids, described))
        if len(set(theirs)) == 1:
            checker.error(key, f"« {values[key]} » ne correspond pas aux campus ({each}) ; "
                               "retirez ce champ, il est déduit des campus.")
        else:
            checker.error(key, f"« {values[key]} » ne correspond à aucun des campus ({each}) ; "
                               "choisissez l’une de ces valeurs, ou retirez ce champ.")
    return mismatched


_NOT_ALNUM_RE = re.compile(r"[\W_]+")  # accents, once decomposed, are not alphanumeric either


def title_key(title: str) -> str:
    """Letters and digits only, without accents or case: « l’Énergie ! » → « lenergie »."""
    return _NOT_ALNUM_RE.sub("", unicodedata.normalize("NFKD", title.casefold()))


def check_collisions(entries: list[RawEntry]) -> list[Diagnostic]:
    """Ids equal but for case (one page on case-insensitive systems) are errors; titles that
    differ only by case, accents or punctuation are warnings. Linear: grouped by key."""
    found: list[Diagnostic] = []
    by_id: dict[tuple[str, str], list[RawEntry]] = {}
    by_title: dict[tuple[str, str], list[RawEntry]] = {}
    for entry in entries:
        by_id.setdefault((entry.type.key, entry.id.lower()), []).append(entry)
        title = entry.data.get(entry.type.title_field)
        key = title_key(title) if isinstance(title, str) else ""
        if key:
            by_title.setdefault((entry.type.key, key), []).append(entry)
    for group in by_id.values():
        for entry in group[1:] if len(group) > 1 else ():
            found.append(Diagnostic(entry.path, 1, "id",
                                    f"même identifiant, à la casse près, que {group[0].path} ; renommez l’un des deux."))
    for group in by_title.values():
        for entry in group[1:] if len(group) > 1 else ():
            field = entry.type.title_field
            found.append(Diagnostic(entry.path, entry.line(field), field,
                                    f"presque le même {field} que {group[0].path} ; s’agit-il d’un doublon ?",
                                    Severity.WARNING))
    return found


@without_gc
def validate(loaded: LoadResult) -> ValidationResult:
    diagnostics = list(loaded.diagnostics)
    vocabularies, found = build_vocabularies(loaded.vocabularies)
    diagnostics += found
    result = ValidationResult(diagnostics, vocabularies)
    vocab_paths = {v.path for v in loaded.vocabularies.values()}
    if found or any(d.path in vocab_paths for d in loaded.diagnostics):
        return result  # entries cannot be checked against broken vocabularies
    campuses: dict[str, dict[str, Any] | None] = {}
    practice_entries: list[RawEntry] = []
    for entry in loaded.entries:
        if entry.type is PRACTICE:
            practice_entries.append(entry)
        elif entry.readable:
            campuses[entry.id] = check_campus(entry, vocabularies, diagnostics)
        else:
            campuses[entry.id] = None
    for entry in practice_entries:
        if entry.readable:
            values = check_practice(entry, vocabularies, campuses, diagnostics)
            if values is not None:
                result.practices.append(values)
    result.campuses = [v for v in campuses.values() if v is not None]
    diagnostics += check_collisions(loaded.entries)
    diagnostics.sort(key=lambda d: (d.path, d.line, d.field))
    return result
