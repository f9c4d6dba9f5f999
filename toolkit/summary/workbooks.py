"""Excel outputs of a merge: the 一览表 as a workbook, and the 问题清单.

Both print as documents (toolkit.office.xlsx_out): a title row naming the
period, the header repeated on every page, every row as tall as its text.
The 一览表 shows the same lines as the Word 一览表 (toolkit.summary.model):
a joint project has one line per lead unit, its own columns merged over
them.
"""

from __future__ import annotations

from typing import Any

from toolkit.core import rules
from toolkit.core.findings import CODES, LEVEL_LABELS
from toolkit.forms.identity import OUTPUT_FINDINGS, OUTPUT_SUMMARY, PROP_OUTPUT
from toolkit.office.folder import shown
from toolkit.office.textfit import split_to_fit
from toolkit.office.xlsx_out import (
    BODY,
    HEADER,
    NOTE,
    SUBTITLE,
    Sheet,
    Workbook,
    max_lines,
    per_line,
)
from toolkit.returns.merging import STATUS_LABELS, MergeResult
from toolkit.summary.model import (
    MARK,
    STATISTICS_LABELS,
    STATISTICS_ORDER,
    SummaryGroup,
    SummaryLine,
    SummaryRow,
    bucket_looks,
    build_rows,
    evaluation_colors,
    group_rows,
    matter_label,
    share,
    statistics,
    statistics_text,
    summary_title,
)

SUMMARY_HEADERS = [
    "民生事项",
    "序号",
    "项目名称",
    "年度目标",
    "{q}季度目标",
    "{q}季度进展情况",
    "存在问题及下一步工作计划",
    "进度评价",
    "主办单位",
    "协办单位",
]
# Characters; with the print margins about 140 fill an A4 landscape page at full size.
SUMMARY_WIDTHS = [9, 7, 11, 13, 12, 33, 30, 7, 10, 6]
EXTRA_WIDTH = 10
# Columns of the project itself, merged over a joint project's lines (1-based).
_PROJECT_COLUMNS = (4, 5, 10)
_EVALUATION_COLUMN, _ID_COLUMN = 8, 2


def summary_workbook(result: MergeResult) -> Workbook:
    """The 一览表 as a workbook, not yet saved."""
    register, period = result.register, result.period
    colors = evaluation_colors(register.settings)
    rows = build_rows(result)
    extra_cols = register.extra_columns
    headers = [h.format(q=f"第{period.quarter_cn}") for h in SUMMARY_HEADERS] + extra_cols
    wb = Workbook({PROP_OUTPUT: OUTPUT_SUMMARY})
    ws = wb.add_sheet(f"{period.key}一览表")
    ncol = len(headers)
    title = summary_title(register.region, period)
    ws.footer_title = title
    ws.heading(1, title, ncol)
    ws.heading(2, f"（截至{period.end_date}）", ncol, SUBTITLE)
    ws.heading(3, statistics_text(statistics(rows)), ncol, NOTE)
    legend = [("进度评价：已完成的项目写“已完成”；其余按颜色标示：", None)]
    for name, color in colors.items():
        legend += [(MARK, color), (f"{name}\u3000", None)]
    ws.set_rich(4, 1, legend, NOTE)
    ws.merge(4, 1, 4, ncol)

    header_row = 5
    ws.table(
        headers,
        [],
        widths=SUMMARY_WIDTHS + [EXTRA_WIDTH] * len(extra_cols),
        start_row=header_row,
    )
    r = header_row + 1
    project_columns = [*_PROJECT_COLUMNS, *range(len(SUMMARY_HEADERS) + 1, ncol + 1)]
    for group in group_rows(rows):
        first_of_group = r
        for row in group.rows:
            first_of_project = r
            p = row.project
            for line in fitted_lines(row, SUMMARY_WIDTHS[5], SUMMARY_WIDTHS[6]):
                values = [
                    p.matter,
                    p.id,
                    line.name,
                    p.annual_target,
                    p.quarter_target(period.quarter),
                    line.progress,
                    line.plan,
                    line.evaluation,
                    line.unit,
                    p.co,
                    *(row.extra.get(c, "") for c in extra_cols),
                ]
                for c, value in enumerate(values, start=1):
                    ws.set(r, c, value, BODY)
                fill = colors.get(line.evaluation)
                ws.restyle(r, _EVALUATION_COLUMN, horizontal="center", vertical="center", fill=fill)
                ws.restyle(r, _ID_COLUMN, horizontal="center", vertical="center")
                r += 1
            if r - first_of_project > 1:
                for c in project_columns:
                    ws.merge(first_of_project, c, r - 1, c)
        if r - first_of_group > 1:
            ws.merge(first_of_group, 1, r - 1, 1)
            ws.restyle(first_of_group, 1, vertical="center")
    statistics_sheet(wb, rows, group_rows(rows), title, register.settings)
    return wb


