"""Excel outputs of a merge: the 一览表 as a workbook, and the 问题清单."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from toolkit import rules
from toolkit.findings import CODES, LEVEL_LABELS
from toolkit.merging import STATUS_LABELS, MergeResult
from toolkit.summary import (
    build_rows,
    evaluation_colors,
    group_rows,
    statistics,
    statistics_text,
    summary_title,
)
from toolkit.xlsx_out import (
    BORDER,
    CENTER,
    WRAP,
    Styles,
    new_workbook,
    save_workbook,
    set_text,
    write_table,
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
SUMMARY_WIDTHS = [22, 8, 22, 28, 28, 50, 40, 10, 16, 10]


def write_summary_xlsx(result: MergeResult, target: Path) -> None:
    save_workbook(summary_workbook(result), target)


def summary_workbook(result: MergeResult) -> Workbook:
    """The 一览表 as a workbook, not yet saved."""
    register, period = result.register, result.period
    colors = evaluation_colors(register.settings)
    rows = build_rows(result)
    extra_cols = register.extra_columns
    headers = [h.format(q=f"第{period.quarter_cn}") for h in SUMMARY_HEADERS] + extra_cols
    wb, ws = new_workbook(f"{period.key}一览表")
    ncol = len(headers)

    title = set_text(ws, 1, 1, summary_title(register.region, result))
    title.font, title.alignment = Font(name="方正小标宋简体", size=18), CENTER
    sub = set_text(ws, 2, 1, f"（截至{period.end_date}）")
    sub.font, sub.alignment = Font(name="楷体_GB2312", size=14), CENTER
    set_text(ws, 3, 1, statistics_text(statistics(rows))).alignment = WRAP
    legend = set_text(ws, 4, 1, "进度评价：已完成的项目写“已完成”，其余按颜色：")
    legend.alignment = WRAP
    for c, (name, color) in enumerate(colors.items(), start=2):
        cell = set_text(ws, 4, c, name)
        cell.fill, cell.alignment, cell.border = PatternFill("solid", fgColor=color), CENTER, BORDER
    for r in range(1, 4):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
    ws.row_dimensions[1].height = 30

    def values(row) -> list[str]:  # type: ignore[no-untyped-def]
        p = row.project
        return [
            p.matter,
            p.id,
            p.name,
            p.annual_target,
            p.quarter_target(period.quarter),
            row.progress,
            row.plan,
            row.evaluation,
            p.lead,
            p.co,
            *(row.extra.get(c, "") for c in extra_cols),
        ]

    header_row = 5
    write_table(ws, headers, (values(r) for r in rows), widths=SUMMARY_WIDTHS, start_row=header_row)
    styles = Styles()
    fills = {name: PatternFill("solid", fgColor=color) for name, color in colors.items()}
    middle = Alignment(wrap_text=True, vertical="center")
    r = header_row + 1
    for group in group_rows(rows):
        first = r
        for row in group.rows:
            cell = ws.cell(row=r, column=8)
            styles.apply(cell, alignment=CENTER)
            fill = fills.get(row.evaluation)
            if fill is not None:
                styles.apply(cell, fill=fill)
            styles.apply(ws.cell(row=r, column=2), alignment=CENTER)
            r += 1
        if r - first > 1:
            styles.merge(ws, first, 1, r - 1, 1)
            styles.apply(ws.cell(row=first, column=1), alignment=middle)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return wb


def write_findings_xlsx(result: MergeResult, target: Path) -> None:
    wb, ws = new_workbook("问题清单")
    order = {u.unit: i for i, u in enumerate(result.units)}
    findings = sorted(
        result.findings,
        key=lambda f: (order.get(f.unit or "", len(order)), rules.id_sort_key(f.id or ""), f.level),
    )
    write_table(
        ws,
        ["单位", "序号", "级别", "问题类别", "说明", "文件", "代码"],
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
        widths=[16, 8, 6, 16, 70, 40, 20],
    )
    status = wb.create_sheet("报送情况")
    write_table(
        status,
        ["单位", "状态", "文件", "收到时间", "错误", "提示"],
        (
            [
                u.unit,
                STATUS_LABELS[u.status],
                u.file.name if u.file else "",
                u.received.strftime("%Y-%m-%d %H:%M") if u.received else "",
                u.errors,
                u.warnings,
            ]
            for u in result.units
        ),
        widths=[16, 10, 60, 18, 8, 8],
    )
    save_workbook(wb, target)
