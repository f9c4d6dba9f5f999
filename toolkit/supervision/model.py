"""What a 督查通报 says, every number and name taken from the merge.

The statistics are the 一览表's (toolkit.summary.model.statistics), overall
and per 民生事项; the lagging list is the 一览表's lines whose evaluation is
进度滞后 or 严重滞后, with the unit and what it wrote under 存在问题及下一步
工作计划; the units listed in 附件2 are those the desk's board shows
missing, late (toolkit.returns.timeliness) or needing a notice
(toolkit.returns.sendback), with dates. Repeat laggards and each unit's
报送及时率 come from records of the year's earlier periods
(toolkit.supervision.year) when the caller has them. Nothing is estimated
or filled in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from toolkit.core import rules
from toolkit.core.findings import CODES
from toolkit.core.period import Period, chinese_date
from toolkit.office.filenames import received_at
from toolkit.returns.merging import MISSING, RETURNED, MergeResult
from toolkit.returns.sendback import (
    NONCONFORMING,
    REMINDER,
    RETURN,
    TITLES,
    notice_kind,
    own_findings,
    unit_status,
)
from toolkit.returns.timeliness import LATE, OVERDUE, Timeliness, timeliness
from toolkit.summary.model import (
    NOT_RETURNED,
    PARTIAL,
    PARTIAL_LABEL,
    UNRATED,
    SummaryRow,
    build_rows,
    group_rows,
    matter_label,
    share,
    statistics,
)
from toolkit.supervision.year import (
    LAGGING,
    PeriodRecord,
    TimelyRate,
    period_record,
    reporting_unit,
    timely_rates,
    year_records,
)

# The buckets a 通报's tables show beside the four evaluations: the rest, together.
OTHER = "其他"
# What the 通报 calls each situation of a unit (附件2).
MISSING_LABEL, OVERDUE_LABEL, LATE_LABEL = "未报送", "逾期未报送", "逾期报送"
NONCONFORMING_LABEL, SENT_BACK_LABEL = "报送材料不符合要求", "退回修改"


@dataclass(frozen=True)
class SentNotice:
    """A notice the desk wrote to a unit (toolkit.returns.sendback kinds), and when."""

    kind: str
    day: dt.date


@dataclass(frozen=True)
class MatterStats:
    label: str  # the 民生事项, or `第10件` where the register leaves it blank
    item: str
    stats: dict[str, int]  # as toolkit.summary.model.statistics, with OTHER


@dataclass(frozen=True)
class LaggingLine:
    """A line of the 一览表 whose evaluation is 进度滞后 or 严重滞后."""

    id: str
    name: str
    matter: str
    unit: str
    evaluation: str
    progress: str
    problem: str  # what the unit wrote under 存在问题及下一步工作计划
    before: str = ""  # its evaluation the quarter before, when that was lagging too


@dataclass(frozen=True)
class Standing:
    """A unit that was missing, late, or had to be sent back (附件2)."""

    unit: str
    situations: tuple[str, ...]
    day: dt.date | None  # when its return arrived, or the notice was sent
    note: str

    @property
    def situation(self) -> str:
        return "、".join(self.situations)


@dataclass
class Report:
    result: MergeResult
    today: dt.date
    deadline: dt.date | None
    rows: list[SummaryRow]
    stats: dict[str, int]
    matters: list[MatterStats]
    lagging: list[LaggingLine]
    timeliness: dict[str, Timeliness]
    notices: dict[str, str | None]  # unit -> the notice it needs now (sendback), if any
    standings: list[Standing]
    previous: Period | None  # the quarter before, within the year
    previous_known: bool  # whether a record of it was given (repeat laggards judged)
    periods: list[Period]  # the year's periods the 报送及时率 counts
    rates: list[TimelyRate]

    @property
    def repeats(self) -> list[LaggingLine]:
        """Lines lagging this quarter and the quarter before (挂牌督办 / 约谈 candidates)."""
        return [line for line in self.lagging if line.before]

    @property
    def counts(self) -> dict[str, int]:
        """Units by how they reported: 应报送, 已报送, 按时报送, 逾期报送, 未报送, ..."""
        units = self.result.units
        kinds = list(self.notices.values())
        return {
            "应报送": len(units),
            "已报送": sum(u.status == RETURNED for u in units),
            "按时报送": sum(t.state == "on_time" for t in self.timeliness.values()),
            "逾期报送": sum(t.state == LATE for t in self.timeliness.values()),
            "未报送": sum(u.status == MISSING for u in units),
            "逾期未报送": sum(
                u.status == MISSING and self.timeliness[u.unit].state == OVERDUE for u in units
            ),
            "报送材料不符合要求": kinds.count(NONCONFORMING),
            "退回修改": kinds.count(RETURN),
        }


def with_other(stats: dict[str, int]) -> dict[str, int]:
    """`stats` with OTHER: the projects not counted under one of the four evaluations."""
    return {**stats, OTHER: stats[PARTIAL] + stats[NOT_RETURNED] + stats[UNRATED]}


def build_report(
    result: MergeResult,
    *,
    deadline: dt.date | None = None,
    today: dt.date | None = None,
    sent: Mapping[str, SentNotice] | None = None,
    earlier: Sequence[PeriodRecord] = (),
) -> Report:
    """The 通报's facts; `sent`: the notices the desk has written, by unit (none on the
    command line, which writes no notices); `earlier`: records of earlier periods."""
    today = today or dt.date.today()
    rows = build_rows(result)
    timely = timeliness(result, deadline, today)
    year = year_records(period_record(result, timely), earlier)
    previous = result.period.previous
    before = next((r.lagging for r in year if r.period == previous), None)
    matters = [
        MatterStats(matter_label(g), g.item, with_other(statistics(g.rows)))
        for g in group_rows(rows)
    ]
    lagging = [
        LaggingLine(
            row.project.id,
            row.project.name,
            row.project.matter,
            line.unit,
            line.evaluation,
            line.progress,
            line.plan,
            (before or {}).get((row.project.id, reporting_unit(line)), ""),
        )
        for row in rows
        for line in row.lines
        if line.evaluation in LAGGING
    ]
    notices = {u.unit: notice_kind(result, u.unit) for u in result.units}
    standings = [
        s
        for u in result.units
        if (
            s := _standing(
                result, u.unit, timely[u.unit], notices[u.unit], (sent or {}).get(u.unit), today
            )
        )
    ]
    return Report(
        result,
        today,
        deadline,
        rows,
        with_other(statistics(rows)),
        matters,
        lagging,
        timely,
        notices,
        standings,
        previous,
        before is not None,
        [r.period for r in year],
        timely_rates([u.unit for u in result.units], year),
    )


def _standing(
    result: MergeResult,
    unit: str,
    timely: Timeliness,
    needs: str | None,
    sent: SentNotice | None,
    today: dt.date,
) -> Standing | None:
    status = unit_status(result, unit)
    situations: list[str] = []
    notes: list[str] = []
    day = timely.received.date() if timely.received else None
    if status.status == MISSING:
        situations.append(OVERDUE_LABEL if timely.state == OVERDUE else MISSING_LABEL)
        notes.append(f"截至{chinese_date(today)}未收到")
    if timely.state == LATE:
        situations.append(LATE_LABEL)
        notes.append(f"截止日期后{timely.days_late}天报送")
    if needs == NONCONFORMING:
        situations.append(NONCONFORMING_LABEL)
        kinds = dict.fromkeys(CODES[f.code][1] for f in own_findings(result, status) if f.is_error)
        notes.append("、".join(kinds) or "所报材料无法汇总")
        if day is None and status.file is not None:
            day = received_at(status.file)[0].date()
    elif needs == RETURN:
        situations.append(SENT_BACK_LABEL)
        errors = sum(f.is_error for f in own_findings(result, status))
        notes.append(f"{errors}处须修改")
    if sent is not None and sent.kind in (RETURN, NONCONFORMING):
        if SENT_BACK_LABEL not in situations:
            situations.append(SENT_BACK_LABEL)
        notes.append(f"{chinese_date(sent.day)}发出{TITLES[sent.kind]}")
        day = sent.day if needs else day
    elif sent is not None and sent.kind == REMINDER and status.status != RETURNED:
        notes.append(f"{chinese_date(sent.day)}已催报")
    if not situations:
        return None
    return Standing(unit, tuple(situations), day, "；".join(notes))


# ---------------------------------------------------------------- sentences


def overall_text(report: Report) -> str:
    """`龙华区2023年第三季度共有民生实事项目9项，其中已完成2项，占22.2%；…。`"""
    stats, total = report.stats, report.stats["total"]
    register, period = report.result.register, report.result.period
    parts = [f"{e}{stats[e]}项，占{share(stats[e], total)}" for e in rules.EVALUATIONS]
    for key, label in ((PARTIAL, PARTIAL_LABEL), (NOT_RETURNED, NOT_RETURNED), (UNRATED, UNRATED)):
        if stats[key]:
            parts.append(f"{label}{stats[key]}项，占{share(stats[key], total)}")
    return (
        f"{register.region}{period.label}共有民生实事项目{total}项，其中" + "；".join(parts) + "。"
    )


def returns_text(report: Report) -> str:
    """How the units reported, in one sentence."""
    c = report.counts
    text = f"应报送单位{c['应报送']}个，已报送{c['已报送']}个"
    if report.deadline is not None:
        text += f"（其中按时报送{c['按时报送']}个，逾期报送{c['逾期报送']}个）"
    text += f"，未报送{c['未报送']}个"
    if c["逾期未报送"]:
        text += f"（其中{c['逾期未报送']}个已超过截止日期）"
    if c["报送材料不符合要求"]:
        text += f"；报送材料不符合要求{c['报送材料不符合要求']}个"
    if c["退回修改"]:
        text += f"；报送内容需退回修改{c['退回修改']}个"
    if report.deadline is not None:
        return text + f"。报送截止日期为{chinese_date(report.deadline)}。"
    return text + "。未设报送截止日期，未统计报送是否及时。"


def lagging_text(report: Report) -> str:
    stats = report.stats
    if not report.lagging:
        return f"{report.result.period.label}没有进度滞后、严重滞后的项目。"
    units = len(dict.fromkeys(line.unit for line in report.lagging))
    return (
        f"进度滞后{stats[rules.BEHIND]}项、严重滞后{stats[rules.SEVERELY_BEHIND]}项，"
        f"涉及{units}个单位（项目名单及存在问题见附件1）。"
    )


def repeats_text(report: Report) -> str:
    """Repeat laggards in one sentence, or why there are none to name."""
    previous = report.previous
    if previous is None:
        return f"{report.result.period.label}是本年度第一个季度，不判断连续滞后。"
    if not report.previous_known:
        return f"未找到{previous.label}的汇总结果，未判断连续两个季度滞后的项目。"
    repeats = report.repeats
    if not repeats:
        return f"没有{previous.label}和本季度连续进度滞后、严重滞后的项目。"
    units = len(dict.fromkeys(line.unit for line in repeats))
    return f"{previous.label}和本季度连续进度滞后、严重滞后的项目{len(repeats)}项次，涉及{units}个单位。"


def rates_text(report: Report) -> str:
    """The year's 报送及时率 in one sentence."""
    counted = [r for r in report.rates if r.due]
    if not counted:
        return "本年度各季度未设报送截止日期（或尚未到截止日期），未统计报送及时率。"
    labels = "、".join(f"第{p.quarter_cn}季度" for p in report.periods)
    on_time = sum(r.on_time for r in counted)
    due = sum(r.due for r in counted)
    full = sum(r.on_time == r.due for r in counted)
    text = (
        f"{report.result.period.year}年{labels}，各单位应按时报送{due}次，按时报送{on_time}次，"
        f"报送及时率{share(on_time, due)}"
    )
    if full:
        text += f"；{full}个单位全部按时报送"
    return text + "（各单位情况见附件3）。"
