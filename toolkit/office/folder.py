"""Walking the folders a person points us at: every entry accounted for, nothing opened.

An office folder holds whatever people put there: files, sub-folders the
current user may not open, links that point at themselves, and on Linux
or macOS the odd named pipe or device. Each entry is classified by `stat`
alone — a pipe is never opened (opening one waits for a writer forever) —
and comes back with what it is, so the caller can read it or say why not.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from toolkit.office.ooxml import os_reason

FILE = "file"
FOLDER = "folder"  # listed before its entries
FOLDER_UNREADABLE = "folder_unreadable"  # a folder whose entries cannot be listed
NOT_REGULAR = "not_regular"  # a named pipe, socket or device
LINK_LOOP = "link_loop"  # a link that leads back to itself
BROKEN_LINK = "broken_link"  # a link to something that does not exist
UNREADABLE = "unreadable"  # stat itself failed (no permission on the way)


@dataclass(frozen=True)
class Entry:
    """One thing found under the walked paths."""

    path: Path
    kind: str  # FILE or one of the kinds above
    error: str = ""  # why, for the kinds that are not FILE

    @property
    def is_file(self) -> bool:
        return self.kind == FILE


def is_hidden(name: str) -> bool:
    """Dot-names: the toolkit's own temporary files and locks, and the system's."""
    return name.startswith(".")


def walk(root: Path) -> Iterator[Entry]:
    """Every entry under `root` (or `root` itself, if it is not a folder), sorted by name.

    Each folder comes before its entries. Hidden entries (dot-names) are
    left out. Links are followed, each folder at most once, so a link to a
    parent folder cannot loop.
    """
    kind, st, error = _classify(root)
    if kind != FOLDER:
        yield Entry(root, kind, error)
        return
    assert st is not None
    yield from _walk(root, st, set())


def _walk(folder: Path, st: os.stat_result, seen: set[tuple[int, int]]) -> Iterator[Entry]:
    key = (st.st_dev, st.st_ino)
    if key in seen:
        yield Entry(folder, LINK_LOOP, "链接指向它所在的上级文件夹，形成循环")
        return
    seen.add(key)
    yield Entry(folder, FOLDER)
    try:
        with os.scandir(folder) as it:
            names = sorted(e.name for e in it)
    except OSError as exc:
        yield Entry(folder, FOLDER_UNREADABLE, os_reason(exc))
        return
    for name in names:
        if is_hidden(name):
            continue
        path = folder / name
        kind, sub, error = _classify(path)
        if kind == FOLDER:
            assert sub is not None
            yield from _walk(path, sub, seen)
        else:
            yield Entry(path, kind, error)


def _classify(path: Path) -> tuple[str, os.stat_result | None, str]:
    try:
        st = os.stat(path)  # follows links; never opens the file
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return LINK_LOOP, None, "链接指向自身，形成循环"
        if exc.errno == errno.ENOENT and os.path.islink(path):
            return BROKEN_LINK, None, "链接指向的文件已不存在"
        return UNREADABLE, None, os_reason(exc)
    if stat.S_ISDIR(st.st_mode):
        return FOLDER, st, ""
    if stat.S_ISREG(st.st_mode):
        return FILE, st, ""
    return NOT_REGULAR, st, "不是普通文件（管道、套接字或设备）"


def shown(name: str) -> str:
    """A file name as text that can be printed, written to JSON and shown on a page.

    A name that is not valid in the file system's encoding (bytes from a
    USB stick or a zip made elsewhere) arrives with lone surrogates, which
    no UTF-8 output accepts: those bytes are shown as �.
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "replace")
    return name
