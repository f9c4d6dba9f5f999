"""Writing a set of files as one: all of them or none, one run at a time per folder,
and nothing a person changed is replaced without keeping a copy.

A run writes every file of its set under a temporary name beside its
target first. Only when all are written are they renamed into place; if a
rename fails (the file is open in another program), the renames already
done are undone. So a full disk, a locked file or a killed run leaves the
previous set as it was, never a new file beside an old one.

Each output folder holds a small hidden record (`RECORD`): a lock, so a
second run waits for the first instead of mixing its files in, and the
digest of every file the toolkit last wrote there. A file whose content no
longer matches (edited by hand, or put there by someone else) is copied
into a history folder before it is replaced.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import stat
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from toolkit.errors import OutputError, UsageError
from toolkit.office.filenames import safe_name
from toolkit.office.folder import shown
from toolkit.office.ooxml import os_reason

RECORD = ".toolkit-outputs.json"
WAIT_SECONDS = 30.0
_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Kept:
    """An old file that differed from what the toolkit last wrote: copied before replacing."""

    target: Path
    copy: Path

    def note(self, root: Path | None = None) -> str:
        """What to tell the person; the copy's path relative to `root` when inside it."""
        copy = self.copy
        if root is not None and copy.is_relative_to(root):
            copy = copy.relative_to(root)
        return (
            f"{shown(self.target.name)} 与上次生成的不同（可能被手工修改过），"
            f"替换前已把它保留为 {shown(str(copy))}"
        )


# ---------------------------------------------------------------- paths


def same_file_key(path: Path) -> str:
    """A key equal for two spellings of one path, also on case-insensitive disks."""
    try:
        resolved = Path(path).resolve()
    except (OSError, RuntimeError):  # a link loop: compare it as written
        resolved = Path(os.path.abspath(path))
    return os.path.normcase(str(resolved)).casefold()


def check_targets(targets: Sequence[Path], inputs: Iterable[Path] = ()) -> None:
    """Refuse, before anything is written, targets that collide with each other or an input."""
    keys: dict[str, Path] = {}
    for t in targets:
        key = same_file_key(t)
        if key in keys:
            raise UsageError(
                f"两个输出文件是同一个文件：{shown(str(keys[key]))} 和 {shown(str(t))}，未写入任何文件。",
                hint="给每个输出文件指定不同的文件名。",
            )
        keys[key] = t
    for source in inputs:
        hit = keys.get(same_file_key(source))
        if hit is not None:
            raise UsageError(
                f"输出文件 {shown(str(hit))} 就是输入文件 {shown(str(source))}，写入会覆盖它，"
                "未写入任何文件。",
                hint="把输出文件放到别处，或换一个文件名。",
            )


# ---------------------------------------------------------------- the set


