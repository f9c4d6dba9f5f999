"""The status board: one row per unit, built from the core's MergeResult.

Nothing is decided here that the core does not decide: status, counts and
findings come from `merge_returns`, timeliness from toolkit.returns.timeliness,
the period's evaluations from the 一览表's model; this module only adds the
files on disk, for display.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core import rules
from toolkit.core.findings import CODES, LEVEL_LABELS, Finding
from toolkit.core.period import Period
from toolkit.desk.chart import EvaluationChart, evaluation_chart
from toolkit.desk.notice import notice_kind
from toolkit.desk.workspace import UNIDENTIFIED_DIR, ReceivedFile, Workspace, unit_folder_name
from toolkit.returns.merging import BLANK, MISSING, RETURNED, STATUS_LABELS, UNREADABLE, MergeResult
from toolkit.returns.survey import Skipped
from toolkit.returns.timeliness import Timeliness, timeliness
from toolkit.supervision.year import TimelyRate, period_record, timely_rates, year_records


@dataclass
class FindingView:
    id: str
    level: str  # error / warning
    level_label: str  # 错误 / 提示
    kind: str  # the code's Chinese name
    message: str
    file: str
    code: str


@dataclass
class UnitRow:
    unit: str
    projects: int
    status: str  # returned / missing / unreadable / blank
    status_label: str
    timeliness: Timeliness  # against the period's deadline, when there is one
    received: dt.datetime | None
    errors: int
    warnings: int
    used: Path | None  # the file the merge uses
    files: list[ReceivedFile]
    form: Path | None  # the generated form, if any
    findings: list[FindingView] = field(default_factory=list)
    notice: str | None = None  # the notice the unit needs now (toolkit.desk.notice), if any
    rate: TimelyRate | None = None  # 报送及时率 over the year's periods on the desk

    @property
    def late(self) -> bool:
        """Returned after the deadline, or not returned once it has passed."""
        return self.timeliness.late

    @property
    def css(self) -> str:
        if self.status == RETURNED:
            return "bad" if self.errors else ("warn" if self.warnings else "ok")
        if self.status in (UNREADABLE, BLANK):
            return "bad"
        return "late" if self.late else "missing"


@dataclass
class Board:
    period: Period
    rows: list[UnitRow]
    orphans: list[FindingView]  # files no unit could be found for
    unidentified: list[ReceivedFile]
    skipped: list[Skipped]  # files the merge does not read, with why
    deadline: dt.date | None
    result: MergeResult
    chart: EvaluationChart  # the period's evaluations, overall and per 民生事项
    year_periods: list[Period] = field(default_factory=list)  # what the 报送及时率 counts

    @property
    def rates_counted(self) -> bool:
        return any(r.rate and r.rate.due for r in self.rows)  # a deadline has passed

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "total": len(self.rows),
            "returned": self.count(RETURNED),
            "missing": self.count(MISSING),
            "unreadable": self.count(UNREADABLE),
            "blank": self.count(BLANK),
            "with_errors": sum(r.status == RETURNED and r.errors > 0 for r in self.rows),
            "late": sum(r.late and r.status != RETURNED for r in self.rows),
            "late_returned": sum(r.late and r.status == RETURNED for r in self.rows),
        }

    def row(self, unit: str) -> UnitRow | None:
        return next((r for r in self.rows if r.unit == unit), None)


def view(f: Finding) -> FindingView:
    return FindingView(
        f.id or "",
        f.level,
        LEVEL_LABELS[f.level],
        CODES[f.code][1],
        f.message,
        f.file or "",
        f.code,
    )


def sorted_views(findings: list[Finding]) -> list[FindingView]:
    ordered = sorted(findings, key=lambda f: (rules.id_sort_key(f.id or ""), f.level != "error"))
    return [view(f) for f in ordered]


def build_board(ws: Workspace, period: Period, today: dt.date | None = None) -> Board:
    result = ws.merge(period)
    register = result.register
    today = today or dt.date.today()
    deadline = ws.period_deadline(period)
    timely = timeliness(result, deadline, today)
    year = year_records(period_record(result, timely), ws.earlier_records(period, today))
    rates = {r.unit: r for r in timely_rates(list(timely), year)}
    received = ws.received_files(period)
    forms = ws.form_files(period)
    rows = []
    for u in result.units:
        files = received.get(unit_folder_name(u.unit), [])
        rows.append(
            UnitRow(
                unit=u.unit,
                projects=len(register.projects_of(u.unit)),
                status=u.status,
                status_label=STATUS_LABELS[u.status],
                timeliness=timely[u.unit],
                received=u.received,
                errors=u.errors,
                warnings=u.warnings,
                used=u.file,
                files=files,
                form=forms.get(u.unit),
                findings=sorted_views(result.findings_of(u.unit)),
                notice=notice_kind(result, u.unit),
                rate=rates[u.unit],
            )
        )
    return Board(
        period=period,
        rows=rows,
        orphans=[view(f) for f in result.findings_of(None)],
        unidentified=received.get(UNIDENTIFIED_DIR, []),
        skipped=result.skipped,
        deadline=deadline,
        result=result,
        chart=evaluation_chart(result),
        year_periods=[r.period for r in year],
    )
