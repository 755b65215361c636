"""Run a stage of the pipeline with Python's cyclic garbage collector paused.

Loading, checking and rendering a large catalogue make hundreds of thousands of
container objects (entries, values, Jinja contexts) that live on or are freed by
reference counting. The collector keeps scanning them for the few reference cycles
that Jinja leaves behind: at N = 10,000 that was about a sixth of the rendering time,
for no memory saved (the peak stayed at 361 MB). Those cycles wait for the collector's next
pass after the stage.

The model is made for the pages: from the end of its stage to the end of the pages', what
exists is set aside from the collector (gc.freeze), which would otherwise scan the model's
new objects at its first pass after the stage (42,000 containers, 0.03 to 0.05 s at N = 10,000,
before the pages could be shared out), and again at later passes. The pages' stage gives them
back (gc.unfreeze), to the oldest generation: a later build (`make serve`) does not keep them.
"""

from __future__ import annotations

import functools
import gc
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def without_gc(stage: F) -> F:
    """Decorate a stage: the collector is off while it runs (and back as it was after)."""

    @functools.wraps(stage)
    def run(*args: Any, **kwargs: Any) -> Any:
        if not gc.isenabled():  # already paused by an enclosing stage
            return stage(*args, **kwargs)
        gc.disable()
        try:
            return stage(*args, **kwargs)
        finally:
            gc.enable()

    return run  # type: ignore[return-value]


def set_aside() -> None:
    """Leave out of the collector's passes what exists now, until a stage giving_back() has run."""
    gc.freeze()


def giving_back(stage: F) -> F:
    """Decorate the last stage that reads what set_aside() left out: once it has run (or
    failed), the collector has it back, in its oldest generation."""

    @functools.wraps(stage)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return stage(*args, **kwargs)
        finally:
            gc.unfreeze()

    return run  # type: ignore[return-value]
