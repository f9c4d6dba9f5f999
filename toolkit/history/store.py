"""The history: every merge's result, kept in one SQLite file (docs/history.md).

The file, `报送历史.sqlite`, lives beside the period folders: in `输出/` on
the command line, in the workspace folder of the desk. Every merge records
its period in one transaction, as a new version: the versions before stay,
the highest is the period's current one. A merge that comes to the same
result from the same files adds no version.

The tables and their versions are toolkit.history.schema.

Durability: a rollback journal (not WAL: offices keep folders on network
shares, where WAL's shared memory does not work) and `synchronous = FULL`.
A process killed in the middle of recording leaves a journal that the next
opening of the file rolls back: the versions before are intact.

Reading (for later stages and tools): `periods`, `versions`, `record`,
`project_quarters`, `previous_quarter`. Writing: `record_merge`.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from toolkit.core.period import Period
from toolkit.core.previous import (
    FOUND,
    NO_HISTORY,
    NOT_RECORDED,
    PreviousEntry,
    PreviousQuarter,
    no_previous,
)
from toolkit.errors import ToolkitError, UsageError
from toolkit.history.changes import what_changed
from toolkit.history.records import (
    Content,
    EntryRecord,
    FindingRecord,
    MergeRecord,
    ReturnRecord,
    RowRecord,
    Version,
    from_merge,
    now,
)
from toolkit.history.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from toolkit.office.folder import shown

if TYPE_CHECKING:
    from toolkit.returns.merging import MergeResult

BUSY_SECONDS = 30.0

T = TypeVar("T")


class HistoryError(ToolkitError):
    """The history file cannot be read or written."""


# SQLite's words for why a file cannot be used -> the reason told to the person.
_REASONS = (
    (("not a database", "malformed", "corrupt"), "已损坏，或不是报送历史文件"),
    (("readonly", "read-only", "permission", "access"), "是只读的，或没有访问权限"),
    (("full",), "所在的磁盘已满"),
    (("unable to open",), "无法打开（文件夹不存在或没有权限）"),
    (("disk i/o",), "读写时磁盘出错"),
)


def who() -> tuple[str, str]:
    """(user, host) of this process, for the record."""
    import getpass  # here: reading a history (for generate) needs neither
    import socket

    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment, nor in the password database
        user = "未知用户"
    return user, socket.gethostname() or "未知计算机"


class HistoryStore:
    """An open history file. Use as a context manager; reads and writes are transactions."""

    def __init__(self, path: Path, *, create: bool = False) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise UsageError(
                f"找不到报送历史文件：{shown(str(self.path))}",
                hint="报送历史由 toolkit merge（或工作台的“生成一览表”）写入；"
                "请确认在原来的文件夹中运行，或用 --history 指定文件。",
            )
        self._db = self._guard(self._connect)

    @property
    def shown(self) -> str:
        return shown(str(self.path))

    # -- opening

    def _connect(self) -> sqlite3.Connection:
        if self.path.exists() and not self.path.is_file():
            raise HistoryError(f"{self.shown} 不是文件，不能用作报送历史。")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode = DELETE")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
            self._migrate(db)
        except BaseException:
            db.close()
            raise
        return db

    def _migrate(self, db: sqlite3.Connection) -> None:
        (app,) = db.execute("PRAGMA application_id").fetchone()
        (version,) = db.execute("PRAGMA user_version").fetchone()
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app != APPLICATION_ID and (app or tables):
            raise HistoryError(
                f"{self.shown} 不是 toolkit 的报送历史文件，未读取也未改动。",
                hint="请用 --history 指定另一个文件名，或把这个文件移走；--no-history 则这一次不用报送历史。",
            )
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"{self.shown} 由更新版本的 toolkit 写入（格式第 {version} 版），本版本无法读取，未改动。",
                hint="请升级 toolkit 后再运行；--no-history 则这一次不用报送历史。",
            )
        if version == SCHEMA_VERSION:
            return
        with self._transaction(db):
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[step].split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @staticmethod
    @contextlib.contextmanager
    def _transaction(db: sqlite3.Connection) -> Iterator[None]:
        # IMMEDIATE: take the write lock first, so the version number read inside stays valid.
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if db.in_transaction:  # SQLite may have rolled back already (a full disk)
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _guard(self, work: Callable[[], T]) -> T:
        """Run `work`; SQLite's errors become a HistoryError naming the file."""
        try:
            return work()
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if "locked" in text or "busy" in text:
                raise HistoryError(
                    f"报送历史 {self.shown} 正被另一个 toolkit 写入（已等待 {BUSY_SECONDS:.0f} 秒），"
                    "未记录。",
                    hint="等那一次运行结束后再运行。",
                ) from None
            raise self._broken(exc) from None
        except (sqlite3.DatabaseError, OSError) as exc:
            raise self._broken(exc) from None

    def _broken(self, exc: Exception) -> HistoryError:
        text = str(exc).lower()
        why = next(
            (why for words, why in _REASONS if any(w in text for w in words)),
            "无法读写",
        )
        return HistoryError(
            f"报送历史 {self.shown} {why}，未读取也未记录。",
            hint="可从备份恢复该文件，或用 --history 另指定一个文件"
            "（--no-history 则不读也不记报送历史）。",
        )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing

    def record_merge(self, content: Content, command: str) -> tuple[Version, bool]:
        """Record `content` as the period's new version; (the current version, whether new)."""
        return self._guard(lambda: self._record(content, command))

    def _record(self, content: Content, command: str) -> tuple[Version, bool]:
        db = self._db
        with self._transaction(db):
            region = self._info(db).get("region")
            if region is None:
                db.execute("INSERT INTO info VALUES ('region', ?)", (content.region,))
            self._require_region(region, content.region)
            current = self._current_id(content.period)
            digest = content.digest()
            if current is not None:
                same = db.execute("SELECT digest FROM merges WHERE id = ?", (current,)).fetchone()
                if same[0] == digest:
                    return self._version(current), False
            before = self._content(current) if current is not None else None
            user, host = who()
            number = db.execute(
                "SELECT coalesce(max(version), 0) + 1 FROM merges WHERE period = ?",
                (content.period.key,),
            ).fetchone()[0]
            cursor = db.execute(
                "INSERT INTO merges (period, year, quarter, version, recorded_at, command, user,"
                " host, region, register_file, register_sha256, digest, changes)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    content.period.key,
                    content.period.year,
                    content.period.quarter,
                    number,
                    now(),
                    command,
                    user,
                    host,
                    content.region,
                    content.register_file,
                    content.register_sha256,
                    digest,
                    json.dumps(what_changed(before, content), ensure_ascii=False),
                ),
            )
            self._insert_content(cursor.lastrowid, content)
            return self._version(cursor.lastrowid), True

    def _insert_content(self, merge_id: int | None, c: Content) -> None:
        db = self._db
        db.executemany(
            "INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    merge_id,
                    n,
                    r.id,
                    r.matter,
                    r.name,
                    r.annual_target,
                    r.quarter_target,
                    r.lead,
                    r.co,
                    r.progress,
                    r.plan,
                    r.evaluation,
                    r.status,
                )
                for n, r in enumerate(c.rows)
            ),
        )
        db.executemany(
            "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    merge_id,
                    e.project_id,
                    e.unit,
                    e.progress,
                    e.plan,
                    e.evaluation,
                    e.evaluation_typed,
                )
                for e in c.entries
            ),
        )
        db.executemany(
            "INSERT INTO returns VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (merge_id, r.unit, r.status, r.file, r.sha256, r.received, r.errors, r.warnings)
                for r in c.returns
            ),
        )
        db.executemany(
            "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (merge_id, n, f.code, f.level, f.unit, f.project_id, f.file, f.message)
                for n, f in enumerate(c.findings)
            ),
        )

    # -- reading

    def _info(self, db: sqlite3.Connection) -> dict[str, str]:
        return dict(db.execute("SELECT key, value FROM info").fetchall())

    @property
    def region(self) -> str | None:
        return self._guard(lambda: self._info(self._db).get("region"))

    def require_region(self, region: str) -> None:
        """Refuse to mix districts: the history is that of the first region recorded in it."""
        self._require_region(self.region, region)

    def _require_region(self, mine: str | None, region: str) -> None:
        if mine is not None and mine != region:
            raise HistoryError(
                f"报送历史 {self.shown} 记录的是{mine}，本次是{region}，未读取也未记录。",
                hint="每个地区用各自的报送历史：请用 --history 指定另一个文件。",
            )

    def _current_id(self, period: Period) -> int | None:
        row = self._db.execute(
            "SELECT id FROM merges WHERE period = ? ORDER BY version DESC LIMIT 1", (period.key,)
        ).fetchone()
        return row[0] if row else None

    _VERSION_COLUMNS = "period, version, recorded_at, command, user, host, register_file, changes"

    def _version_of(self, row: tuple[Any, ...]) -> Version:
        key, number, at, command, user, host, register, changes = row
        period = Period.parse_key(key)
        assert period is not None
        return Version(period, number, at, command, user, host, register, json.loads(changes))

    def _version(self, merge_id: int | None) -> Version:
        row = self._db.execute(
            f"SELECT {self._VERSION_COLUMNS} FROM merges WHERE id = ?", (merge_id,)
        ).fetchone()
        return self._version_of(row)

    def periods(self, year: int | None = None) -> list[Version]:
        """The current version of every recorded period (of `year`), oldest period first."""

        def read() -> list[Version]:
            rows = self._db.execute(
                f"SELECT {self._VERSION_COLUMNS} FROM merges m WHERE version ="
                " (SELECT max(version) FROM merges WHERE period = m.period)"
                " AND (? IS NULL OR year = ?) ORDER BY year, quarter",
                (year, year),
            ).fetchall()
            return [self._version_of(r) for r in rows]

        return self._guard(read)

    def versions(self, period: Period) -> list[Version]:
        """Every version of `period`, oldest first."""

        def read() -> list[Version]:
            rows = self._db.execute(
                f"SELECT {self._VERSION_COLUMNS} FROM merges WHERE period = ? ORDER BY version",
                (period.key,),
            ).fetchall()
            return [self._version_of(r) for r in rows]

        return self._guard(read)

    def record(self, period: Period, version: int | None = None) -> MergeRecord | None:
        """A version of `period` (the current one by default) with all it holds, or None."""

        def read() -> MergeRecord | None:
            if version is None:
                merge_id = self._current_id(period)
            else:
                row = self._db.execute(
                    "SELECT id FROM merges WHERE period = ? AND version = ?", (period.key, version)
                ).fetchone()
                merge_id = row[0] if row else None
            if merge_id is None:
                return None
            return MergeRecord(self._version(merge_id), self._content(merge_id))

        return self._guard(read)

    def _content(self, merge_id: int | None) -> Content:
        db = self._db
        key, region, register, register_sha = db.execute(
            "SELECT period, region, register_file, register_sha256 FROM merges WHERE id = ?",
            (merge_id,),
        ).fetchone()
        period = Period.parse_key(key)
        assert period is not None

        def select(table: str, columns: str, order: str) -> list[tuple[Any, ...]]:
            return db.execute(
                f"SELECT {columns} FROM {table} WHERE merge_id = ? ORDER BY {order}", (merge_id,)
            ).fetchall()

        rows = select(
            "rows",
            "id, matter, name, annual_target, quarter_target, lead, co, progress, plan,"
            " evaluation, status",
            "position",
        )
        entries = select(
            "entries",
            "project_id, unit, progress, plan, evaluation, evaluation_typed",
            "rowid",
        )
        returns = select(
            "returns", "unit, status, file, sha256, received, errors, warnings", "rowid"
        )
        findings = select("findings", "code, level, unit, project_id, file, message", "position")
        return Content(
            period,
            region,
            register,
            register_sha,
            [RowRecord(*r) for r in rows],
            [EntryRecord(*e) for e in entries],
            [ReturnRecord(*r) for r in returns],
            [FindingRecord(*f) for f in findings],
        )

    def project_quarters(
        self, project_id: str, year: int
    ) -> list[tuple[Version, RowRecord, list[EntryRecord]]]:
        """One project through `year`: each recorded quarter's current version, row and entries."""

        def read() -> list[tuple[Version, RowRecord, list[EntryRecord]]]:
            out = []
            for version in self.periods(year):
                merge_id = self._current_id(version.period)
                row = self._db.execute(
                    "SELECT id, matter, name, annual_target, quarter_target, lead, co, progress,"
                    " plan, evaluation, status FROM rows WHERE merge_id = ? AND id = ?",
                    (merge_id, project_id),
                ).fetchone()
                if row is None:
                    continue
                entries = self._db.execute(
                    "SELECT project_id, unit, progress, plan, evaluation, evaluation_typed"
                    " FROM entries WHERE merge_id = ? AND project_id = ? ORDER BY rowid",
                    (merge_id, project_id),
                ).fetchall()
                out.append((version, RowRecord(*row), [EntryRecord(*e) for e in entries]))
            return out

        return self._guard(read)

    def previous_quarter(self, period: Period) -> PreviousQuarter:
        """The texts of the quarter before `period`, as the checks and the forms take them."""
        before = period.previous
        if before is None:
            return no_previous(period, FOUND, self.shown)

        def read() -> PreviousQuarter:
            merge_id = self._current_id(before)
            if merge_id is None:
                return no_previous(period, NOT_RECORDED, self.shown)
            entries = {
                (pid, unit): PreviousEntry(progress, plan, evaluation)
                for pid, unit, progress, plan, evaluation in self._db.execute(
                    "SELECT project_id, unit, progress, plan, evaluation FROM entries"
                    " WHERE merge_id = ?",
                    (merge_id,),
                )
            }
            return PreviousQuarter(period, FOUND, entries, self.shown)

        return self._guard(read)


