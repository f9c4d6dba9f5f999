"""The district 一览表: rows in register order, grouped by 民生事项.

One model (`SummaryRow`, `SummaryGroup`) feeds both the Word table (through
the summary template, toolkit.summary.document) and the Excel table
(toolkit.summary.workbooks), so the two always agree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from toolkit.core import rules
from toolkit.core.period import Period
from toolkit.errors import RegisterError
from toolkit.office import barchart
from toolkit.office.filenames import safe_name
from toolkit.register.model import Project
from toolkit.returns.merging import MergeResult

NOT_RETURNED = "未报送"
RETURNED, PARTIAL = "已报送", "部分报送"
MARK = "▋"
DEFAULT_COLORS = {
    rules.ON_TRACK: "00B050",  # green
    rules.BEHIND: "FFC000",  # yellow
    rules.SEVERELY_BEHIND: "FF0000",  # red
}


def evaluation_colors(settings: dict[str, str]) -> dict[str, str]:
    """Colours from 设置 (`正常推进颜色` = `00B050`), else the defaults."""
    colors = dict(DEFAULT_COLORS)
    for name in colors:
        value = settings.get(f"{name}颜色", "").lstrip("#").upper()
        if len(value) == 6 and all(c in "0123456789ABCDEF" for c in value):
            colors[name] = value
    return colors


@dataclass
class UnitPart:
    unit: str
    label: str
    status: str  # 已报送 / 未报送
    progress: str
    plan: str
    evaluation: str  # canonical, typed text when not valid, or 未报送


@dataclass
class SummaryRow:
    project: Project
    parts: list[UnitPart]
    progress: str
    plan: str
    evaluation: str  # of the units that reported: a joint row's least advanced
    status: str
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def lines(self) -> list[SummaryLine]:
        """The table rows that show this project: one, or one per lead unit of a joint project."""
        if len(self.parts) <= 1:
            return [SummaryLine(self, None, True)]
        return [SummaryLine(self, part, n == 0) for n, part in enumerate(self.parts)]


@dataclass
class SummaryLine:
    """One row of the 一览表's table: a project, or one lead unit's part of a joint project.

    A joint project (区委组织部、民政局、各街道) is shown as one line per
    lead unit, each with the 序号 and 项目名称 and what that unit reported:
    a line fits on a page, so none is split and no page continues a project
    without saying which. The project's own columns (targets, 主办单位 as
    the register writes it, 协办单位) belong to all its lines: the Word
    一览表 merges them over the lines. A line too tall for a page is cut
    into pieces (`pieces`), each a line of its own marked （续）.
    """

    row: SummaryRow
    part: UnitPart | None  # the unit of a joint project's line; None for a one-unit project
    first: bool  # the project's first line
    continued: bool = False  # goes on with the text of the line above (see `pieces`)
    texts: tuple[str, str] | None = None  # (progress, plan) of a piece of a line

    def pieces(self, progress: list[str], plan: list[str]) -> list[SummaryLine]:
        """This line as several, when its text is too tall for one row: `progress` and
        `plan` cut into pieces; every piece after the first continues the line."""
        count = max(len(progress), len(plan))
        if count <= 1:
            return [self]
        progress = progress + [""] * (count - len(progress))
        plan = plan + [""] * (count - len(plan))
        return [
            replace(
                self, first=self.first and k == 0, continued=k > 0, texts=(progress[k], plan[k])
            )
            for k in range(count)
        ]

    @property
    def project(self) -> Project:
        return self.row.project

    @property
    def name(self) -> str:
        """项目名称, marked （续） on a continuing line."""
        return f"{self.project.name}（续）" if self.continued else self.project.name

    @property
    def unit(self) -> str:
        """Whose report the line shows: a joint project's unit, else 主办单位 as written."""
        return self.part.label if self.part else self.project.lead

    @property
    def progress(self) -> str:
        if self.texts is not None:
            return self.texts[0]
        if self.part is None:
            return self.row.progress
        return self.part.progress if self.part.status == RETURNED else NOT_RETURNED

    @property
    def labelled_progress(self) -> str:
        """The progress, headed by the unit on a joint project's line (`民政局：…`)."""
        if self.texts is not None or self.part is None:
            return self.progress
        return _section(self.part, "progress")

    @property
    def plan(self) -> str:
        if self.texts is not None:
            return self.texts[1]
        if self.part is None:
            return self.row.plan
        return self.part.plan if self.part.status == RETURNED else ""

    @property
    def evaluation(self) -> str:
        return self.part.evaluation if self.part else self.row.evaluation

    @property
    def status(self) -> str:
        return self.part.status if self.part else self.row.status


