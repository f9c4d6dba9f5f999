"""Spreading generate and merge over processes, and writing files in the background.

A city-wide cycle generates and reads hundreds of forms. Rendering and
reading are CPU work in Python, so they scale with processes, not threads;
waiting for the disk (fsync, rename) scales with threads. Below
`MIN_PARALLEL` items, starting processes costs more than it saves and the
work stays in-process. Results always come back in input order, so the
parallel path's output is the serial path's.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from toolkit.office.ooxml import write_bytes_atomic

if TYPE_CHECKING:
    # Imported by process_pool only: most runs (a district's 30 forms) never start a pool.
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")
R = TypeVar("R")

# Fewer forms or returns than this are done in-process: a worker pool costs
# tens of milliseconds to start, a form or return a few milliseconds each.
MIN_PARALLEL = 40


def default_jobs() -> int:
    """The cores this process may run on (the default of --jobs)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):  # not on Linux
        return max(os.cpu_count() or 1, 1)


def worth_it(items: int, jobs: int) -> bool:
    return jobs > 1 and items >= MIN_PARALLEL


def chunks(items: list[T], jobs: int) -> list[list[T]]:
    """Contiguous pieces, several per worker, so one large unit cannot hold up the rest."""
    n = min(len(items), jobs * 4)
    if n <= 1:
        return [items] if items else []
    size, extra = divmod(len(items), n)
    out, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def process_pool(
    jobs: int, initializer: Callable[..., None], initargs: tuple[Any, ...]
) -> ProcessPoolExecutor:
    """A pool of `jobs` processes, each set up once by `initializer(*initargs)`.

    On Linux workers are forked: they start in milliseconds and inherit the
    parsed register instead of receiving it pickled. Elsewhere the platform's
    default (spawn) is used.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = (
        multiprocessing.get_context("fork")
        if sys.platform.startswith("linux")
        else multiprocessing.get_context()
    )
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_start_worker,
        initargs=(os.getpid(), initializer, initargs),
    )


def _start_worker(parent: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    # A worker whose parent is killed outright (SIGKILL, the out-of-memory
    # killer) would otherwise wait for work forever, holding its memory.
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    initializer(*initargs)


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def ordered_map(
    pool: ProcessPoolExecutor, fn: Callable[[T], R], items: Iterable[T], *, window: int
) -> Iterator[R]:
    """`fn` over `items` on the pool, results in input order, at most `window` in flight.

    The window keeps memory flat: results are handed on one at a time as the
    caller consumes them, never all held at once.
    """
    pending: deque[Future[R]] = deque()
    for item in items:
        pending.append(pool.submit(fn, item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


class BackgroundWriter:
    """Writes files on a few threads while the caller renders the next one.

    Each file is still written by `write` (by default `ooxml.write_bytes_atomic`:
    temporary file, fsync, rename); only the waiting for the disk overlaps
    with the rendering. The first error is raised, at the latest on leaving
    the block.
    """

    def __init__(
        self,
        threads: int = 4,
        max_pending: int = 16,
        write: Callable[[Path, bytes], None] = write_bytes_atomic,
    ) -> None:
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="toolkit-write")
        self._pending: deque[Future[None]] = deque()
        self._max_pending = max_pending
        self._write = write

    def write(self, target: Path, data: bytes) -> None:
        self._pending.append(self._pool.submit(self._write, target, data))
        while len(self._pending) > self._max_pending:
            self._pending.popleft().result()

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        try:
            while self._pending:
                future = self._pending.popleft()
                if exc_type is None:
                    future.result()
                else:  # already failing: finish what was started, report the first error
                    future.exception()
        finally:
            self._pool.shutdown(wait=True)
