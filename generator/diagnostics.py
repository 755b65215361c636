"""Validation errors are values: every stage appends Diagnostics, the CLI prints them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import Enum
from typing import Iterable


class Severity(Enum):
    ERROR = "erreur"
    WARNING = "avertissement"


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str  # relative to the project root, with forward slashes
    line: int
    field: str
    message: str
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        prefix = "" if self.is_error else "avertissement : "
        return f"{self.path}:{self.line}: {self.field}: {prefix}{self.message}"

    def format_github(self) -> str:
        level = "error" if self.is_error else "warning"
        title = _gh_property(f"{self.field}")
        return (
            f"::{level} file={_gh_property(self.path)},line={self.line},title={title}"
            f"::{_gh_data(self.message)}"
        )


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def plural(count: int, word: str) -> str:
    """French plural: 0 and 1 take the singular."""
    return f"{count} {word}{'s' if count > 1 else ''}"


def summary(diagnostics: Iterable[Diagnostic]) -> str:
    diagnostics = list(diagnostics)
    errors = sum(d.is_error for d in diagnostics)
    return f"{plural(errors, 'erreur')}, {plural(len(diagnostics) - errors, 'avertissement')}"


def suggest(value: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a mistyped id or key, if one is close enough."""
    candidates = list(candidates)
    lowered = value.strip().lower()
    matches = difflib.get_close_matches(lowered, candidates, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    # A prefix or a part of a long id ("numerique" for "numerique-telecommunications").
    partial = sorted(c for c in candidates if lowered and (c.startswith(lowered) or lowered in c.split("-")))
    if len(partial) == 1:
        return partial[0]
    # A mistyped part of a long id ("inovation" for "innovation-pedagogique"): compare with
    # the leading parts of each id, and keep the match only if it designates one id.
    heads: dict[str, set[str]] = {}
    for c in candidates:
        parts = c.split("-")
        for n in range(1, len(parts)):
            heads.setdefault("-".join(parts[:n]), set()).add(c)
    close = difflib.get_close_matches(lowered, list(heads), n=3, cutoff=0.8)
    found = {c for head in close for c in heads[head]}
    return found.pop() if len(found) == 1 else None


def did_you_mean(value: str, candidates: Iterable[str]) -> str:
    match = suggest(value, candidates)
    return f" ; vouliez-vous dire « {match} » ?" if match else ""