@dataclass
class SummaryGroup:
    matter: str
    item: str
    rows: list[SummaryRow]

    @property
    def lines(self) -> list[SummaryLine]:
        return [line for row in self.rows for line in row.lines]


def _joined(parts: list[UnitPart], attr: str) -> str:
    if len(parts) == 1:
        p = parts[0]
        return (
            getattr(p, attr)
            if p.status == RETURNED
            else (NOT_RETURNED if attr == "progress" else "")
        )
    return "\n".join(_section(p, attr) for p in parts)


def _section(p: UnitPart, attr: str) -> str:
    """A unit's part of a joint project's text: `民政局：` and what it wrote."""
    if p.status != RETURNED:
        return f"{p.label}：{NOT_RETURNED}"
    text = getattr(p, attr)
    return f"{p.label}：\n{text}" if text else f"{p.label}：无"


def build_rows(result: MergeResult) -> list[SummaryRow]:
    rows = []
    for project in result.register.projects:
        parts = []
        for lead in project.leads:
            entry = result.entry(project.id, lead.unit)
            if entry is None:
                parts.append(UnitPart(lead.unit, lead.label, NOT_RETURNED, "", "", NOT_RETURNED))
            else:
                parts.append(
                    UnitPart(
                        lead.unit,
                        lead.label,
                        RETURNED,
                        entry.progress,
                        entry.plan,
                        entry.evaluation or entry.evaluation_typed,
                    )
                )
        returned = [p for p in parts if p.status == RETURNED]
        if not returned:
            evaluation = NOT_RETURNED
        else:  # a joint row shows the least advanced of the units that reported
            evaluation = rules.least_advanced([p.evaluation for p in returned]) or next(
                (p.evaluation for p in returned if p.evaluation), ""
            )
        status = RETURNED if len(returned) == len(parts) else PARTIAL if returned else NOT_RETURNED
        extra = dict(project.extra)
        for p in returned:
            entry = result.entry(project.id, p.unit)
            if entry:
                extra.update({k: v for k, v in entry.extra.items() if k not in extra})
        rows.append(
            SummaryRow(
                project,
                parts,
                _joined(parts, "progress"),
                _joined(parts, "plan"),
                evaluation,
                status,
                extra,
            )
        )
    return rows


def group_rows(rows: list[SummaryRow]) -> list[SummaryGroup]:
    """Consecutive rows of one 民生事项 (or, where it is blank, one 件)."""
    groups: list[SummaryGroup] = []
    for row in rows:
        p = row.project
        key = p.matter or f"#{p.item}"
        last = groups[-1] if groups else None
        if last and (last.matter or f"#{last.item}") == key:
            last.rows.append(row)
        else:
            groups.append(SummaryGroup(p.matter, p.item, [row]))
    return groups


UNRATED = "未评价"
PARTIAL_LABEL = "部分单位未报送"


class Rated(Protocol):
    """A row as counted: a SummaryRow, or one kept in the history."""

    @property
    def status(self) -> str: ...
    @property
    def evaluation(self) -> str: ...


def statistics(rows: Sequence[Rated]) -> dict[str, int]:
    """Rows per evaluation, over rows all of whose units reported; the buckets add up to total.

    部分报送 counts joint rows some of whose units did not report: their
    evaluation speaks only for the others, so they are not counted with it.
    """
    stats = {"total": len(rows), **{e: 0 for e in rules.EVALUATIONS}, NOT_RETURNED: 0, UNRATED: 0}
    stats[PARTIAL] = 0
    for row in rows:
        if row.status == PARTIAL:
            stats[PARTIAL] += 1
        else:
            stats[row.evaluation if row.evaluation in stats else UNRATED] += 1
    return stats


def share(count: int, total: int) -> str:
    """`33.3%`: a count as a share of the total, to one decimal (`0%` of nothing)."""
    return f"{count / total * 100:.1f}%" if total else "0%"


# The buckets of `statistics` in the order tables and charts show them, with their labels.
STATISTICS_ORDER = (*rules.EVALUATIONS, PARTIAL, NOT_RETURNED, UNRATED)
STATISTICS_LABELS = {**{e: e for e in rules.EVALUATIONS}, PARTIAL: PARTIAL_LABEL}
STATISTICS_LABELS |= {NOT_RETURNED: NOT_RETURNED, UNRATED: UNRATED}


