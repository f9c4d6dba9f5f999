"""A disk cache of prepared template parts, kept between runs.

Preparing a template part (docxtpl's regex preprocessing, then Jinja's
parsing and compilation to Python code) takes 10-16 ms per template, every
run: more than rendering all of a district's forms. Each cached entry holds
the preprocessed source and its compiled code, under a key made of the part's
bytes and everything that shapes the result: the code that prepares it, the
docxtpl sources, the Jinja version, and the Python version (compiled code is
version-specific). A changed template or a new version is simply a new key.

The cache only saves time: when its folder cannot be read or written, or an
entry is damaged, the part is prepared as if there were no cache. Folder:
`TOOLKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/toolkit/templates`, else
`~/.cache/toolkit/templates`.

Entries are code that runs outside the Jinja sandbox, so they are trusted
only as far as the folder is: it is used only when it belongs to the current
user and nobody else may write to it (created 0700), every entry is signed
with an HMAC under a per-user random key kept beside the entries (`.key`,
0600), and an entry that is not ours, is writable by others or does not
match its signature is prepared again and replaced. (Windows keeps a user's
profile folders private itself; there only the signatures are checked.)
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import importlib.util
import marshal
import os
import stat
import sys
from pathlib import Path
from types import CodeType

import jinja2

from toolkit.errors import OutputError
from toolkit.office.ooxml import write_bytes_atomic

MAX_ENTRIES = 200  # older entries go first once there are more
KEY_FILE = ".key"  # the signing key: dot-names are never entries
_MAC_BYTES = 32
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


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
    # docxtpl's own source, read, not imported: a cache hit never needs docxtpl.
    for source in package_sources("docxtpl"):
        digest.update(source.read_bytes())
    for version in (jinja2.__version__, sys.version):
        digest.update(version.encode())
    return digest.digest()


def package_sources(name: str) -> list[Path]:
    """The .py files of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return []
    return sorted(p for d in spec.submodule_search_locations for p in Path(d).glob("*.py"))


def _key(part: bytes) -> str:
    return hashlib.sha256(_code_version() + part).hexdigest()


def load(part: bytes) -> tuple[str, CodeType] | None:
    """(source, code) prepared earlier from these bytes, or None."""
    payload = load_entry(_key(part))
    if payload is None:
        return None
    try:
        source, code = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(source, str) or not isinstance(code, CodeType):
        return None
    return source, code


def store(part: bytes, source: str, code: CodeType) -> None:
    store_entry(_key(part), marshal.dumps((source, code)))


def load_entry(name: str) -> bytes | None:
    """The payload stored under `name` (a hex key), when its signature is ours."""
    folder = _private_folder()
    key = _signing_key(folder) if folder is not None else None
    if folder is None or key is None:
        return None
    data = _read_own(folder / name)
    if data is None or len(data) < _MAC_BYTES:
        return None
    mac, payload = data[:_MAC_BYTES], data[_MAC_BYTES:]
    if not hmac.compare_digest(mac, _mac(key, name, payload)):
        return None  # tampered with, or from another key: prepared again
    return payload


def store_entry(name: str, payload: bytes) -> None:
    """Sign and keep `payload` under `name`; silently nothing when there is no private folder."""
    folder = _private_folder()
    key = _signing_key(folder) if folder is not None else None
    if folder is None or key is None:
        return
    with contextlib.suppress(OSError, OutputError):
        write_bytes_atomic(folder / name, _mac(key, name, payload) + payload)
        _prune(folder, keep=name)


def _mac(key: bytes, name: str, payload: bytes) -> bytes:
    # The entry's name is signed too: a valid entry cannot stand in for another part.
    return hmac.new(key, name.encode() + b"\0" + payload, hashlib.sha256).digest()


def _private_folder() -> Path | None:
    """The cache folder (made, 0700, when missing), or None when it is not private to us."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.lstat()
    except OSError:
        return None
    return folder if stat.S_ISDIR(st.st_mode) and _own(st, others=0o022) else None


def _own(st: os.stat_result, *, others: int) -> bool:
    """Ours, and none of the permission bits `others` set (always true off POSIX)."""
    if os.name != "posix":
        return True
    return st.st_uid == os.getuid() and not st.st_mode & others


def _read_own(path: Path, others: int = 0o022) -> bytes | None:
    """The file's bytes when it is a regular file of ours that others cannot change."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or not _own(st, others=others):
            return None
        try:
            return fh.read()
        except OSError:
            return None


def _signing_key(folder: Path) -> bytes | None:
    """The per-user key beside the entries, made (0600) when missing or not ours alone."""
    path = folder / KEY_FILE
    key = _read_own(path, others=0o077)
    if key is not None and len(key) == _MAC_BYTES:
        return key
    # A new key: every entry signed with another one is prepared again.
    with contextlib.suppress(OSError, OutputError):
        import secrets  # only here: every other run finds its key

        write_bytes_atomic(path, secrets.token_bytes(_MAC_BYTES))  # written 0600
    key = _read_own(path, others=0o077)  # another process may have written its key first
    return key if key is not None and len(key) == _MAC_BYTES else None


def _prune(folder: Path, keep: str) -> None:
    entries = [p for p in folder.iterdir() if not p.name.startswith(".") and p.name != keep]
    if len(entries) < MAX_ENTRIES:
        return
    entries.sort(key=lambda p: p.stat().st_mtime_ns)
    for old in entries[: len(entries) - MAX_ENTRIES + 1]:
        with contextlib.suppress(OSError):
            old.unlink()
