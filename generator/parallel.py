"""Share a long piece of work (reading or rendering a large catalogue) between two processes.

On a multi-core Linux machine, a forked child gets a copy of everything the work needs
(nothing is sent to it). Both processes take the next chunk of items from a shared counter
until none is left, so that each does as much as its core allows: a machine shared with
other work is rarely fair to both. A chunk is a quarter of what is left (but at least
MIN_CHUNK items), so the last ones are short and both finish together. The child writes each
chunk's results, pickled, to a temporary file, read back once it is done (a pipe would
hold the child up whenever this process, busy, does not read it). Elsewhere, or for a
short list, everything runs here.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import sys
import tempfile
from typing import IO, Any, Callable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")
X = TypeVar("X")

MIN_CHUNK = 16  # items

log = logging.getLogger(__name__)


def can_fork() -> bool:
    return sys.platform.startswith("linux") and (os.cpu_count() or 1) >= 2


def shared(items: list[T], work: Callable[[list[T]], list[R]], minimum: int,
           meanwhile: Callable[[], X] = lambda: None) -> tuple[list[R], X]:
    """``work(items)`` (one result per item, in order) and ``meanwhile()``, with a child
    process when there are at least ``minimum`` items; ``meanwhile()`` runs in this process
    first, while the child has started on the chunks."""
    if len(items) < minimum or not can_fork():
        return work(items), meanwhile()
    context = multiprocessing.get_context("fork")
    taken = context.Value("i", 0)  # the first item not taken yet
    with tempfile.TemporaryFile() as spool:
        child = context.Process(target=_child, args=(work, items, taken, spool), daemon=True)
        child.start()
        try:
            extra = meanwhile()
            done = dict(_take(work, items, taken, child))
        except BaseException:  # our part failed: stop the child, whose work is of no use now
            child.terminate()
            raise
        finally:
            child.join()
        if child.exitcode == 0:
            spool.seek(0)
            done.update(_read(spool))
        else:
            log.warning("Le second processus s’est arrêté (code %s) : ce processus refait sa part.", child.exitcode)
    results: list[R] = []
    for start, part in sorted(done.items()) + [(len(items), [])]:
        if start > len(results):  # the child failed (killed, out of memory, an error) before these: do them here
            results += work(items[len(results):start])
        results += part
    return results, extra


def _take(work: Callable[[list[T]], list[R]], items: list[T], taken: Any,
          partner: Any = None) -> Iterator[tuple[int, list[R]]]:
    """Take chunks until none is left: (index of the first item, results). ``partner``: the
    child, which could die holding the counter's lock; then this process stops taking, and
    shared() does the rest."""
    lock = taken.get_lock()
    while True:
        while not lock.acquire(timeout=1):
            if partner is not None and not partner.is_alive():
                return
        try:
            start = taken.value
            size = max(MIN_CHUNK, (len(items) - start) // 4)
            taken.value = start + size
        finally:
            lock.release()
        if start >= len(items):
            return
        yield start, work(items[start:start + size])


def _child(work: Callable[[list[Any]], list[Any]], items: list[Any], taken: Any, spool: IO[bytes]) -> None:
    for done in _take(work, items, taken):
        pickle.dump(done, spool, protocol=pickle.HIGHEST_PROTOCOL)
    spool.flush()  # the child leaves by os._exit, which would drop what is still buffered


def _read(spool: IO[bytes]) -> Iterator[tuple[int, Any]]:
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return