def previous_quarter(path: Path, period: Period, region: str) -> PreviousQuarter:
    """The quarter before `period` from the history at `path`; no file is no history yet."""
    if not Path(path).is_file():
        return no_previous(period, NO_HISTORY, shown(str(path)))
    with HistoryStore(path) as store:
        store.require_region(region)
        return store.previous_quarter(period)


@dataclass(frozen=True)
class Recorded:
    path: Path
    version: Version
    new: bool  # False: the same result as the current version, which stays current

    def note(self, root: Path | None = None) -> str:
        """What to tell the person; the file relative to `root` when inside it."""
        v = self.version
        if not self.new:
            return f"汇总结果与报送历史中{v.period.label}第 {v.version} 版相同，未新增版本。"
        path = self.path
        if root is not None and path.is_relative_to(root):
            path = path.relative_to(root)
        kept = "，之前的版本仍保留" if v.version > 1 else ""
        return f"已记入报送历史 {shown(str(path))}：{v.period.label}第 {v.version} 版{kept}。"

    def as_dict(self) -> dict[str, Any]:
        return {"file": shown(str(self.path)), "version": self.version.version, "new": self.new}


def record_merge(path: Path, result: MergeResult, command: str) -> Recorded:
    """Record a merge's result in the history at `path` (created when missing)."""
    with HistoryStore(path, create=True) as store:
        version, new = store.record_merge(from_merge(result), command)
    return Recorded(Path(path), version, new)
