"""The 全年一览表 (.docx and .xlsx) of a year's view, written as one set.

The Word file is the shipped template `templates/annual.docx` (or the
office's own) rendered like every other document; the workbook carries the
four quarters' progress side by side. Both are marked as the toolkit's own
output, so no merge takes them for a return.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docxtpl import RichText

from toolkit.core import rules
from toolkit.forms.identity import PROP_OUTPUT
from toolkit.forms.rendering import PreparedTemplate
from toolkit.history.annual import (
    NOT_MERGED,
    QUARTERS,
    AnnualRow,
    QuarterStats,
    YearView,
    annual_title,
)
from toolkit.office.filenames import safe_name
from toolkit.office.fileset import FileSet, Kept
from toolkit.office.textfit import split_to_fit
from toolkit.office.xlsx_out import BODY, NOTE, SUBTITLE, Workbook, max_lines, per_line
from toolkit.summary.document import evaluation_mark
from toolkit.summary.model import (
    DEFAULT_COLORS,
    MARK,
    NOT_RETURNED,
    PARTIAL,
    PARTIAL_LABEL,
    UNRATED,
)
from toolkit.templates import default_path as default_template

OUTPUT_ANNUAL = "全年一览表"
_COUNTED = (*rules.EVALUATIONS, PARTIAL, NOT_RETURNED, UNRATED)
STATS_HEADERS = ["季度", *rules.EVALUATIONS, PARTIAL_LABEL, NOT_RETURNED, UNRATED, "合计"]
NOT_MERGED_FILL = "D9D9D9"

# The variables annual.docx may use (kept here, next to the one place that fills them).
ANNUAL_FIELDS = (
    "title",
    "region",
    "year",
    "coverage",  # 已汇总：第一、二、三季度；未汇总：第四季度
    "result_text",  # the year's result: the latest merged quarter's statistics
    "legend",  # list of {name, mark}
    "quarters",  # list of {label, cells (8 counts), recorded}
    "groups",  # list of {matter, rows: [{id, name, annual_target, lead, co, marks (4), latest}]}
)


def latest_text(row: AnnualRow) -> str:
    latest = row.latest
    if latest is None:
        return ""
    return f"（{latest.label}）{latest.progress}" if latest.progress else f"（{latest.label}）无"


def annual_context(view: YearView, colors: dict[str, str]) -> dict[str, Any]:
    def mark(evaluation: str) -> RichText:
        return evaluation_mark(evaluation, colors) if evaluation else RichText("—")

    groups: list[dict[str, Any]] = []
    for r in view.rows:
        p = r.project
        ctx = {
            "id": p.id,
            "name": p.name,
            "annual_target": p.annual_target,
            "lead": p.lead,
            "co": p.co,
            "marks": [mark(q.evaluation) for q in r.quarters],
            "latest": latest_text(r),
        }
        if groups and groups[-1]["matter"] == p.matter and p.matter:
            groups[-1]["rows"].append(ctx)
        else:
            groups.append({"matter": p.matter, "rows": [ctx]})
    quarters = [
        {
            "label": q.label if q.version else f"{q.label}（{NOT_MERGED}）",
            "cells": [str(q.stats[k]) for k in _COUNTED] + [str(q.stats["total"])]
            if q.version
            else ["—"] * (len(_COUNTED) + 1),
            "recorded": _when(q),
        }
        for q in view.quarters
    ]
    return {
        "title": annual_title(view.region, view.year),
        "region": view.region,
        "year": view.year,
        "coverage": view.coverage,
        "result_text": view.result_text,
        "legend": [{"name": n, "mark": RichText(MARK, color=c)} for n, c in colors.items()],
        "quarters": quarters,
        "groups": groups,
    }


def annual_docx(view: YearView, colors: dict[str, str], template: Path | None = None) -> bytes:
    prepared = PreparedTemplate(template or default_template("annual"))
    return prepared.render_bytes(
        annual_context(view, colors), properties={PROP_OUTPUT: OUTPUT_ANNUAL}
    )


# Characters: the project's columns, then each quarter's 进度评价 and 进展情况.
PROJECT_WIDTHS = [9, 7, 11, 13, 10]
QUARTER_WIDTHS = [7, 24]


def annual_workbook(view: YearView, colors: dict[str, str]) -> Workbook:
    """Sheet 全年一览表: per project, each quarter's evaluation and progress; sheet 统计.

    Printed as the 一览表 workbook is (toolkit.office.xlsx_out): a progress
    text taller than a row may be goes on in rows of its own, marked （续）.
    """
    wb = Workbook({PROP_OUTPUT: OUTPUT_ANNUAL})
    ws = wb.add_sheet(OUTPUT_ANNUAL)
    headers = ["民生事项", "序号", "项目名称", "年度目标", "主办单位"]
    for q in QUARTERS:
        label = f"第{rules.QUARTER_CN[q]}季度"
        headers += [f"{label}进度评价", f"{label}进展情况"]
    ncol = len(headers)
    title = annual_title(view.region, view.year)
    ws.footer_title = title
    ws.heading(1, title, ncol)
    ws.heading(2, f"（{view.coverage}）", ncol, SUBTITLE)
    ws.heading(3, view.result_text, ncol, NOTE)
    header_row = 4
    widths = PROJECT_WIDTHS + QUARTER_WIDTHS * len(QUARTERS)
    ws.table(headers, [], widths=widths, start_row=header_row)
    fit = max_lines(BODY.size) - 1
    per = per_line(QUARTER_WIDTHS[1], BODY.size)
    r = header_row + 1
    for row in view.rows:
        p = row.project
        pieces = [split_to_fit(q.progress, per, fit) for q in row.quarters]
        for k in range(max(len(x) for x in pieces)):
            values = [
                p.matter,
                p.id,
                p.name if k == 0 else f"{p.name}（续）",
                p.annual_target,
                p.lead,
            ]
            for q, texts in zip(row.quarters, pieces, strict=True):
                values += [q.evaluation if k == 0 else "", texts[k] if k < len(texts) else ""]
            for c, value in enumerate(values, start=1):
                ws.set(r, c, value, BODY)
            ws.restyle(r, 2, horizontal="center", vertical="center")
            for i, q in enumerate(row.quarters):
                fill = NOT_MERGED_FILL if not q.merged else colors.get(q.evaluation)
                ws.restyle(r, 6 + 2 * i, horizontal="center", vertical="center", fill=fill)
            r += 1

    stats = wb.add_sheet("统计")
    stats.footer_title = f"{title}（统计）"
    stats.table(
        [*STATS_HEADERS, "汇总时间", "版本"],
        (
            [
                q.label,
                *(q.stats[k] for k in _COUNTED),
                q.stats["total"],
                _when(q),
                q.version.version,
            ]
            if q.version
            else [q.label, NOT_MERGED]
            for q in view.quarters
        ),
        widths=[12, *([9] * (len(STATS_HEADERS) - 1)), 17, 6],
    )
    return wb


def _when(q: QuarterStats) -> str:
    """When the quarter's current version was recorded: `2023-10-12 09:30`."""
    return q.version.recorded_at[:16].replace("T", " ") if q.version else ""


@dataclass(frozen=True)
class AnnualFiles:
    docx: Path
    xlsx: Path
    kept: list[Kept]


def write_annual(
    view: YearView,
    docx: Path,
    xlsx: Path,
    *,
    colors: dict[str, str] | None = None,
    template: Path | None = None,
) -> AnnualFiles:
    """Write the 全年一览表 pair as one set (an edited old file is kept in 历史/)."""
    colors = colors or dict(DEFAULT_COLORS)
    docx_data = annual_docx(view, colors, template)
    xlsx_data = annual_workbook(view, colors).data()
    with FileSet([docx, xlsx]) as files:
        files.write(docx, docx_data)
        files.write(xlsx, xlsx_data)
    return AnnualFiles(docx, xlsx, files.kept)


def annual_names(region: str, year: int) -> tuple[str, str]:
    """The 全年一览表's file names (.docx, .xlsx): its title, safe as a name."""
    title = annual_title(region, year)
    return safe_name(f"{title}.docx"), safe_name(f"{title}.xlsx")
