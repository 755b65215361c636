"""Share a long piece of work (reading or rendering a large catalogue) between two processes.

On a multi-core Linux machine, a forked child gets a copy of everything the work needs
(nothing is sent to it). The child first does the side work (``meanwhile``: the data files
of the site), then takes chunks of items from the start of the list, while this process
takes chunks from its end from the outset, until they meet: each does as much as its core
allows (a machine shared with other work is rarely fair to both), and each keeps to one end,
where items of a kind are together (pages of one template share their cards, which each
process renders once for itself). A chunk is a sixteenth of what is left (but at least
MIN_CHUNK items), so that the last ones are short and both finish together, however unequal
the items. The child writes each result, pickled, to a temporary file (a pipe would hold the
child up whenever this process, busy, does not read it), which this process reads between
its own chunks, so that little is left to read once both are done. Everything the child
makes comes back that way, at a cost to both processes (writing and reading 65 MB took
0.4 s of CPU at N = 10,000, when this process did the side work): with the side work, the
child renders fewer pages, and sends back 45 MB. Elsewhere, or for a short list, everything
runs here.
"""

from __future__ import annotations

import io
import itertools
import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle
import sys
import tempfile
from typing import IO, Any, Callable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")
X = TypeVar("X")

MIN_CHUNK = 16  # items
# How long to wait for the child once nothing is left to take: it has one chunk at most to
# finish, a sixteenth of the list (seconds at N = 100,000). Past this, it is stuck (a lock
# copied locked at the fork…), and its part is done here.
JOIN_TIMEOUT = 60  # seconds
SIDE = -1  # where the result of meanwhile() is among the child's chunks (keyed by their first item)

log = logging.getLogger(__name__)


def can_fork() -> bool:
    return sys.platform.startswith("linux") and (os.cpu_count() or 1) >= 2


def shared(items: list[T], work: Callable[[list[T]], list[R]], minimum: int,
           meanwhile: Callable[[], X] = lambda: None) -> tuple[list[R], X]:
    """``work(items)`` (one result per item, in order) and ``meanwhile()``, with a child
    process when there are at least ``minimum`` items; ``meanwhile()`` runs in the child
    first, while this process has started on the chunks (here if the child failed)."""
    if len(items) < minimum or not can_fork():
        return work(items), meanwhile()
    context = multiprocessing.get_context("fork")
    # The items not taken yet (taken[0] to taken[1]), and the bytes of the child's chunks
    # written whole to the spool (taken[2], read and written without the lock: one number).
    taken = context.Array("q", [0, len(items), 0])
    written = taken.get_obj()
    # The child says on this pipe that it has written its last chunk: then it exits, which
    # takes a large process 10 to 15 ms (its memory given back) that this one need not wait
    # for (multiprocessing reaps it later).
    finished, says_finished = context.Pipe(duplex=False)
    with tempfile.TemporaryFile() as spool, finished, says_finished:
        child = context.Process(target=_child, args=(work, items, taken, spool, meanwhile, says_finished),
                                daemon=True)
        child.start()
        read = _Reader(spool.fileno())
        try:
            done: dict[int, Any] = {}
            for start, part in _take(work, items, taken, from_end=True, partner=child):
                done[start] = part
                done.update(read.upto(written[2]))  # what the child has finished meanwhile
        except BaseException:  # our part failed: stop the child, whose work is of no use now
            child.terminate()
            _stop(child)
            raise
        # Nothing left to take: the child has one chunk at most to finish. If it exits without
        # saying so, it failed (killed, out of memory, an error); if neither, it is stuck.
        whole = finished in multiprocessing.connection.wait([finished, child.sentinel], JOIN_TIMEOUT)
        stuck = not whole and _stop(child)
        done.update(read.upto(written[2]))  # all of it, or the chunks before a failure
        if stuck:
            log.warning("Le second processus ne répondait plus après %s s : il a été arrêté, et ce processus "
                        "refait sa part.", JOIN_TIMEOUT)
        elif not whole:
            log.warning("Le second processus s’est arrêté (code %s) : ce processus refait sa part.", child.exitcode)
    extra = done.pop(SIDE) if SIDE in done else meanwhile()
    results: list[R] = []
    for start, part in sorted(done.items()) + [(len(items), [])]:
        if start > len(results):  # the child failed (killed, out of memory, an error) before these: do them here
            results += work(items[len(results):start])
        results += part
    return results, extra


def _stop(child: Any) -> bool:
    """Wait for a child that is not done (JOIN_TIMEOUT at most, then kill it); whether it was stuck."""
    child.join(JOIN_TIMEOUT)
    stuck = child.is_alive()
    if stuck:
        child.kill()
        child.join()
    return stuck


def _take(work: Callable[[list[T]], list[R]], items: list[T], taken: Any, from_end: bool = False,
          partner: Any = None) -> Iterator[tuple[int, list[R]]]:
    """Take chunks, from the start of what is left or from its end, until none is left:
    (index of the first item, results). ``partner``: the child, which could die holding the
    counter's lock; then this process stops taking, and shared() does the rest."""
    lock = taken.get_lock()
    while True:
        while not lock.acquire(timeout=1):
            if partner is not None and not partner.is_alive():
                return
        try:
            first, end = taken[0], taken[1]
            size = max(MIN_CHUNK, (end - first) // 16)
            if from_end:
                first = taken[1] = max(first, end - size)
            else:
                end = taken[0] = min(end, first + size)
        finally:
            lock.release()
        if first >= end:
            return
        yield first, work(items[first:end])


def _child(work: Callable[[list[Any]], list[Any]], items: list[Any], taken: Any, spool: IO[bytes],
           meanwhile: Callable[[], Any], finished: Any) -> None:
    for done in itertools.chain([(SIDE, meanwhile())], _take(work, items, taken)):
        pickle.dump(done, spool, protocol=pickle.HIGHEST_PROTOCOL)
        spool.flush()  # whole in the file before it is said to be (and os._exit drops buffers)
        taken.get_obj()[2] = spool.tell()
    finished.send_bytes(b"")


class _Reader:
    """The chunks the child has written, read from the spool's file descriptor with pread
    (the child's writes move the offset it shares with the spool object)."""

    def __init__(self, fd: int):
        self.fd = fd
        self.offset = 0

    def upto(self, end: int) -> Iterator[tuple[int, Any]]:
        data = os.pread(self.fd, end - self.offset, self.offset) if end > self.offset else b""
        self.offset += len(data)
        return _read(io.BytesIO(data))


def _read(stream: IO[bytes]) -> Iterator[tuple[int, Any]]:
    while True:
        try:
            yield pickle.load(stream)
        except EOFError:
            return
