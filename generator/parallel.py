"""Share a long, even piece of work (rendering the pages of a large catalogue) between two processes.

On a multi-core Linux machine, a forked child gets a copy of everything the work needs
(nothing is sent to it), does every second item and sends its results back pickled, while
this process does the others. Elsewhere, or for a short list, everything runs here.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
from typing import Any, Callable, TypeVar

T = TypeVar("T")
R = TypeVar("R")
X = TypeVar("X")


def can_fork() -> bool:
    return sys.platform.startswith("linux") and (os.cpu_count() or 1) >= 2


def interleaved(items: list[T], work: Callable[[list[T]], list[R]], minimum: int,
                meanwhile: Callable[[], X] = lambda: None) -> tuple[list[R], X]:
    """``work(items)`` (one result per item, in order) and ``meanwhile()``, the child doing
    ``items[1::2]`` when there are at least ``minimum`` items; ``meanwhile()`` runs in this
    process, after its own half."""
    if len(items) < minimum or not can_fork():
        return work(items), meanwhile()
    reader, writer = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_child, args=(work, items[1::2], writer), daemon=True)
    child.start()
    writer.close()
    try:
        ours = work(items[0::2])
        extra = meanwhile()
        try:
            theirs = pickle.loads(reader.recv_bytes())
        except EOFError:  # the child died (killed, out of memory): do its half here
            theirs = work(items[1::2])
    except BaseException:  # our half failed: the child would wait forever to be read (`mkdocs serve`)
        child.terminate()
        raise
    finally:
        reader.close()
        child.join()
    results: list[Any] = [None] * len(items)
    results[0::2], results[1::2] = ours, theirs
    return results, extra


def _child(work: Callable[[list[Any]], list[Any]], items: list[Any], writer: Any) -> None:
    writer.send_bytes(pickle.dumps(work(items), protocol=pickle.HIGHEST_PROTOCOL))
    writer.close()
