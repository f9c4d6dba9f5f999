"""Temporary folders holding copies of people's files, removed on every way out.

A converted copy of a unit's return must not outlive the run that made it:
not after an error, not after Ctrl+C, not when the process is told to stop.
Ctrl+C raises KeyboardInterrupt, which unwinds through the `with` like any
error. SIGTERM and SIGHUP would end the process on the spot, so while such
a folder exists they raise KeyboardInterrupt too (only in the main thread,
where Python runs signal handlers, and only where nobody else handles or
ignores them). Folders a thread still holds when the interpreter exits (the
desk's) go then.
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

_live: set[Path] = set()
_lock = threading.Lock()
_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Stopped(KeyboardInterrupt):
    """The process was told to stop (SIGTERM, SIGHUP) while a scratch folder existed."""


@contextlib.contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A new private folder (mode 0700), removed with everything in it when the block ends."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    with _lock:
        _live.add(folder)
    guard = _StopGuard()
    try:
        yield folder
    finally:
        guard.hold()  # a stop signal now waits until the folder is gone
        shutil.rmtree(folder, ignore_errors=True)
        with _lock:
            _live.discard(folder)
        guard.release()


class _StopGuard:
    """Turns SIGTERM/SIGHUP into Stopped while it is installed."""

    def __init__(self) -> None:
        self.previous: dict[int, Any] = {}
        self.holding = self.pending = False
        if threading.current_thread() is threading.main_thread():
            for sig in _STOP_SIGNALS:
                if signal.getsignal(sig) == signal.SIG_DFL:
                    self.previous[sig] = signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if not self.holding:
            raise Stopped
        self.pending = True

    def hold(self) -> None:
        self.holding = True

    def release(self) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        if self.pending:
            raise Stopped


@atexit.register
def _remove_leftovers() -> None:
    with _lock:
        for folder in list(_live):
            shutil.rmtree(folder, ignore_errors=True)
        _live.clear()
