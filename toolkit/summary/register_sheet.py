"""`merge --update-register`: write the quarter's results back into the register.

The register is the office's own file, so: refuse while Excel holds it open,
make a timestamped backup first, write a new sheet per period (replacing
only that period's sheet), and save atomically.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

from toolkit.errors import OutputError
from toolkit.office.ooxml import atomic_path
from toolkit.office.xlsx_out import cell_text
from toolkit.returns.merging import MergeResult
from toolkit.summary.model import build_rows

_HEADERS = [
    "序号",
    "项目名称",
    "主办单位",
    "进展情况",
    "存在问题及下一步工作计划",
    "进度评价",
    "报送状态",
]
_WIDTHS = [8, 30, 20, 60, 40, 10, 10]


def results_sheet_name(result: MergeResult) -> str:
    return f"{result.period.key}进展"


def update_register_file(result: MergeResult) -> Path:
    """Returns the backup's path."""
    path = result.register.path
    lock = path.with_name("~$" + path.name)
    if lock.exists():
        raise OutputError(
            f"登记表 {path.name} 正在 Excel 中打开（发现 {lock.name}），未写入。",
            hint="关闭 Excel 中的登记表后重新运行。",
        )
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.stem}.备份-{stamp}{path.suffix}")
    shutil.copy2(path, backup)
    wb = openpyxl.load_workbook(path)
    name = results_sheet_name(result)
    if name in wb.sheetnames:
        del wb[name]
    ws = wb.create_sheet(name)
    # Named styles: assigning one by name is cheap, where setting font, border
    # and alignment per cell makes openpyxl hash each (seconds for 4,000 rows).
    header, body = _named_styles(wb)
    for c, text in enumerate(_HEADERS, start=1):
        _set_text(ws.cell(row=1, column=c), text).style = header
    for r, row in enumerate(build_rows(result), start=2):
        p = row.project
        values = [p.id, p.name, p.lead, row.progress, row.plan, row.evaluation, row.status]
        for c, value in enumerate(values, start=1):
            _set_text(ws.cell(row=r, column=c), value).style = body
    for c, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return backup


def _set_text(cell: Any, value: str) -> Any:
    """Text always as a string cell: `=...` typed by a unit must not become a formula."""
    cell.value = cell_text(value)
    cell.data_type = "s"
    return cell


def _named_styles(wb: openpyxl.Workbook) -> tuple[str, str]:
    header, body = "民生实事表头", "民生实事正文"
    side = Side(style="thin", color="808080")
    border = Border(left=side, right=side, top=side, bottom=side)
    styles = {
        header: NamedStyle(
            header,
            font=Font(name="黑体", bold=True),
            fill=PatternFill("solid", fgColor="D9D9D9"),
            border=border,
            alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"),
        ),
        body: NamedStyle(
            body,
            font=Font(name="仿宋_GB2312"),
            border=border,
            alignment=Alignment(wrap_text=True, vertical="top"),
        ),
    }
    for name, style in styles.items():
        if name not in wb.named_styles:  # kept from an earlier update of this register
            wb.add_named_style(style)
    return header, body
