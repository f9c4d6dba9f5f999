"""Merging a quarter's returns: which return counts for each unit, and what it says.

Used by both `toolkit check` and `toolkit merge`, so both always agree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

from toolkit.core.findings import Finding, finding
from toolkit.core.period import Period
from toolkit.core.previous import PreviousQuarter
from toolkit.errors import ToolkitError
from toolkit.office.filenames import received_at
from toolkit.office.folder import shown
from toolkit.register.model import Register
from toolkit.returns.checks import Entry, check_return
from toolkit.returns.intake import Intake, ReadCache, failure_message, take_in, unit_in_text
from toolkit.returns.review import review_return, review_settings
from toolkit.returns.survey import (
    BLANK_FORM,
    KIND_LABELS,
    MAY_HIDE_A_RETURN,
    NOT_WORD,
    OWN_OUTPUT,
    Skipped,
    survey,
)

RETURNED = "returned"
MISSING = "missing"
UNREADABLE = "unreadable"
BLANK = "blank"  # only a form with nothing filled in
STATUS_LABELS = {RETURNED: "已报送", MISSING: "未报送", UNREADABLE: "无法读取", BLANK: "未填写"}


@dataclass
class UnitReturn:
    unit: str
    status: str
    file: Path | None = None
    received: dt.datetime | None = None
    errors: int = 0
    warnings: int = 0
    # What `received` was taken from: the upload time in a stored name, or the file's time
    # (toolkit.office.filenames.received_at).
    received_from: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "status": self.status,
            "file": shown(str(self.file)) if self.file else None,
            "received": self.received.isoformat(timespec="seconds") if self.received else None,
            "received_from": self.received_from,
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
    taken_in: list[Path] = field(default_factory=list)  # files taken in as returns
    skipped: list[Skipped] = field(default_factory=list)  # every other file, with why
    paths: list[Path] = field(default_factory=list)  # as given

    @property
    def files_read(self) -> int:
        return len(self.taken_in)

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)

    def entry(self, project_id: str, unit: str) -> Entry | None:
        return self.entries.get((project_id, unit))

    def findings_of(self, unit: str | None) -> list[Finding]:
        return [f for f in self.findings if f.unit == unit]

    def inputs(self) -> list[Path]:
        """Every file found but the toolkit's own outputs: what no output may replace."""
        return [*self.taken_in, *(s.path for s in self.skipped if s.kind != OWN_OUTPUT)]


