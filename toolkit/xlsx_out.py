"""Writing .xlsx outputs: every text cell a string, never a formula.

A unit that types `=HYPERLINK(...)` or `+86 123` must see exactly that in
Excel, not a live formula: openpyxl treats any string starting with `=` as a
formula unless the cell's data type is forced to string.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from toolkit.ooxml import atomic_path
from toolkit.rules import strip_xml_forbidden

_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
HEADER_FONT = Font(name="黑体", bold=True)
BODY_FONT = Font(name="仿宋_GB2312")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")


def set_text(ws: Worksheet, row: int, col: int, value: Any) -> Any:
    """Write a value; strings always as text (data type `s`)."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = strip_xml_forbidden(value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def write_table(
    ws: Worksheet,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[float] | None = None,
    start_row: int = 1,
) -> int:
    """A header row and data rows with borders and wrapping; returns the last row."""
    for c, h in enumerate(headers, start=1):
        cell = set_text(ws, start_row, c, h)
        cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, BORDER, CENTER
    r = start_row
    for r, values in enumerate(rows, start=start_row + 1):
        for c, v in enumerate(values, start=1):
            cell = set_text(ws, r, c, v)
            cell.font, cell.border, cell.alignment = BODY_FONT, BORDER, WRAP
    for c, w in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.freeze_panes = ws.cell(row=start_row + 1, column=1)
    return r


def save_workbook(wb: Workbook, target: Path) -> None:
    with atomic_path(target) as tmp:
        wb.save(tmp)


def new_workbook(title: str) -> tuple[Workbook, Worksheet]:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    return wb, ws
