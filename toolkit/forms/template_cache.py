"""A disk cache of prepared template parts, kept between runs.

Preparing a template part (docxtpl's regex preprocessing, then Jinja's
parsing and compilation to Python code) takes 10-16 ms per template, every
run: more than rendering all of a district's forms. Each cached entry holds
the preprocessed source and its compiled code, under a key made of the part's
bytes and everything that shapes the result: the code that prepares it, the
docxtpl and Jinja versions, and the Python version (compiled code is
version-specific). A changed template or a new version is simply a new key.

The cache only saves time: when its folder cannot be read or written, or an
entry is damaged, the part is prepared as if there were no cache. Folder:
`TOOLKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/toolkit/templates`, else
`~/.cache/toolkit/templates`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import sys
from pathlib import Path
from types import CodeType

import docxtpl
import jinja2

from toolkit.errors import OutputError
from toolkit.office.ooxml import write_bytes_atomic

MAX_ENTRIES = 200  # older entries go first once there are more


def cache_dir() -> Path | None:
    """The cache folder; None when there is nowhere to put one (no home folder)."""
    explicit = os.environ.get("TOOLKIT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:
            return None
    return Path(base) / "toolkit" / "templates"


@functools.cache
def _code_version() -> bytes:
    """What shapes a prepared part besides its own bytes."""
    digest = hashlib.sha256()
    # The preparing code is rendering.py beside this file: read, not imported,
    # so that rendering can use the cache without an import cycle.
    here = Path(__file__)
    for source in (here.with_name("rendering.py"), here):
        digest.update(source.read_bytes())
    for version in (docxtpl.__version__, jinja2.__version__, sys.version):
        digest.update(version.encode())
    return digest.digest()


def _key(part: bytes) -> str:
    return hashlib.sha256(_code_version() + part).hexdigest()


def load(part: bytes) -> tuple[str, CodeType] | None:
    """(source, code) prepared earlier from these bytes, or None."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        data = (folder / _key(part)).read_bytes()
        source, code = marshal.loads(data)
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(source, str) or not isinstance(code, CodeType):
        return None
    return source, code


def store(part: bytes, source: str, code: CodeType) -> None:
    folder = cache_dir()
    if folder is None:
        return
    key = _key(part)
    with contextlib.suppress(OSError, OutputError):
        write_bytes_atomic(folder / key, marshal.dumps((source, code)))
        _prune(folder, keep=key)


def _prune(folder: Path, keep: str) -> None:
    entries = [p for p in folder.iterdir() if not p.name.startswith(".") and p.name != keep]
    if len(entries) < MAX_ENTRIES:
        return
    entries.sort(key=lambda p: p.stat().st_mtime_ns)
    for old in entries[: len(entries) - MAX_ENTRIES + 1]:
        with contextlib.suppress(OSError):
            old.unlink()
