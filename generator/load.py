"""Stage 1 — load: read content files into raw entries, never raising on bad content.

Each file is split into YAML front matter and Markdown body. The front matter is
parsed once, with libyaml's C loader when available, keeping the line of every key
so that later stages can point at it. Problems become Diagnostics.
"""

from __future__ import annotations

import os
import re
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import parallel
from .diagnostics import Diagnostic
from .nogc import without_gc
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
    # key -> line of each item of a list written one item a line (« - … »): see item_line
    item_lines: dict[str, list[int]] | None = field(default=None, repr=False)

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    def item_line(self, key: str, position: int) -> int:
        """The line of the item at ``position`` (1-based) of a list; else the key's line.
        Only messages need it: the file is read again then, not scanned for it at every load."""
        if self.item_lines is None:
            self.item_lines = {}
            try:
                front = split_front_matter(normalise_text(Path(self.path).read_bytes()), self.path)[0]
            except (OSError, UnicodeDecodeError):
                front = None
            if front is not None:
                scan_keys(_untabbed(front), self.path, first_line=2, item_lines=self.item_lines)
        items = self.item_lines.get(key)
        return items[position - 1] if items and 0 < position <= len(items) else self.line(key)


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
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


ANCHOR_MESSAGE = "les ancres et alias YAML (« & », « * ») ne sont pas permis ; recopiez la valeur."


def parse_yaml(text: str, path: str, first_line: int) -> tuple[Any, list[Diagnostic]]:
    """Parse one YAML document with libyaml; return (value, diagnostics), value None on error.

    ``first_line`` is the file line of the document's first line, so positions in
    messages are file positions. Checks that need the parser's events (anchors and
    aliases) or a character scan (nesting depth) only run when the text could need them.
    """
    if text.count("[") + text.count("{") > MAX_DEPTH:
        depth_line = _too_deep(text)
        if depth_line:
            return None, [Diagnostic(path, depth_line + first_line - 1, "en-tête",
                                     f"imbrication de « [ » ou « {{ » trop profonde (plus de {MAX_DEPTH} niveaux).")]
    try:
        if "&" in text or "*" in text:
            anchors = [Diagnostic(path, event.start_mark.line + first_line, "en-tête", ANCHOR_MESSAGE)
                       for event in yaml.parse(text, Loader=SafeLoader)
                       if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None)]
            if anchors:
                return None, anchors[:1]
        loader = SafeLoader(text)
        try:
            node = loader.get_single_node()
            # A flow mapping ({a: 1, a: 2}): its duplicate keys are not on lines of their own.
            duplicates = _flow_duplicates(node, path, first_line) if "{" in text else []
            return (None, duplicates) if duplicates else (_value(loader, node) if node else None, [])
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark else first_line
        column = (mark.column + 1) if mark else 1
        return None, [Diagnostic(
            path, line, "en-tête",
            f"YAML illisible, colonne {column} : {_yaml_problem(exc)} ; vérifiez l’indentation et mettez "
            "entre guillemets les textes qui contiennent « : » ou « # ».")]
    except yaml.YAMLError:
        return None, [Diagnostic(path, first_line, "en-tête", "YAML illisible.")]
    except (ValueError, TypeError, OverflowError, RecursionError, AttributeError):
        # A value the YAML types cannot hold: a date like 2024-02-30, a 5,000-digit number…
        return None, [Diagnostic(
            path, first_line, "en-tête",
            "valeur YAML invalide (date impossible, nombre démesuré…) ; mettez les textes entre guillemets.")]


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"


def _value(loader: Any, node: yaml.Node) -> Any:
    """The value of a parsed document, as ``yaml.load`` gives it. A front matter's usual shape,
    keys with a text, a list of texts or a single other value (a number, true…), is read
    straight from libyaml's node tree, PyYAML's constructor resolving only the other values'
    types; any other document is built by that constructor, as before. The constructor, in
    Python even with libyaml, was 40 % of the time spent parsing front matters (0.4 s of 1.05 s
    at N = 10,000), mostly on plain texts."""
    if node.__class__ is not yaml.MappingNode or node.tag != _MAP:
        return loader.construct_document(node)
    values = {}
    for key, item in node.value:  # a key given twice keeps its last value, as with PyYAML (scan_keys reports it)
        if key.__class__ is not yaml.ScalarNode or key.tag != _STR:
            return loader.construct_document(node)
        if item.__class__ is yaml.ScalarNode:
            values[key.value] = item.value if item.tag == _STR else loader.construct_object(item)
        elif item.tag == _SEQ and all(i.__class__ is yaml.ScalarNode and i.tag == _STR for i in item.value):
            values[key.value] = [i.value for i in item.value]
        else:  # nested mappings or lists, tags: PyYAML's way (without recursion, however deep)
            return loader.construct_document(node)
    return values