STATISTICS_SHEET = "统计"
# Hatches of toolkit.office.barchart as Excel's pattern fills.
_PATTERNS = {
    "diagonal": "wide_upward_diagonal",
    "cross": "small_check",
    "dots": "percent_20",
    "horizontal": "light_horizontal",
}


def statistics_sheet(
    wb: Workbook,
    rows: list[SummaryRow],
    groups: list[SummaryGroup],
    title: str,
    settings: dict[str, str],
) -> None:
    """The statistics of the 一览表: overall, with a native column chart of them beside the
    table (Excel, WPS and LibreOffice draw and print it from the cells), and per 民生事项."""
    stats = statistics(rows)
    total = stats["total"]
    buckets = [k for k in STATISTICS_ORDER if k in rules.EVALUATIONS or stats[k]]
    ws = wb.add_sheet(STATISTICS_SHEET)
    matter_headers = ["民生事项", "项目数", *(STATISTICS_LABELS[k] for k in buckets)]
    start = _titled(ws, f"{title}：进度评价统计", len(matter_headers))
    overall = [[STATISTICS_LABELS[k], stats[k], share(stats[k], total)] for k in buckets]
    for c, text in enumerate(["进度评价", "项目数", "占比"], start=1):
        ws.set(start, c, text, HEADER)
    for r, values in enumerate([*overall, ["合计", total, share(total, total)]], start=start + 1):
        for c, value in enumerate(values, start=1):
            ws.set(r, c, value, BODY)
            if c > 1:
                ws.restyle(r, c, horizontal="center")
    # The chart stands beside the overall table; the table per 民生事项 starts below both.
    at = max(start + len(overall) + 3, start + _CHART_ROWS + 1)
    ws.table(
        matter_headers,
        (
            [
                matter_label(g),
                (counts := statistics(g.rows))["total"],
                *(counts[k] for k in buckets),
            ]
            for g in groups
        ),
        widths=[30, 9, *([11] * len(buckets))],
        start_row=at,
    )
    for r in range(at + 1, at + len(groups) + 1):
        for c in range(2, len(matter_headers) + 1):
            ws.restyle(r, c, horizontal="center")
    looks = bucket_looks(settings)

    def chart(book: Any, sheet: Any) -> None:
        points = []
        for k in buckets:
            color, hatch = looks[k]
            look: dict[str, Any] = {"border": {"color": "#000000"}}
            if hatch in _PATTERNS:
                look["pattern"] = {
                    "pattern": _PATTERNS[hatch],
                    "fg_color": "#000000",
                    "bg_color": f"#{color}",
                }
            else:
                look["fill"] = {"color": f"#{color}"}
            points.append(look)
        column = book.add_chart({"type": "column"})
        column.add_series(
            {
                "name": "项目数",
                "categories": [ws.title, start, 0, start + len(buckets) - 1, 0],
                "values": [ws.title, start, 1, start + len(buckets) - 1, 1],
                "points": points,
                "data_labels": {"value": True, "position": "outside_end"},
                "gap": 60,
            }
        )
        column.set_title({"name": "进度评价统计（项）", "name_font": {"size": 12, "bold": True}})
        column.set_legend({"none": True})
        column.set_y_axis({"major_gridlines": {"visible": False}, "min": 0})
        column.set_size({"width": _CHART_SIZE[0], "height": _CHART_SIZE[1]})
        sheet.insert_chart(start - 1, 4, column, {"x_offset": 12, "y_offset": 0})

    ws.on_write(chart)


