"""The pipeline in one place: load → validate → model (→ generate, called by the site)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import load, model, validate
from .diagnostics import Diagnostic


@dataclass
class PipelineResult:
    diagnostics: list[Diagnostic]
    catalog: model.Catalog | None  # None when there are errors

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


def run(content_dir: Path, vocab_dir: Path | None = None, history: bool = False) -> PipelineResult:
    """``history``: date each practice from git (the site's feed needs it; a check does not)."""
    loaded = load.load(content_dir, vocab_dir)
    checked = validate.validate(loaded)
    if not checked.ok:
        return PipelineResult(checked.diagnostics, None)
    catalog = model.build(checked.vocabularies, checked.campuses, checked.practices,
                          load.added_dates(content_dir) if history else None)
    return PipelineResult(checked.diagnostics, catalog)