def _flow_duplicates(node: yaml.Node | None, path: str, first_line: int) -> list[Diagnostic]:
    """Keys given twice in a flow mapping ({…}) anywhere in the document."""
    found: list[Diagnostic] = []
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in current.value:
                if current.flow_style and isinstance(key, yaml.ScalarNode):
                    line = key.start_mark.line + first_line
                    if key.value in seen:
                        found.append(Diagnostic(path, line, key.value, f"champ en double (déjà défini ligne "
                                                f"{seen[key.value]}) ; ne gardez qu’une valeur."))
                    seen.setdefault(key.value, line)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return found


_QUOTED_KEY = re.compile(r"""^(["'])([^"'\n]*)\1\s*:""")


def scan_keys(text: str, path: str, first_line: int,
              item_lines: dict[str, list[int]] | None = None) -> tuple[dict[str, int], list[Diagnostic]]:
    """Line of each top-level key, from the text (a key starts a line, outside lists and
    comments); duplicate keys, which YAML loaders silently overwrite, are reported.
    ``item_lines`` receives the line of each item of a list written one item a line."""
    lines: dict[str, int] = {}
    found: list[Diagnostic] = []
    items: list[int] | None = None  # the items of the key above, if its value starts on the next line
    for number, line in enumerate(text.split("\n"), start=first_line):
        if not line or line[0] in " \t#-" or ":" not in line:
            if items is not None and line.lstrip(" ").startswith("- "):
                items.append(number)
            continue
        if line[0] in "\"'":  # a quoted key: "titre": … is the same field as titre: …
            quoted = _QUOTED_KEY.match(line)
            if not quoted:
                continue
            key = quoted.group(2)
        else:
            key = line.split(":", 1)[0].rstrip()
        if key in lines:
            found.append(Diagnostic(path, number, key,
                                    f"champ en double (déjà défini ligne {lines[key]}) ; ne gardez qu’une ligne."))
            items = None
        else:
            lines[key] = number
            # Nothing after the key (« mots_cles: », or a comment): a list, one item a line, may follow.
            items = None
            if item_lines is not None and (line[-1] == ":" or (
                    "#" in line and not line.split(":", 1)[1].split("#", 1)[0].strip())):
                items = item_lines[key] = []
    return lines, found


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


# The line break before the closing "---" line: a pattern that starts with a character lets
# the regex engine jump to each line break ("^" with re.M would be tried at every character).
_CLOSING_FENCE = re.compile(r"\n---[ \t]*$", re.M)


def split_front_matter(text: str, path: str) -> tuple[str | None, str, int, list[Diagnostic]]:
    """Return (front matter text, body, body first line, diagnostics)."""
    if not text.strip():
        return None, "", 1, [Diagnostic(
            path, 1, "fichier",
            "le fichier est vide ; il doit commencer par un en-tête YAML entre deux lignes « --- ».")]
    first_end = text.find("\n")
    if text[:first_end if first_end >= 0 else len(text)].rstrip() != FENCE:
        return None, text, 1, [Diagnostic(
            path, 1, "en-tête",
            "le fichier doit commencer par une ligne « --- », suivie de l’en-tête YAML "
            "puis d’une autre ligne « --- ».")]
    closing = _CLOSING_FENCE.search(text, first_end) if first_end >= 0 else None
    if closing is None:
        return None, "", 1, [Diagnostic(
            path, 1, "en-tête",
            "l’en-tête YAML ouvert ligne 1 n’est jamais fermé : ajoutez une ligne « --- » "
            "après le dernier champ.")]
    fence = closing.start() + 1
    front = text[first_end + 1:fence].removesuffix("\n")
    body_start = text.find("\n", closing.end())
    body = text[body_start + 1:] if body_start >= 0 else ""
    return front, body, text.count("\n", 0, fence) + 2, []


def _untabbed(front: str) -> str:
    """Tabs are not YAML indentation: accepted as spaces (the lines stay where they are)."""
    return front.replace("\t", "  ")


