"""What the history keeps of one merge, as plain records (toolkit.history.store stores them).

A merge is kept as its 一览表 rows (what the 一览表 showed: a joint row's
least advanced evaluation, units' texts joined), each unit's entries (its
own texts and evaluation), each unit's return (status, file, hash, time)
and the findings. `from_merge` builds them from a MergeResult.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.core.period import Period
from toolkit.office.folder import shown

if TYPE_CHECKING:  # the merge's modules only where a merge is recorded: reading a history
    # (the quarter before's texts, for generate) needs none of them
    from toolkit.returns.merging import MergeResult


@dataclass(frozen=True)
class RowRecord:
    """One 一览表 row as merged."""

    id: str
    matter: str
    name: str
    annual_target: str
    quarter_target: str
    lead: str
    co: str
    progress: str
    plan: str
    evaluation: str  # canonical, typed text when not valid, or 未报送
    status: str  # 已报送 / 部分报送 / 未报送


@dataclass(frozen=True)
class EntryRecord:
    """What one unit reported for one row."""

    project_id: str
    unit: str
    progress: str
    plan: str
    evaluation: str | None  # canonical value, None when empty or not valid
    evaluation_typed: str


@dataclass(frozen=True)
class ReturnRecord:
    """Which file counted for a unit, and how it fared."""

    unit: str
    status: str  # returned / missing / unreadable / blank (toolkit.returns.merging)
    file: str | None  # as shown to the person
    sha256: str | None  # of the file's bytes when recorded
    received: str | None  # the file's time, ISO 8601
    errors: int
    warnings: int


@dataclass(frozen=True)
class FindingRecord:
    code: str
    level: str
    unit: str | None
    project_id: str | None
    file: str | None
    message: str


@dataclass(frozen=True)
class Content:
    """A merge's result: everything a version of a period holds but who recorded it and when."""

    period: Period
    region: str
    register_file: str
    register_sha256: str
    rows: list[RowRecord] = field(default_factory=list)
    entries: list[EntryRecord] = field(default_factory=list)
    returns: list[ReturnRecord] = field(default_factory=list)
    findings: list[FindingRecord] = field(default_factory=list)

    def digest(self) -> str:
        """Equal for two merges that came to the same result from the same files."""
        data = {
            "register": self.register_sha256,
            **{
                name: [asdict(r) for r in getattr(self, name)]
                for name in ("rows", "entries", "returns", "findings")
            },
        }
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def entry(self, project_id: str, unit: str) -> EntryRecord | None:
        return next(
            (e for e in self.entries if e.project_id == project_id and e.unit == unit), None
        )


@dataclass(frozen=True)
class Version:
    """One recorded version of a period: when, by whom, with what, and what changed."""

    period: Period
    version: int
    recorded_at: str  # local time, ISO 8601
    command: str  # `toolkit merge`, `工作台`
    user: str
    host: str
    register_file: str
    changes: dict[str, Any]  # toolkit.history.changes.what_changed


@dataclass(frozen=True)
class MergeRecord:
    version: Version
    content: Content


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:  # gone or unreadable since it was read: recorded without a hash
        return None


def from_merge(result: MergeResult) -> Content:
    from toolkit.summary.model import build_rows

    """The record of a merge, with the hash of every file it used, read now."""
    period = result.period
    rows = [
        RowRecord(
            id=r.project.id,
            matter=r.project.matter,
            name=r.project.name,
            annual_target=r.project.annual_target,
            quarter_target=r.project.quarter_target(period.quarter),
            lead=r.project.lead,
            co=r.project.co,
            progress=r.progress,
            plan=r.plan,
            evaluation=r.evaluation,
            status=r.status,
        )
        for r in build_rows(result)
    ]
    entries = [
        EntryRecord(e.id, e.unit, e.progress, e.plan, e.evaluation, e.evaluation_typed)
        for e in result.entries.values()
    ]
    returns = [
        ReturnRecord(
            unit=u.unit,
            status=u.status,
            file=shown(u.file.name) if u.file else None,
            sha256=_sha256(u.file) if u.file else None,
            received=u.received.isoformat(timespec="seconds") if u.received else None,
            errors=u.errors,
            warnings=u.warnings,
        )
        for u in result.units
    ]
    # A message may quote a file name that is not valid UTF-8: stored as it is shown.
    findings = [
        FindingRecord(
            f.code, f.level, f.unit, f.id, shown(f.file) if f.file else None, shown(f.message)
        )
        for f in result.findings
    ]
    register = result.register.path
    return Content(
        period,
        result.register.region,
        shown(register.name),
        _sha256(register) or "",
        rows,
        entries,
        returns,
        findings,
    )


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")
