"""Stage 1 — load: read content files into raw entries, never raising on bad content.

Each file is split into YAML front matter and Markdown body. The front matter is
parsed once, with libyaml's C loader when available, keeping the line of every key
so that later stages can point at it. Problems become Diagnostics.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic
from .schema import CONTENT_TYPES, VOCABULARIES, ContentType

try:  # libyaml's C parser: several times faster on large catalogues.
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

MAX_FILE_BYTES = 200_000
MAX_DEPTH = 20  # nested [ or {: libyaml's C parser recurses and can overflow the C stack
FENCE = "---"


@dataclass
class RawEntry:
    """One content file as read: front matter values with their lines, and the body."""

    type: ContentType
    id: str
    path: str  # for messages: relative to the working directory when possible
    data: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # key -> line in the file (1-based)
    body: str = ""
    body_line: int = 1
    readable: bool = True  # False when the front matter could not be read at all

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)


@dataclass
class RawVocabulary:
    name: str
    path: str
    records: list[tuple[dict[str, Any], int]] = field(default_factory=list)  # (record, line)


@dataclass
class LoadResult:
    entries: list[RawEntry]
    vocabularies: dict[str, RawVocabulary]
    diagnostics: list[Diagnostic]


def display_path(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = str(path)
    return (str(path) if rel.startswith("..") else rel).replace(os.sep, "/")


def normalise_text(raw: bytes) -> str:
    """UTF-8 (with or without BOM), LF line endings, composed (NFC) accents."""
    text = raw.decode("utf-8-sig")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def parse_yaml(text: str, path: str, first_line: int) -> tuple[Any, Any, list[Diagnostic]]:
    """Parse one YAML document; return (value, root node, diagnostics).

    ``first_line`` is the file line of the document's first line, so positions in
    messages are file positions. Duplicate keys, which YAML loaders silently
    overwrite, are reported.
    """
    diagnostics: list[Diagnostic] = []
    depth_line = _too_deep(text)
    if depth_line:
        return None, None, [Diagnostic(path, depth_line + first_line - 1, "en-tête",
                                       f"imbrication de « [ » ou « {{ » trop profonde (plus de {MAX_DEPTH} niveaux).")]
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None, diagnostics
        structure = _structure_problems(node, path, first_line)
        if any(d.field == "en-tête" for d in structure):  # aliases, non-text keys: do not construct
            return None, None, diagnostics + structure
        if "&" in text or "*" in text:
            structure += _anchors(text, path, first_line)
        if structure and any(d.field == "en-tête" for d in structure):
            return None, None, diagnostics + structure
        return loader.construct_document(node), node, diagnostics + structure
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark else first_line
        column = (mark.column + 1) if mark else 1
        diagnostics.append(Diagnostic(
            path, line, "en-tête",
            f"YAML illisible, colonne {column} : {_yaml_problem(exc)} ; vérifiez l’indentation et mettez "
            "entre guillemets les textes qui contiennent « : » ou « # »."))
        return None, None, diagnostics
    except yaml.YAMLError:
        diagnostics.append(Diagnostic(path, first_line, "en-tête", "YAML illisible."))
        return None, None, diagnostics
    except (ValueError, TypeError, OverflowError, RecursionError, AttributeError):
        # A value the YAML types cannot hold: a date like 2024-02-30, a 5,000-digit number…
        diagnostics.append(Diagnostic(
            path, first_line, "en-tête",
            "valeur YAML invalide (date impossible, nombre démesuré…) ; mettez les textes entre guillemets."))
        return None, None, diagnostics
    finally:
        loader.dispose()


# libyaml's messages, in French for contributors (the start of the message is enough).
_YAML_PROBLEMS = (
    ("mapping values are not allowed", "un « : » suivi d’une espace ne peut pas figurer dans une valeur "
                                       "sans guillemets"),
    ("could not find expected ':'", "« : » attendu après le nom du champ"),
    ("found character that cannot start any token", "caractère interdit en début de valeur "
                                                    "(tabulation, « @ », « ` » ou « % »)"),
    ("found unexpected end of stream", "guillemet ou crochet jamais refermé"),
    ("found unknown escape character", "séquence « \\ » inconnue entre guillemets doubles"),
    ("did not find expected key", "indentation incorrecte"),
    ("did not find expected '-' indicator", "élément de liste mal aligné"),
    ("did not find expected ',' or ']'", "liste entre crochets mal fermée"),
    ("did not find expected ',' or '}'", "groupe entre accolades mal fermé"),
    ("expected <block end>", "indentation incorrecte"),
    ("found undefined alias", "alias « * » non défini"),
    ("found undefined tag handle", "étiquette « ! » inconnue"),
    ("could not determine a constructor", "étiquette YAML (« ! ») non permise"),
)


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or exc.context or ""
    for start, french in _YAML_PROBLEMS:
        if problem.startswith(start):
            return french
    return "syntaxe incorrecte"


def _too_deep(text: str) -> int:
    """The line (1-based) where flow collections nest beyond MAX_DEPTH, or 0."""
    depth, line, quote = 0, 1, ""
    for char in text:
        if char == "\n":
            line += 1
        elif quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif char in "]}":
            depth = max(depth - 1, 0)
    return 0


def key_lines(node: Any, first_line: int) -> dict[str, int]:
    """Line of each key of a mapping node (first occurrence)."""
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            lines.setdefault(str(key_node.value), key_node.start_mark.line + first_line)
    return lines


STR_TAG = "tag:yaml.org,2002:str"


def _structure_problems(root: Any, path: str, first_line: int) -> list[Diagnostic]:
    """Duplicate keys (which loaders silently overwrite), non-text keys and aliases."""
    found: list[Diagnostic] = []
    stack = [root]
    visited: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in visited:  # the composer shares the node of an alias with its anchor
            found.append(Diagnostic(path, node.start_mark.line + first_line, "en-tête",
                                    "les ancres et alias YAML (« & », « * ») ne sont pas permis ; "
                                    "recopiez la valeur."))
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                key, line = str(key_node.value), key_node.start_mark.line + first_line
                if key_node.tag != STR_TAG:
                    found.append(Diagnostic(path, line, "en-tête",
                                            f"« {key} » n’est pas un nom de champ (un texte comme « titre ») ; "
                                            "vérifiez la ligne."))
                elif key in seen:
                    found.append(Diagnostic(
                        path, line, key,
                        f"champ en double (déjà défini ligne {seen[key]}) ; ne gardez qu’une ligne."))
                else:
                    seen[key] = line
                stack.append(value_node)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return found


def _anchors(text: str, path: str, first_line: int) -> list[Diagnostic]:
    """Anchors that no alias uses yet: only parsed when the text has « & » or « * »."""
    found = []
    for event in yaml.parse(text, Loader=SafeLoader):
        if getattr(event, "anchor", None) and not isinstance(event, yaml.AliasEvent):
            found.append(Diagnostic(path, event.start_mark.line + first_line, "en-tête",
                                    "les ancres et alias YAML (« & », « * ») ne sont pas permis ; "
                                    "recopiez la valeur."))
    return found


def split_front_matter(text: str, path: str) -> tuple[str | None, str, int, list[Diagnostic]]:
    """Return (front matter text, body, body first line, diagnostics)."""
    if not text.strip():
        return None, "", 1, [Diagnostic(
            path, 1, "fichier",
            "le fichier est vide ; il doit commencer par un en-tête YAML entre deux lignes « --- ».")]
    lines = text.split("\n")
    if lines[0].rstrip() != FENCE:
        return None, text, 1, [Diagnostic(
            path, 1, "en-tête",
            "le fichier doit commencer par une ligne « --- », suivie de l’en-tête YAML "
            "puis d’une autre ligne « --- ».")]
    for index in range(1, len(lines)):
        if lines[index].rstrip() == FENCE:
            front = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1:])
            return front, body, index + 2, []
    return None, "", 1, [Diagnostic(
        path, 1, "en-tête",
        "l’en-tête YAML ouvert ligne 1 n’est jamais fermé : ajoutez une ligne « --- » "
        "après le dernier champ.")]


def read_entry(file: Path, ctype: ContentType) -> tuple[RawEntry, list[Diagnostic]]:
    path = display_path(file)
    entry = RawEntry(type=ctype, id=file.stem, path=path)
    try:
        size = file.stat().st_size
        raw = file.read_bytes() if size <= MAX_FILE_BYTES else b""
    except OSError:
        entry.readable = False
        return entry, [Diagnostic(path, 1, "fichier", "fichier illisible (lien cassé, dossier ou droits).")]
    if size > MAX_FILE_BYTES:
        entry.readable = False
        return entry, [Diagnostic(
            path, 1, "fichier",
            f"fichier trop gros ({size // 1000} Ko, maximum {MAX_FILE_BYTES // 1000} Ko) ; "
            "une fiche doit rester courte.")]
    try:
        text = normalise_text(raw)
    except UnicodeDecodeError as exc:
        entry.readable = False
        line = exc.object[:exc.start].count(b"\n") + 1
        return entry, [Diagnostic(
            path, line, "fichier",
            "le fichier n’est pas encodé en UTF-8 (caractère illisible sur cette ligne) ; "
            "enregistrez-le en UTF-8.")]
    front, body, body_line, diagnostics = split_front_matter(text, path)
    entry.body, entry.body_line = body, body_line
    if front is None:
        entry.readable = False
        return entry, diagnostics
    # Tabs are not YAML indentation: accept them as spaces.
    value, node, yaml_diagnostics = parse_yaml(front.replace("\t", "  "), path, first_line=2)
    diagnostics += yaml_diagnostics
    if value is None and not yaml_diagnostics:
        value = {}
    if not isinstance(value, dict):
        entry.readable = False
        if value is not None:
            diagnostics.append(Diagnostic(
                path, 2, "en-tête",
                "l’en-tête doit être une suite de lignes « champ: valeur » "
                "(par exemple « titre: \"…\" »)."))
        return entry, diagnostics
    entry.data = {str(k): v for k, v in value.items()}
    entry.lines = key_lines(node, first_line=2)
    return entry, diagnostics


def read_vocabulary(file: Path, name: str) -> tuple[RawVocabulary, list[Diagnostic]]:
    path = display_path(file)
    vocab = RawVocabulary(name=name, path=path)
    if not file.is_file():
        return vocab, [Diagnostic(path, 1, "fichier", "référentiel introuvable.")]
    value, node, diagnostics = parse_yaml(normalise_text(file.read_bytes()), path, first_line=1)
    if diagnostics:
        return vocab, diagnostics
    if not isinstance(value, list):
        return vocab, [Diagnostic(path, 1, "fichier", "le référentiel doit être une liste d’éléments « - id: … ».")]
    for record, item in zip(value, node.value):
        vocab.records.append((record, item.start_mark.line + 1))
    return vocab, diagnostics


def load(content_dir: Path, vocab_dir: Path | None = None) -> LoadResult:
    """Read every entry of every content type, and the vocabularies."""
    content_dir = Path(content_dir)
    vocab_dir = Path(vocab_dir) if vocab_dir else content_dir / "referentiels"
    entries: list[RawEntry] = []
    diagnostics: list[Diagnostic] = []
    for ctype in CONTENT_TYPES:
        folder = content_dir / ctype.directory
        for file in sorted(folder.glob("*.md")) if folder.is_dir() else ():
            if file.is_dir() or file.name.startswith("."):  # editor lock files (.#x.md), folders
                continue
            entry, found = read_entry(file, ctype)
            entries.append(entry)
            diagnostics += found
    vocabularies: dict[str, RawVocabulary] = {}
    for name in VOCABULARIES:
        vocabularies[name], found = read_vocabulary(vocab_dir / f"{name}.yml", name)
        diagnostics += found
    return LoadResult(entries, vocabularies, diagnostics)