def read_entry(file: Path | str, ctype: ContentType, path: str | None = None) -> tuple[RawEntry, list[Diagnostic]]:
    path = path or display_path(Path(file))
    entry = RawEntry(type=ctype, id=os.path.basename(file)[:-3], path=path)
    try:
        with open(file, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        size = len(raw) if len(raw) <= MAX_FILE_BYTES else os.stat(file).st_size
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
    front = _untabbed(front)
    value, yaml_diagnostics = parse_yaml(front, path, first_line=2)
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
    entry.lines, duplicates = scan_keys(front, path, first_line=2)
    diagnostics += duplicates
    odd = [key for key in value if not isinstance(key, str)]
    if odd:
        entry.readable = False
        for key in odd:
            diagnostics.append(Diagnostic(path, entry.lines.get(str(key), 2), "en-tête",
                                          f"« {key} » n’est pas un nom de champ (un texte comme « titre ») ; "
                                          "vérifiez la ligne."))
        return entry, diagnostics
    entry.data = value
    return entry, diagnostics


def read_vocabulary(file: Path, name: str) -> tuple[RawVocabulary, list[Diagnostic]]:
    path = display_path(file)
    vocab = RawVocabulary(name=name, path=path)
    if not file.is_file():
        return vocab, [Diagnostic(path, 1, "fichier", "référentiel introuvable.")]
    try:
        text = normalise_text(file.read_bytes())
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].count(b"\n") + 1
        return vocab, [Diagnostic(path, line, "fichier", "le référentiel n’est pas encodé en UTF-8 (caractère "
                                                         "illisible sur cette ligne) ; enregistrez-le en UTF-8.")]
    except OSError as exc:
        return vocab, [Diagnostic(path, 1, "fichier", f"référentiel illisible ({exc.strerror}).")]
    value, diagnostics = parse_yaml(text, path, first_line=1)
    if diagnostics:
        return vocab, diagnostics
    if not isinstance(value, list):
        return vocab, [Diagnostic(path, 1, "fichier", "le référentiel doit être une liste d’éléments « - id: … ».")]
    node = yaml.compose(text, Loader=SafeLoader)  # again, for the line of each record (small files)
    for record, item in zip(value, node.value):
        vocab.records.append((record, item.start_mark.line + 1))
    return vocab, diagnostics


PARALLEL_FROM = 2000  # files: below this, a second process costs more than it saves


@without_gc
def load(content_dir: Path, vocab_dir: Path | None = None) -> LoadResult:
    """Read every entry of every content type, and the vocabularies."""
    content_dir = Path(content_dir)
    vocab_dir = Path(vocab_dir) if vocab_dir else content_dir / "referentiels"
    files: list[tuple[str, ContentType, str]] = []  # path, type, path for messages
    for ctype in CONTENT_TYPES:
        folder = content_dir / ctype.directory
        prefix = display_path(folder)
        # Folders named like entries and editor lock files (.#x.md) are not entries.
        names = sorted(e.name for e in os.scandir(folder)
                       if e.name.endswith(".md") and not e.name.startswith(".") and not e.is_dir()) \
            if folder.is_dir() else []
        files += [(os.path.join(folder, name), ctype, f"{prefix}/{name}") for name in names]
    # A large catalogue is read by two processes (parallel.py): parsing YAML is most of the time.
    results, _ = parallel.shared(files, lambda part: [read_entry(*file) for file in part], PARALLEL_FROM)
    entries = [entry for entry, _ in results]
    diagnostics = [d for _, found in results for d in found]
    vocabularies: dict[str, RawVocabulary] = {}
    for name in VOCABULARIES:
        vocabularies[name], found = read_vocabulary(vocab_dir / f"{name}.yml", name)
        diagnostics += found
    return LoadResult(entries, vocabularies, diagnostics)


def added_dates(content_dir: Path) -> dict[str, int]:
    """When each practice file entered the catalogue: the time of the commit that added it
    (Unix time), keyed like ``RawEntry.path``. One ``git log`` for the whole folder;
    files not committed yet, or a folder outside a git repository, are simply absent."""
    folder = Path(content_dir) / "bonnes-pratiques"
    if not folder.is_dir():
        return {}
    try:
        # Oldest first, following no renames: a file's first "A" is when it entered.
        log = subprocess.run(  # --relative: paths from this folder, however git's root is reached
            ["git", "-c", "core.quotepath=off", "log", "--reverse", "--diff-filter=A", "--name-only",
             "--relative", "--format=@%ct", "--no-renames", "--", "."],
            cwd=folder, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return {}
    if log.returncode != 0:  # not a git repository, or no git
        return {}
    prefix = display_path(folder)  # as read_entry() names the files
    dates: dict[str, int] = {}
    stamp = 0
    for line in log.stdout.splitlines():
        if line.startswith("@"):
            stamp = int(line[1:]) if line[1:].isdigit() else 0
        elif line.endswith(".md"):
            dates.setdefault(f"{prefix}/{line}", stamp)  # a file deleted then added again keeps its first date
    return dates