def write_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` and flush it to the disk (for temporary files of a set)."""
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


class FileSet:
    """Files that replace their targets together, or not at all.

        with FileSet([docx, xlsx]) as files:
            files.write(docx, data)       # or write_staged(files.temps, …) elsewhere
            files.write(xlsx, other)
        files.kept                        # old files copied to the history folder

    Entering checks the targets (no folder, pipe or read-only file in the
    way, none open in Excel/WPS/LibreOffice), takes the folders' locks and
    creates the temporary files; leaving without an error renames them into
    place, leaving with one removes them.
    """

    def __init__(
        self, targets: Sequence[Path], *, history: str = "历史", wait: float = WAIT_SECONDS
    ) -> None:
        check_targets(targets)
        self.targets = [Path(t) for t in targets]
        self.history = history
        self.wait = wait
        self.kept: list[Kept] = []
        self._temps: dict[Path, Path] = {}
        self._digests: dict[Path, str] = {}  # of what was written here; others are read back
        self._locks: list[_FolderLock] = []
        self._folder_key: dict[Path, str] = {}

    def __enter__(self) -> FileSet:
        try:
            # Each folder resolved once, not once per file (a city's 400 forms share one).
            parents = {p: same_file_key(p) for p in {t.parent for t in self.targets}}
            folders = {parents[t.parent]: t.parent for t in self.targets}
            for key in sorted(folders):  # always in one order: two sets never wait on each other
                self._locks.append(_FolderLock(folders[key], self.wait))
            # Again now that the locks have made every folder, as each lock's key is.
            resolved = {p: same_file_key(p) for p in parents}
            self._folder_key = {t: resolved[t.parent] for t in self.targets}
            for target in self.targets:
                _check_replaceable(target)
            for target in self.targets:
                self._temps[target] = _temporary(target)
        except BaseException:
            self._abort()
            raise
        return self

    @property
    def temps(self) -> dict[Path, Path]:
        """Target -> its temporary name (for `write_staged` in other processes)."""
        return dict(self._temps)

    def write(self, target: Path, data: bytes) -> None:
        """Write one file of the set (under its temporary name); safe from several threads."""
        target = Path(target)
        write_staged(self._temps, target, data)
        self._digests[target] = hashlib.sha256(data).hexdigest()

    def __exit__(self, exc_type: object, *rest: object) -> None:
        try:
            if exc_type is None:
                self._commit()
        finally:
            self._abort()

    # -- inside

    def _commit(self) -> None:
        digests = {t: self._digests.get(t) or _digest(self._temps[t]) for t in self.targets}
        # Copies first: if one cannot be made, nothing has been replaced yet.
        for target in self.targets:
            if _needs_keeping(target, digests[target], self._record_of(target).get(target.name)):
                self.kept.append(Kept(target, self._keep(target)))
        done: list[tuple[Path, Path | None]] = []  # (target, a second name of its old file)
        old: Path | None = None
        try:
            for target in self.targets:
                old = None
                if os.path.lexists(target):
                    old = target.with_name(f".{target.stem[:40]}.{uuid.uuid4().hex[:12]}.old")
                    _second_name(target, old)
                # Atomic: the target always holds a whole file, the old one or the new.
                os.replace(self._temps[target], target)
                done.append((target, old))
        except BaseException as exc:  # an OSError, or Ctrl+C half-way: put every old file back
            if old is not None:  # this target was not replaced: its second name goes
                with contextlib.suppress(OSError):
                    os.unlink(old)
            _undo(done)
            if not isinstance(exc, OSError):
                raise
            raise OutputError(
                f"无法替换 {shown(str(target))}：{os_reason(exc)}。已撤销本次写入，原有文件均未改动。",
                hint="文件如正在 Excel、WPS 或 Word 中打开，请先关闭后重新运行。",
            ) from None
        for _, old in done:
            if old is not None:
                with contextlib.suppress(OSError):
                    os.unlink(old)
        for lock in self._locks:
            lock.remember(
                {t.name: _entry(t, digests[t]) for t in self.targets if self._in(lock, t)}
            )

    def _record_of(self, target: Path) -> dict[str, dict[str, Any]]:
        return next(lk for lk in self._locks if self._in(lk, target)).record

    def _in(self, lock: _FolderLock, target: Path) -> bool:
        return self._folder_key[target] == lock.key

    def _keep(self, target: Path) -> Path:
        folder = target.parent / self.history
        moment = dt.datetime.fromtimestamp(target.stat().st_mtime).strftime("%Y%m%d-%H%M%S")
        copy = folder / safe_name(f"{target.stem}-{moment}{target.suffix}")  # fits any system
        n = 2
        while copy.exists():
            copy = folder / safe_name(f"{target.stem}-{moment}-{n}{target.suffix}")
            n += 1
        try:
            folder.mkdir(exist_ok=True)
            shutil.copy2(target, copy)
        except OSError as exc:
            raise OutputError(
                f"{shown(str(target))} 与上次生成的不同（可能被手工修改过），需要先把它复制到 "
                f"{shown(str(folder))} 保留，但复制失败：{os_reason(exc)}。未写入任何文件。"
            ) from None
        return copy

    def _abort(self) -> None:
        for temp in self._temps.values():
            with contextlib.suppress(OSError):
                os.unlink(temp)
        self._temps.clear()
        while self._locks:
            self._locks.pop().release()


def write_staged(temps: dict[Path, Path], target: Path, data: bytes) -> None:
    """Write `target`'s data under its temporary name; a failure names the target."""
    try:
        write_file(temps[target], data)
    except OSError as exc:
        raise write_error(target, exc) from None


def write_error(target: Path, exc: OSError) -> OutputError:
    return OutputError(
        f"无法写入 {shown(str(target))}：{os_reason(exc)}。未替换任何文件，原有文件保持不变。",
        hint="磁盘空间不足时请先清理磁盘；没有权限时请换一个输出文件夹。",
    )


def _temporary(target: Path) -> Path:
    """A hidden file beside `target`, on the same disk so that renaming is atomic."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(
            prefix=f".{target.stem[:40]}.", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:
        raise OutputError(
            f"无法在 {shown(str(target.parent))} 写入文件：{os_reason(exc)}。未替换任何文件。"
        ) from None
    os.close(fd)
    return Path(name)


def _second_name(target: Path, old: Path) -> None:
    """Keep the old file under a second name while the new one takes its place."""
    try:
        os.link(target, old)
    except OSError:  # a disk without hard links (FAT, some network shares)
        shutil.copy2(target, old)


def _undo(done: list[tuple[Path, Path | None]]) -> None:
    for target, old in reversed(done):
        with contextlib.suppress(OSError):
            if old is None:
                os.unlink(target)
            else:
                os.replace(old, target)


def _check_replaceable(target: Path) -> None:
    where = shown(str(target))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"无法写入 {where}：{os_reason(exc)}。未写入任何文件。") from None
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(
            f"{where} 是一个文件夹，不能作为输出文件。未写入任何文件。",
            hint="指定一个文件名，或换一个位置。",
        )
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(f"{where} 不是普通文件（管道或设备），不能替换。未写入任何文件。")
    opened = [p for p in _owner_files(target) if os.path.lexists(p)]
    if opened:
        raise OutputError(
            f"{where} 正在 Excel、WPS 或 Word 中打开，未写入任何文件。",
            hint=f"请先关闭该文件后重新运行；如已关闭，删除旁边残留的 {shown(opened[0].name)}。",
        )
    if not st.st_mode & stat.S_IWUSR:
        # Windows cannot replace a read-only file; nor does the toolkit, anywhere.
        raise OutputError(
            f"{where} 是只读文件，或正被其他程序打开，未写入任何文件。",
            hint="请先关闭该文件（如在 Excel、WPS 中打开），或在文件属性中去掉“只读”后重新运行。",
        )


def _owner_files(target: Path) -> list[Path]:
    """Lock files Office, WPS and LibreOffice keep beside a document while it is open."""
    name = target.name
    names = {f"~${name}", f".~lock.{name}#"}
    if len(target.stem) > 6:  # Word shortens the owner file of longer names
        names |= {f"~${name[1:]}", f"~${name[2:]}"}
    return [target.with_name(n) for n in names]


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _entry(path: Path, digest: str) -> dict[str, Any]:
    try:
        st = path.stat()
    except OSError:  # gone already: the digest alone still recognises it
        return {"sha256": digest}
    return {"sha256": digest, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def written_here(path: Path) -> bool:
    """Whether `path` is as a FileSet last wrote it, by its folder's record (read, not locked):
    how the toolkit knows its own files that carry no document property, such as a PDF."""
    try:
        data = json.loads((path.parent / RECORD).read_bytes() or b"{}")
        entry = data["files"][path.name]
        st = path.stat()
        if (st.st_size, st.st_mtime_ns) == (entry.get("size"), entry.get("mtime_ns")):
            return True
        return bool(entry.get("sha256")) and _digest(path) == entry["sha256"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _needs_keeping(target: Path, new: str, written: dict[str, Any] | None) -> bool:
    """Whether the file at `target` holds something the toolkit did not last write there."""
    written = written or {}
    try:
        st = target.stat()
        if (st.st_size, st.st_mtime_ns) == (written.get("size"), written.get("mtime_ns")):
            return False  # as written, to the nanosecond: no need to read it
        current = _digest(target)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    return current not in (new, written.get("sha256"))


# ---------------------------------------------------------------- the folder's lock and record


class _FolderLock:
    """An exclusive lock on a folder's record file, waited for up to `wait` seconds.

    The lock belongs to the open file, so it ends with the process: a run
    that is killed never leaves the folder locked.
    """

    def __init__(self, folder: Path, wait: float) -> None:
        self.folder = folder
        path = folder / RECORD
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(
                f"无法在 {shown(str(folder))} 写入文件：{os_reason(exc)}。未写入任何文件。"
            ) from None
        self.key = same_file_key(folder)  # now that it exists: as the targets' folders resolve
        self._fh: IO[bytes] = os.fdopen(fd, "r+b")
        _hide(path)
        deadline = time.monotonic() + wait
        while not _try_lock(self._fh):
            if time.monotonic() >= deadline:
                self._fh.close()
                raise OutputError(
                    f"另一个 toolkit 正在向 {shown(str(folder))} 写入文件（已等待 {wait:.0f} 秒），"
                    "未写入任何文件。",
                    hint="等那一次运行结束后再运行。",
                )
            time.sleep(_POLL_SECONDS)
        self.record = self._read()

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            self._fh.seek(0)
            data: Any = json.loads(self._fh.read() or b"{}")
        except (OSError, ValueError):
            return {}  # unreadable record: every file counts as unknown, so it is kept
        files = data.get("files") if isinstance(data, dict) else None
        if not isinstance(files, dict):
            return {}
        return {k: v for k, v in files.items() if isinstance(v, dict)}

    def remember(self, written: dict[str, dict[str, Any]]) -> None:
        record = {**self.record, **written}
        data = json.dumps({"files": record}, ensure_ascii=False, indent=1).encode("utf-8")
        with contextlib.suppress(OSError):  # without a record the next run keeps a copy: safe
            self._fh.seek(0)
            self._fh.truncate()
            self._fh.write(data)
            self._fh.flush()
        self.record = record

    def release(self) -> None:
        with contextlib.suppress(OSError):
            _unlock(self._fh)
        self._fh.close()


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fh: IO[bytes]) -> bool:
        fh.seek(0)
        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fh: IO[bytes]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

    def _hide(path: Path) -> None:
        import ctypes

        ctypes.windll.kernel32.SetFileAttributesW(str(path), 0x2)  # FILE_ATTRIBUTE_HIDDEN

else:
    import fcntl

    def _try_lock(fh: IO[bytes]) -> bool:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fh: IO[bytes]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _hide(path: Path) -> None:
        """Dot-names are hidden already."""
