"""Every file a unit sent for a period, read in order, and what changed from one to the next.

The desk keeps each upload (回收表/<单位>/<时间>-<文件名>): after a 退回 and a
resubmission, the office sees, row by row, how the typed texts changed.
Files are read and checked exactly as a merge reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core import rules, texts
from toolkit.core.period import Period
from toolkit.office.folder import shown
from toolkit.register.model import Register
from toolkit.returns.checks import Entry, check_return
from toolkit.returns.intake import Intake, ReadCache, take_in

# What is compared, with its label.
_FIELDS = (
    ("progress", rules.COLUMN_LABELS[rules.PROGRESS]),
    ("plan", rules.COLUMN_LABELS[rules.PLAN]),
    ("evaluation_typed", rules.COLUMN_LABELS[rules.EVALUATION]),
)


@dataclass(frozen=True)
class FieldChange:
    project_id: str
    name: str  # the project's name
    label: str  # 进展情况 / 存在问题及下一步工作计划 / 进度评价
    before: str
    after: str
    segments: list[texts.Segment]


@dataclass
class SentVersion:
    path: Path
    number: int  # 1 for the first file the unit sent
    problem: str | None  # why it was not read as the unit's return (unreadable, blank, …)
    entries: dict[str, Entry] = field(default_factory=dict)  # by 序号
    changes: list[FieldChange] = field(default_factory=list)  # against the last version read
    compared_with: int | None = None  # the number of that version

    @property
    def name(self) -> str:
        return shown(self.path.name)


def sent_versions(
    register: Register,
    period: Period,
    unit: str,
    paths: list[Path],
    *,
    cache: ReadCache | None = None,
) -> list[SentVersion]:
    """`paths` (oldest first) read as `unit`'s returns, each compared with the last one read.

    Files in `cache` unchanged since a merge read them are not read again.
    """
    out: list[SentVersion] = []
    last: SentVersion | None = None
    for n, item in enumerate(take_in(paths, register, period, cache=cache), start=1):
        version = SentVersion(item.path, n, _problem(item, period))
        if version.problem is None and item.form is not None:
            version.entries, _ = check_return(register, period, unit, item.form)
            if last is not None:
                version.changes = changes(register, last.entries, version.entries)
                version.compared_with = last.number
            last = version
        out.append(version)
    return out


def _problem(item: Intake, period: Period) -> str | None:
    if item.error:
        return item.error
    if item.skipped is not None:
        return item.skipped.reason
    if item.period is not None and item.period != period:
        return f"这是{item.period.label}的表"
    return None


def changes(
    register: Register, before: dict[str, Entry], after: dict[str, Entry]
) -> list[FieldChange]:
    """Fields whose typed text differs, in register order."""
    out = []
    ids = sorted(before.keys() | after.keys(), key=rules.id_sort_key)
    for pid in ids:
        project = register.project(pid)
        name = project.name if project else ""
        for attr, label in _FIELDS:
            old = getattr(before[pid], attr) if pid in before else ""
            new = getattr(after[pid], attr) if pid in after else ""
            if old != new:
                out.append(FieldChange(pid, name, label, old, new, texts.diff(old, new)))
    return out
