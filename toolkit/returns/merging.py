"""Merging a quarter's returns: which return counts for each unit, and what it says.

Used by both `toolkit check` and `toolkit merge`, so both always agree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core.findings import Finding, finding
from toolkit.core.period import Period
from toolkit.register.model import Register
from toolkit.returns.checks import Entry, check_return
from toolkit.returns.intake import Intake, ReadCache, collect_files, take_in

RETURNED = "returned"
MISSING = "missing"
UNREADABLE = "unreadable"
STATUS_LABELS = {RETURNED: "已报送", MISSING: "未报送", UNREADABLE: "无法读取"}


@dataclass
class UnitReturn:
    unit: str
    status: str
    file: Path | None = None
    received: dt.datetime | None = None
    errors: int = 0
    warnings: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "status": self.status,
            "file": str(self.file) if self.file else None,
            "received": self.received.isoformat(timespec="seconds") if self.received else None,
            "errors": self.errors,
            "warnings": self.warnings,
        }


@dataclass
class MergeResult:
    register: Register
    period: Period
    units: list[UnitReturn]
    findings: list[Finding]
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)  # (序号, unit)
    files_read: int = 0

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)

    def entry(self, project_id: str, unit: str) -> Entry | None:
        return self.entries.get((project_id, unit))

    def findings_of(self, unit: str | None) -> list[Finding]:
        return [f for f in self.findings if f.unit == unit]


def external_link_finding(item: Intake) -> Finding:
    links = item.removed_links
    shown = "、".join(links[:5]) + (f" 等 {len(links)} 处" if len(links) > 5 else "")
    return finding(
        "external_link",
        f"文件引用了文件以外的内容：{shown}。转换时已删除这些引用，没有访问其地址；"
        "表中如需这些内容，请让报送单位把图片或文字直接放进文件后重新报送。",
        unit=item.unit,
        file=item.path.name,
    )


def _mtime(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime)


def merge_returns(
    register: Register,
    period: Period,
    paths: list[Path],
    *,
    normalize_numbering: bool = False,
    jobs: int = 1,
    cache: ReadCache | None = None,
) -> MergeResult:
    """Read, identify and check every return; `jobs` > 1 reads on that many processes.

    Returns are taken in one at a time: only what was read from each (its
    rows as text) is kept, never the parsed document. Files in `cache` that
    have not changed since are not read again.
    """
    files = collect_files(paths)
    findings: list[Finding] = []
    accepted: dict[str, list[Intake]] = defaultdict(list)
    unreadable: dict[str, Intake] = {}
    units = register.unit_names()

    for item in take_in(files, register, period, jobs=jobs, cache=cache):
        name = item.path.name
        if item.removed_links:
            findings.append(external_link_finding(item))
        if item.error is not None:
            findings.append(finding("unreadable", item.error, unit=item.unit, file=name))
            if item.unit:
                unreadable.setdefault(item.unit, item)
            continue
        if item.unit is None:
            findings.append(
                finding(
                    "unknown_unit",
                    "无法判断是哪个单位的回收表（文档属性、“填报单位”、文件名和项目行都对不上登记表），未汇总。",
                    file=name,
                )
            )
            continue
        if item.period is not None and item.period != period:
            findings.append(
                finding(
                    "wrong_period",
                    f"这是{item.period.label}的表，不是{period.label}的，未汇总。",
                    unit=item.unit,
                    file=name,
                )
            )
            continue
        # Keep only what was read, not the document, so memory stays flat.
        accepted[item.unit].append(item)

    entries: dict[tuple[str, str], Entry] = {}
    statuses: list[UnitReturn] = []
    for unit in units:
        candidates = sorted(accepted.get(unit, []), key=lambda i: (_mtime(i.path), i.path.name))
        if not candidates:
            status = UNREADABLE if unit in unreadable else MISSING
            bad = unreadable.get(unit)
            if status == MISSING:
                findings.append(
                    finding(
                        "missing_return",
                        f"未收到回收表（{len(register.projects_of(unit))} 个项目）。",
                        unit=unit,
                    )
                )
            statuses.append(UnitReturn(unit, status, bad.path if bad else None))
            continue
        chosen = candidates[-1]
        if len(candidates) > 1:
            others = "、".join(c.path.name for c in candidates[:-1])
            findings.append(
                finding(
                    "duplicate_return",
                    f"收到 {len(candidates)} 份回收表，使用最新的 {chosen.path.name}，"
                    f"未使用：{others}。",
                    unit=unit,
                    file=chosen.path.name,
                )
            )
        assert chosen.form is not None
        unit_entries, unit_findings = check_return(
            register, period, unit, chosen.form, normalize_numbering=normalize_numbering
        )
        findings.extend(unit_findings)
        for pid, e in unit_entries.items():
            entries[(pid, unit)] = e
        statuses.append(UnitReturn(unit, RETURNED, chosen.path, _mtime(chosen.path)))

    for s in statuses:
        mine = [f for f in findings if f.unit == s.unit]
        s.errors = sum(f.is_error for f in mine)
        s.warnings = len(mine) - s.errors
    return MergeResult(register, period, statuses, findings, entries, files_read=len(files))