def bucket_looks(settings: dict[str, str]) -> dict[str, tuple[str, str]]:
    """How each bucket of `statistics` looks in a chart: (colour, hatch).

    The evaluations keep the 一览表's colours (设置 may change them); the
    hatches tell them apart in a black-and-white print.
    """
    colors = evaluation_colors(settings)
    return {
        rules.COMPLETED: ("2F5597", barchart.SOLID),
        rules.ON_TRACK: (colors[rules.ON_TRACK], barchart.DIAGONAL),
        rules.BEHIND: (colors[rules.BEHIND], barchart.CROSS),
        rules.SEVERELY_BEHIND: (colors[rules.SEVERELY_BEHIND], barchart.DOTS),
        PARTIAL: ("BFBFBF", barchart.HORIZONTAL),
        NOT_RETURNED: ("FFFFFF", barchart.EMPTY),
        UNRATED: ("E7E6E6", barchart.EMPTY),
    }


def matter_label(group: SummaryGroup) -> str:
    """How a 民生事项 is named in tables and charts: its text, or `第10件` where it is blank."""
    return group.matter or f"第{group.item}件"


def statistics_text(stats: dict[str, int]) -> str:
    parts = [f"{name}{stats[name]}项" for name in rules.EVALUATIONS]
    if stats[PARTIAL]:
        parts.append(f"{PARTIAL_LABEL}{stats[PARTIAL]}项")
    parts.append(f"{NOT_RETURNED}{stats[NOT_RETURNED]}项")
    if stats[UNRATED]:
        parts.append(f"{UNRATED}{stats[UNRATED]}项")
    return f"共{stats['total']}项：" + "，".join(parts)


def summary_title(region: str, period: Period) -> str:
    return f"{region}{period.label}民生实事项目进展情况一览表"


def summary_file_name(region: str, period: Period, suffix: str) -> str:
    """The 一览表's file name (`suffix` `.docx` or `.xlsx`): its title, safe as a name."""
    return safe_name(summary_title(region, period) + suffix)


# ---------------------------------------------------------------- the public edition

PUBLIC_SETTING = "公开版不公开的列"
# Columns holding contact data: never published unless the 设置 says which columns to withhold.
CONTACT_WORDS = ("联系", "电话", "手机", "邮箱", "邮件", "微信", "QQ", "传真")
# Columns a public edition may leave out; the 序号, 项目名称 and 民生事项 name the rows.
_WITHHOLDABLE = {
    rules.ANNUAL_TARGET,
    rules.QUARTER_TARGET,
    rules.PROGRESS,
    rules.PLAN,
    rules.EVALUATION,
    rules.LEAD,
    rules.CO,
}
_LIST_RE = re.compile(r"[、，,；;\s]+")


@dataclass(frozen=True)
class Withheld:
    """The columns a public edition of the 一览表 leaves out."""

    keys: frozenset[str]  # columns the toolkit knows (rules' keys)
    extras: frozenset[str]  # other columns, by header text

    def covers(self, header: str) -> bool:
        key = rules.header_key(header)
        if key is not None:
            return key in self.keys
        return rules.clean_header(header) in self.extras

    @property
    def names(self) -> list[str]:
        return [rules.COLUMN_LABELS[k] for k in sorted(self.keys)] + sorted(self.extras)


def withheld_columns(
    settings: dict[str, str], extra_columns: list[str]
) -> tuple[Withheld, list[str]]:
    """What a public edition leaves out, and notices about the 设置 that says so.

    `公开版不公开的列` in 设置 lists the columns (`存在问题及下一步工作计划、联系人`);
    without it, 存在问题及下一步工作计划 and every column holding contact data.
    """
    extras = {rules.clean_header(c): c for c in extra_columns}
    text = settings.get(PUBLIC_SETTING, "").strip()
    if not text:
        contacts = {k for k in extras if any(w in k.upper() for w in CONTACT_WORDS)}
        return Withheld(frozenset({rules.PLAN}), frozenset(contacts)), []
    keys, named, notices = set(), set(), []
    for name in filter(None, _LIST_RE.split(text)):
        key = rules.header_key(name)
        if key in _WITHHOLDABLE:
            keys.add(key)
        elif key is not None:
            raise RegisterError(
                f"“{PUBLIC_SETTING}”中的“{name}”不能不公开：公开版靠序号、项目名称和民生事项列出各项目。",
                sheet="设置",
                hint="从中删去这一列。",
            )
        elif rules.clean_header(name) in extras:
            named.add(rules.clean_header(name))
        else:
            notices.append(f"「设置」“{PUBLIC_SETTING}”中的“{name}”不是一览表中的列，已忽略。")
    return Withheld(frozenset(keys), frozenset(named)), notices


def public_withheld(result: MergeResult) -> tuple[Withheld, list[str]]:
    """`withheld_columns` over every column of the merge's 一览表 (the register's and the returns')."""
    extras = dict.fromkeys(k for row in build_rows(result) for k in row.extra)
    return withheld_columns(result.register.settings, list(extras))