# Pixels of the chart, and the rows (of 20 pixels, Excel's default) it covers.
_CHART_SIZE = (520, 280)
_CHART_ROWS = _CHART_SIZE[1] // 20 + 1


def fitted_lines(row: SummaryRow, progress_width: float, plan_width: float) -> list[SummaryLine]:
    """The row's lines, a text taller than an Excel row may be going on in rows of its own."""
    fit = max_lines(BODY.size) - 1
    progress_line, plan_line = per_line(progress_width, BODY.size), per_line(plan_width, BODY.size)
    return [
        piece
        for line in row.lines
        for piece in line.pieces(
            split_to_fit(line.progress, progress_line, fit),
            split_to_fit(line.plan, plan_line, fit),
        )
    ]


def _titled(sheet: Sheet, title: str, columns: int) -> int:
    """The sheet's title row (naming the period); returns the row its table starts on."""
    sheet.footer_title = title
    sheet.heading(1, title, columns)
    return 2


FINDINGS_HEADERS = ["单位", "序号", "级别", "问题类型", "说明", "文件", "问题代码"]
FINDINGS_WIDTHS = [14, 7, 6, 16, 60, 36, 18]
_CODE_COLUMN = 7  # for programs: hidden, not printed


def findings_workbook(result: MergeResult) -> Workbook:
    """The 问题清单: findings, each unit's status, and every file not read with why."""
    register, period = result.register, result.period
    name = f"{register.region}{period.label}回收表"
    wb = Workbook({PROP_OUTPUT: OUTPUT_FINDINGS})
    ws = wb.add_sheet("问题清单")
    order = {u.unit: i for i, u in enumerate(result.units)}
    findings = sorted(
        result.findings,
        key=lambda f: (order.get(f.unit or "", len(order)), rules.id_sort_key(f.id or ""), f.level),
    )
    ws.table(
        FINDINGS_HEADERS,
        (
            [
                f.unit or "",
                f.id or "",
                LEVEL_LABELS[f.level],
                CODES[f.code][1],
                f.message,
                f.file or "",
                f.code,
            ]
            for f in findings
        ),
        widths=FINDINGS_WIDTHS,
        start_row=_titled(ws, f"{name}问题清单", len(FINDINGS_HEADERS) - 1),
    )
    ws.hidden_columns.add(_CODE_COLUMN)
    for r in range(3, 3 + len(findings)):
        for c in (2, 3):
            ws.restyle(r, c, horizontal="center")
    status = wb.add_sheet("报送情况")
    status.table(
        ["单位", "状态", "文件", "收到时间", "错误", "提示"],
        (
            [
                u.unit,
                STATUS_LABELS[u.status],
                shown(u.file.name) if u.file else "",
                u.received.strftime("%Y-%m-%d %H:%M") if u.received else "",
                u.errors,
                u.warnings,
            ]
            for u in result.units
        ),
        widths=[18, 10, 70, 18, 7, 7],
        start_row=_titled(status, f"{name}报送情况", 6),
    )
    unread = wb.add_sheet("未读取的文件")
    unread.table(
        ["文件", "原因", "单位"],
        ([shown(str(s.path)), s.reason, s.unit or ""] for s in result.skipped),
        widths=[65, 60, 16],
        start_row=_titled(unread, f"{name}中未读取的文件", 3),
    )
    return wb
