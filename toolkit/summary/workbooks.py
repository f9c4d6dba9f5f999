"""Excel outputs of a merge: the 一览表 as a workbook, and the 问题清单."""

from __future__ import annotations

from dataclasses import replace

from toolkit.core import rules
from toolkit.core.findings import CODES, LEVEL_LABELS
from toolkit.forms.identity import OUTPUT_FINDINGS, OUTPUT_SUMMARY, PROP_OUTPUT
from toolkit.office.folder import shown
from toolkit.office.xlsx_out import Style, Workbook
from toolkit.returns.merging import STATUS_LABELS, MergeResult
from toolkit.summary.model import (
    build_rows,
    evaluation_colors,
    group_rows,
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
SUMMARY_WIDTHS = [22, 8, 22, 28, 28, 50, 40, 10, 16, 10]


TITLE = Style(font="方正小标宋简体", size=18, horizontal="center", vertical="center", wrap=True)
SUBTITLE = Style(font="楷体_GB2312", size=14, horizontal="center", vertical="center", wrap=True)
NOTE = Style(vertical="top", wrap=True)
LEGEND = Style(border=True, horizontal="center", vertical="center", wrap=True)


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

    ws.set(1, 1, summary_title(register.region, period), TITLE)
    ws.set(2, 1, f"（截至{period.end_date}）", SUBTITLE)
    ws.set(3, 1, statistics_text(statistics(rows)), NOTE)
    ws.set(4, 1, "进度评价：已完成的项目写“已完成”，其余按颜色：", NOTE)
    for c, (name, color) in enumerate(colors.items(), start=2):
        ws.set(4, c, name, replace(LEGEND, fill=color))
    for r in range(1, 4):
        ws.merge(r, 1, r, ncol)
    ws.heights[1] = 30

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
            row.evaluation_text,
            p.lead,
            p.co,
            *(row.extra.get(c, "") for c in extra_cols),
        ]

    header_row = 5
    ws.table(headers, (values(r) for r in rows), widths=SUMMARY_WIDTHS, start_row=header_row)
    r = header_row + 1
    for group in group_rows(rows):
        first = r
        for row in group.rows:
            ws.restyle(
                r, 8, horizontal="center", vertical="center", fill=colors.get(row.evaluation)
            )
            ws.restyle(r, 2, horizontal="center", vertical="center")
            r += 1
        if r - first > 1:
            ws.merge(first, 1, r - 1, 1)
            ws.restyle(first, 1, vertical="center")
    ws.print_title_row = header_row
    ws.landscape = True
    return wb


def findings_workbook(result: MergeResult) -> Workbook:
    """The 问题清单: findings, each unit's status, and every file not read with why."""
    wb = Workbook({PROP_OUTPUT: OUTPUT_FINDINGS})
    ws = wb.add_sheet("问题清单")
    order = {u.unit: i for i, u in enumerate(result.units)}
    findings = sorted(
        result.findings,
        key=lambda f: (order.get(f.unit or "", len(order)), rules.id_sort_key(f.id or ""), f.level),
    )
    ws.table(
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
    wb.add_sheet("报送情况").table(
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
        widths=[16, 10, 60, 18, 8, 8],
    )
    wb.add_sheet("未读取的文件").table(
        ["文件", "原因", "单位"],
        ([shown(str(s.path)), s.reason, s.unit or ""] for s in result.skipped),
        widths=[60, 60, 16],
    )
    return wb
