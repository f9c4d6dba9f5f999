"""`merge --update-register`: write the quarter's results back into the register.

The register is the office's own file, so: refuse while Excel/WPS holds it
open, make a timestamped backup first, write a new sheet per period
(replacing only that period's sheet), and save atomically. The sheet has
a row per line of the 一览表 (a joint project's units each have one) and
prints as the toolkit's other workbooks. openpyxl cannot
keep everything a workbook may hold (pictures, charts, WPS in-cell pictures,
pivot tables, macros, links): when the register has any of it, or is not an
.xlsx at all, the results go into a workbook of their own beside it and the
register is left as it is.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

from toolkit.errors import OutputError
from toolkit.office import xlsx_out
from toolkit.office.ooxml import atomic_path, excel_protect, os_reason, strip_xml_forbidden
from toolkit.office.spreadsheet import rewrite_losses
from toolkit.register.model import results_sheet_name
from toolkit.register.source import check_lock
from toolkit.returns.merging import MergeResult
from toolkit.summary.model import build_rows
from toolkit.summary.workbooks import fitted_lines

_HEADERS = [
    "序号",
    "项目名称",
    "主办单位",
    "进展情况",
    "存在问题及下一步工作计划",
    "进度评价",
    "报送状态",
]
_WIDTHS = [7, 20, 14, 44, 34, 9, 9]


@dataclass
class RegisterUpdate:
    """Where the period's results went."""

    path: Path  # the register, or the workbook beside it
    backup: Path | None  # the register's copy from before, when it was rewritten
    kept: list[str] = field(default_factory=list)  # why the register was not rewritten


def update_register_file(result: MergeResult) -> RegisterUpdate:
    path = result.register.path
    # Raises while Excel/WPS has the register open; a stale lock was reported on reading.
    check_lock(path)
    name = results_sheet_name(result.period)
    book = xlsx_out.Workbook()
    sheet = results_sheet(book, result, name)
    kept = rewrite_losses(path)
    if kept:
        target = path.with_name(f"{path.stem}.{name}.xlsx")
        book.save(target)
        return RegisterUpdate(target, None, kept)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.stem}.备份-{stamp}{path.suffix}")
    try:
        shutil.copy2(path, backup)
    except OSError as exc:
        raise OutputError(f"无法备份登记表 {path.name}：{os_reason(exc)}") from None
    _write_sheet(path, name, sheet)
    return RegisterUpdate(path, backup)


def results_sheet(book: xlsx_out.Workbook, result: MergeResult, name: str) -> xlsx_out.Sheet:
    """The period's results: a row per line of the 一览表 (a joint project's unit has its
    own), a title naming the period, printed as every workbook of the toolkit."""
    rows = [
        [r.project.id, line.name, line.unit, line.progress, line.plan, line.evaluation, line.status]
        for r in build_rows(result)
        for line in fitted_lines(r, _WIDTHS[3], _WIDTHS[4])
    ]
    sheet = book.add_sheet(name)
    title = f"{result.register.region}{result.period.label}民生实事项目进展情况"
    sheet.heading(1, title, len(_HEADERS))
    sheet.footer_title = title
    sheet.table(_HEADERS, rows, widths=_WIDTHS, start_row=2)
    return sheet


def _write_sheet(path: Path, name: str, sheet: xlsx_out.Sheet) -> None:
    """The results sheet into the office's register: its cells, row heights and print setup."""
    wb = openpyxl.load_workbook(path)
    if name in wb.sheetnames:
        del wb[name]
    ws = wb.create_sheet(name)
    # Named styles: assigning one by name is cheap, where setting font, border
    # and alignment per cell makes openpyxl hash each (seconds for 4,000 rows).
    header, body = _named_styles(wb)
    ws.cell(row=1, column=1).value = sheet.value(1, 1)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(_HEADERS))
    for r in range(2, sheet.last_row + 1):
        for c in range(1, len(_HEADERS) + 1):
            _set_text(ws.cell(row=r, column=c), str(sheet.value(r, c) or "")).style = (
                header if r == 2 else body
            )
    for c, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    for r, height in sheet.row_heights().items():
        ws.row_dimensions[r].height = height
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    with atomic_path(path) as tmp:
        wb.save(tmp)


def _set_text(cell: Any, value: str) -> Any:
    """Text always as a string cell: `=...` typed by a unit must not become a formula;
    openpyxl writes a literal `_xHHHH_` as it is, so Excel would decode it: protected."""
    cell.value = excel_protect(strip_xml_forbidden(value))
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
