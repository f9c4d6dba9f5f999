"""The year's view: every project's four quarters side by side, from the history.

Each quarter shows what that quarter's 一览表 showed (its current version in
the history): the row's evaluation, progress and plan. A quarter with no
merge recorded is 未汇总; a project a quarter's register did not have is
blank there. The year's statistics are each quarter's, counted as the
一览表 counts them (summary.model.statistics); the year's result is the
latest merged quarter's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.core import rules
from toolkit.errors import UsageError
from toolkit.history.records import MergeRecord, RowRecord, Version
from toolkit.history.store import HistoryStore
from toolkit.summary.model import statistics, statistics_text

NOT_MERGED = "未汇总"
QUARTERS = (1, 2, 3, 4)


@dataclass(frozen=True)
class QuarterCell:
    """One project in one quarter."""

    quarter: int
    merged: bool  # the quarter has a merge in the history
    row: RowRecord | None  # None: not merged, or not in that quarter's register

    @property
    def evaluation(self) -> str:
        if not self.merged:
            return NOT_MERGED
        return self.row.evaluation if self.row else ""

    @property
    def progress(self) -> str:
        return self.row.progress if self.row else ""

    @property
    def plan(self) -> str:
        return self.row.plan if self.row else ""

    @property
    def label(self) -> str:
        return f"第{rules.QUARTER_CN[self.quarter]}季度"


@dataclass
class AnnualRow:
    project: RowRecord  # as the latest quarter holding it had it
    quarters: list[QuarterCell]

    @property
    def latest(self) -> QuarterCell | None:
        """The last quarter holding the project (its progress is the year's latest)."""
        return next((q for q in reversed(self.quarters) if q.row is not None), None)


@dataclass
class QuarterStats:
    quarter: int
    version: Version | None  # None: not merged
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"第{rules.QUARTER_CN[self.quarter]}季度"

    @property
    def text(self) -> str:
        return statistics_text(self.stats) if self.version else NOT_MERGED


@dataclass
class YearView:
    region: str
    year: int
    rows: list[AnnualRow]
    quarters: list[QuarterStats]

    @property
    def merged(self) -> list[int]:
        return [q.quarter for q in self.quarters if q.version]

    @property
    def coverage(self) -> str:
        """`已汇总：第一、二、三季度；未汇总：第四季度`"""
        done = [rules.QUARTER_CN[q] for q in self.merged]
        missing = [rules.QUARTER_CN[q] for q in QUARTERS if q not in self.merged]
        text = f"已汇总：第{'、'.join(done)}季度" if done else "尚无汇总"
        return text + (f"；未汇总：第{'、'.join(missing)}季度" if missing else "")

    @property
    def result_text(self) -> str:
        """The year's result: the latest merged quarter's statistics."""
        latest = next((q for q in reversed(self.quarters) if q.version), None)
        if latest is None:
            return ""
        if latest.quarter == 4:
            return f"全年（以第四季度汇总为准）{latest.text}"
        return f"截至{latest.label}（第四季度尚未汇总）{latest.text}"

    def row(self, project_id: str) -> AnnualRow | None:
        return next((r for r in self.rows if r.project.id == project_id), None)


def year_view(store: HistoryStore, year: int) -> YearView:
    """The year from the history's current versions; raises when it holds no merge of the year."""
    records: dict[int, MergeRecord] = {}
    for version in store.periods(year):
        record = store.record(version.period)
        if record is not None:
            records[version.period.quarter] = record
    if not records:
        held = sorted({v.period.year for v in store.periods()})
        raise UsageError(
            f"报送历史 {store.shown} 中没有{year}年的汇总记录。",
            hint=f"其中有：{'、'.join(f'{y}年' for y in held)}。" if held else "先汇总各季度。",
        )
    by_quarter = {q: {r.id: r for r in rec.content.rows} for q, rec in records.items()}
    # Projects in the latest quarter's order; those only earlier quarters had follow them.
    order: dict[str, RowRecord] = {}
    for q in sorted(records, reverse=True):
        for r in records[q].content.rows:
            order.setdefault(r.id, r)
    rows = [
        AnnualRow(
            project,
            [QuarterCell(q, q in records, by_quarter.get(q, {}).get(pid)) for q in QUARTERS],
        )
        for pid, project in order.items()
    ]
    quarters = [
        QuarterStats(q, records[q].version, statistics(records[q].content.rows))
        if q in records
        else QuarterStats(q, None)
        for q in QUARTERS
    ]
    return YearView(next(iter(records.values())).content.region, year, rows, quarters)


def annual_title(region: str, year: int) -> str:
    return f"{region}{year}年民生实事项目全年进展情况一览表"