def external_link_finding(item: Intake, name: str) -> Finding:
    links = item.removed_links
    listed = "、".join(links[:5]) + (f" 等 {len(links)} 处" if len(links) > 5 else "")
    return finding(
        "external_link",
        f"文件引用了文件以外的内容：{listed}。转换时已删除这些引用，没有访问其地址；"
        "表中如需这些内容，请让报送单位把图片或文字直接放进文件后重新报送。",
        unit=item.unit,
        file=name,
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
    summary_columns: Collection[str] = (),
    previous: PreviousQuarter | None = None,
) -> MergeResult:
    """Read, identify and check every return; `jobs` > 1 reads on that many processes.

    `summary_columns`: the extra columns (row.extra['…']) the 一览表 template
    shows; other columns a unit adds are reported (`unused_column`).

    Returns are taken in one at a time: only what was read from each (its
    rows as text) is kept, never the parsed document. Files in `cache` that
    have not changed since are not read again. `previous` holds the quarter
    before's texts, for the hints comparing with them.
    """
    review = review_settings(register)  # a 设置 that cannot be used stops here, before reading
    found = survey(paths)
    units = register.unit_names()
    findings: list[Finding] = []
    accepted: dict[str, list[Intake]] = defaultdict(list)
    unreadable: dict[str, Path] = {}  # unit -> a file of it that could not be read
    blank: dict[str, list[Path]] = defaultdict(list)
    taken_in: list[Path] = []
    skipped = [replace(s, unit=unit_in_text(s.path.stem, units, register)) for s in found.skipped]

    for item in take_in(found.files, register, period, jobs=jobs, errors=found.errors, cache=cache):
        name = shown(item.path.name)
        if item.removed_links:
            findings.append(external_link_finding(item, name))
        if item.skipped is not None:
            if item.skipped.kind != BLANK_FORM or item.unit not in units:
                skipped.append(item.skipped)
            elif item.path.parent in found.distribution_folders:
                # The office's own copy, beside the 分发清单: says nothing of what the unit sent.
                kept_copy = f"{item.skipped.reason}，是与分发清单放在一起的留底"
                skipped.append(replace(item.skipped, reason=kept_copy))
            else:
                skipped.append(item.skipped)
                blank[item.unit].append(item.path)
            continue
        taken_in.append(item.path)
        for message in item.conflicts:
            findings.append(finding("identity_conflict", message, unit=item.unit, file=name))
        if item.error is not None:
            findings.append(finding("unreadable", item.error, unit=item.unit, file=name))
            if item.unit:
                unreadable.setdefault(item.unit, item.path)
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

    skipped.sort(key=lambda s: str(s.path))
    for s in skipped:
        if s.kind in MAY_HIDE_A_RETURN or (s.kind == NOT_WORD and s.unit):
            reason = s.reason if s.kind != NOT_WORD else f"{s.reason}：请报送 Word 版填报表"
            findings.append(
                finding("skipped_file", f"{reason}。", unit=s.unit, file=shown(s.path.name))
            )
            if s.unit:
                unreadable.setdefault(s.unit, s.path)

    entries: dict[tuple[str, str], Entry] = {}
    statuses: list[UnitReturn] = []
    for unit in units:
        # A return the unit filled always beats a blank form: blank ones are not candidates.
        candidates = sorted(accepted.get(unit, []), key=lambda i: (_mtime(i.path), i.path.name))
        if not candidates:
            statuses.append(_not_returned(unit, register, unreadable, blank, findings))
            continue
        chosen = candidates[-1]
        if len(candidates) > 1:
            others = "、".join(shown(c.path.name) for c in candidates[:-1])
            findings.append(
                finding(
                    "duplicate_return",
                    f"收到 {len(candidates)} 份回收表，使用最新的 {shown(chosen.path.name)}，"
                    f"未使用：{others}。",
                    unit=unit,
                    file=shown(chosen.path.name),
                )
            )
        assert chosen.form is not None
        try:
            unit_entries, unit_findings = check_return(
                register,
                period,
                unit,
                chosen.form,
                normalize_numbering=normalize_numbering,
                summary_columns=summary_columns,
            )
            unit_findings += review_return(
                register, period, unit, unit_entries, previous, review, shown(chosen.path.name)
            )
        except Exception as exc:  # as in take_one: one odd return must not stop the merge
            findings.append(
                finding(
                    "unreadable",
                    failure_message(exc, "检查"),
                    unit=unit,
                    file=shown(chosen.path.name),
                )
            )
            statuses.append(UnitReturn(unit, UNREADABLE, chosen.path))
            continue
        findings.extend(unit_findings)
        for pid, e in unit_entries.items():
            entries[(pid, unit)] = e
        received, received_from = received_at(chosen.path)
        statuses.append(
            UnitReturn(unit, RETURNED, chosen.path, received, received_from=received_from)
        )

    for s in statuses:
        mine = [f for f in findings if f.unit == s.unit]
        s.errors = sum(f.is_error for f in mine)
        s.warnings = len(mine) - s.errors
    return MergeResult(
        register, period, statuses, findings, entries, taken_in, skipped, list(paths)
    )


def _not_returned(
    unit: str,
    register: Register,
    unreadable: dict[str, Path],
    blank: dict[str, list[Path]],
    findings: list[Finding],
) -> UnitReturn:
    """A unit without a usable return: one that could not be read, only a blank form, or nothing."""
    if unit in unreadable:
        return UnitReturn(unit, UNREADABLE, unreadable[unit])
    if unit in blank:
        newest = max(blank[unit], key=lambda p: (_mtime(p), p.name))
        findings.append(
            finding(
                "blank_form",
                f"只收到未填写的空白填报表 {shown(newest.name)}（进展情况、进度评价等都是空的），"
                "未汇总：请让该单位填写后重新报送。",
                unit=unit,
                file=shown(newest.name),
            )
        )
        return UnitReturn(unit, BLANK, newest)
    findings.append(
        finding(
            "missing_return",
            f"未收到回收表（{len(register.projects_of(unit))} 个项目）。",
            unit=unit,
        )
    )
    return UnitReturn(unit, MISSING)


def require_returns(result: MergeResult) -> None:
    """Refuse to go on when the paths hold no return at all (an empty or wrong folder)."""
    if result.taken_in:
        return
    where = "、".join(shown(str(p)) for p in result.paths) or "回收表文件夹"
    kinds = Counter(s.kind for s in result.skipped)
    held = "、".join(f"{KIND_LABELS[k]} {n} 个" for k, n in kinds.items())
    raise ToolkitError(
        f"{where} 中没有回收表"
        + (f"，只有{held}" if held else "，没有任何文件")
        + "。未写入任何文件。",
        hint="请给出存放各单位交回的填报表的文件夹（toolkit generate 生成的是空白填报表，不是回收表）。",
    )
