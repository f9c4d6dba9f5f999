"""Writing .xlsx outputs: every text cell a string, never a formula.

A unit that types `=HYPERLINK(...)` or `+86 123` must see exactly that in
Excel, not a live formula: openpyxl treats any string starting with `=` as a
formula unless the cell's data type is forced to string.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from toolkit.ooxml import atomic_path, excel_protect
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
        cell.value = excel_protect(strip_xml_forbidden(value))
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
    styles = Styles()
    for c, h in enumerate(headers, start=1):
        cell = set_text(ws, start_row, c, h)
        styles.apply(cell, font=HEADER_FONT, fill=HEADER_FILL, border=BORDER, alignment=CENTER)
    r = start_row
    for r, values in enumerate(rows, start=start_row + 1):
        for c, v in enumerate(values, start=1):
            cell = set_text(ws, r, c, v)
            styles.apply(cell, font=BODY_FONT, border=BORDER, alignment=WRAP)
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


class Styles:
    """Gives many cells of one workbook the same style objects at the cost of one.

    Each `cell.font = ...` makes openpyxl hash the style object to find its
    index in the workbook (tens of microseconds); a 4,000-row 一览表 spent
    seconds there. A cell's style is a small array of those indices, and the
    same starting array with the same objects always ends as the same array:
    it is worked out once, then copied. One instance per workbook.
    """

    def __init__(self) -> None:
        # key -> (resulting style array, the objects: kept so their ids stay unique)
        self._done: dict[tuple[Any, ...], tuple[Any, Any]] = {}

    def apply(self, cell: Any, **attrs: Any) -> None:
        key = (_style_key(cell), *((name, id(value)) for name, value in attrs.items()))
        done = self._done.get(key)
        if done is None:
            for name, value in attrs.items():
                setattr(cell, name, value)
            self._done[key] = (copy(cell._style), attrs)
        else:
            cell._style = copy(done[0])

    def merge(
        self, ws: Worksheet, start_row: int, start_column: int, end_row: int, end_column: int
    ) -> None:
        """`ws.merge_cells(...)`, with the cells' resulting styles worked out once per shape."""
        coords = [
            (r, c)
            for r in range(start_row, end_row + 1)
            for c in range(start_column, end_column + 1)
        ]
        before = tuple(_style_key(ws._cells.get(rc)) for rc in coords)
        key = ("merge", end_row - start_row, end_column - start_column, before)
        done = self._done.get(key)
        if done is None:
            ws.merge_cells(
                start_row=start_row,
                start_column=start_column,
                end_row=end_row,
                end_column=end_column,
            )
            self._done[key] = ([copy(ws._cells[rc]._style) for rc in coords], None)
            return
        # What openpyxl's merge leaves behind: the range listed, the top-left cell
        # kept, every other cell a MergedCell; their styles as computed the first time.
        first = ws.cell(row=start_row, column=start_column)
        ws.merged_cells.add(
            MergedCellRange(ws, _range(start_row, start_column, end_row, end_column))
        )
        first._style = copy(done[0][0])
        for rc, style in zip(coords[1:], done[0][1:], strict=True):
            cell = MergedCell(ws, row=rc[0], column=rc[1])
            cell._style = copy(style)
            ws._cells[rc] = cell


def _style_key(cell: Any) -> tuple[Any, ...] | None:
    if cell is None:
        return None
    style = cell._style
    return (type(cell).__name__, *style) if style is not None else (type(cell).__name__,)


def _range(start_row: int, start_column: int, end_row: int, end_column: int) -> str:
    return f"{get_column_letter(start_column)}{start_row}:{get_column_letter(end_column)}{end_row}"
