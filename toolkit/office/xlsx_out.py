"""Writing .xlsx outputs: a small SpreadsheetML writer for the tool's own workbooks.

The 一览表, the 问题清单 and the 分发清单 are plain tables: text and whole
numbers, a few cell styles, merged cells, a frozen header, print settings.
They are written here as XML strings rather than through openpyxl's object
model, which spent most of a merge's time (a style object per cell, then a
tree per cell when saving) on a 4,000-row 一览表.

Every text cell is a shared string: nothing a unit typed (`=HYPERLINK(...)`,
`+86 123`) can become a formula. Characters XML cannot hold are dropped and a
literal `_xHHHH_` is protected, so Excel shows exactly the text.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import IO, Any

from toolkit.office.ooxml import (
    CUSTOM_PART,
    atomic_path,
    custom_properties_xml,
    excel_protect,
    strip_xml_forbidden,
    with_custom_part,
)

Value = str | int | float | None


@dataclass(frozen=True)
class Style:
    """How one cell looks; colours are RGB hex (`D9D9D9`)."""

    font: str = "仿宋_GB2312"
    size: float = 11
    bold: bool = False
    fill: str | None = None
    border: bool = False
    horizontal: str | None = None  # left / center / right
    vertical: str | None = None  # top / center / bottom
    wrap: bool = False


PLAIN = Style()
HEADER = Style(
    font="黑体",
    bold=True,
    fill="D9D9D9",
    border=True,
    horizontal="center",
    vertical="center",
    wrap=True,
)
BODY = Style(border=True, vertical="top", wrap=True)
_BORDER_COLOR = "808080"


def cell_text(text: str) -> str:
    """Text to store in a cell so that Excel shows exactly it: characters XML
    cannot hold dropped, a literal `_xHHHH_` protected."""
    text = strip_xml_forbidden(text)
    return excel_protect(text) if "_x" in text else text


class Sheet:
    """One worksheet, held as rows of (value, style) until the workbook is saved."""

    def __init__(self, title: str) -> None:
        self.title = title
        self._cells: dict[int, dict[int, tuple[Value, Style]]] = {}
        self._restyled: dict[tuple[Style, tuple[tuple[str, Any], ...]], Style] = {}
        self.widths: dict[int, float] = {}  # column (1-based) -> width in characters
        self.heights: dict[int, float] = {}  # row -> height in points
        self.merges: list[tuple[int, int, int, int]] = []
        self.frozen_rows = 0  # rows kept in view when scrolling
        self.print_title_row: int | None = None  # repeated at the top of every printed page
        self.landscape = False  # A4 landscape, fitted to one page wide

    def set(self, row: int, col: int, value: Value, style: Style = PLAIN) -> None:
        if isinstance(value, str) and value:
            value = cell_text(value)
        self._cells.setdefault(row, {})[col] = (value, style)

    def restyle(self, row: int, col: int, **changes: Any) -> None:
        """Change some of a cell's style (an empty cell starts from PLAIN)."""
        value, style = self._cells.get(row, {}).get(col, (None, PLAIN))
        key = (style, tuple(changes.items()))
        new = self._restyled.get(key)
        if new is None:
            new = self._restyled[key] = dataclasses.replace(style, **changes)
        self._cells.setdefault(row, {})[col] = (value, new)

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Merge a range; the cells it covers keep their style (borders) but not their value."""
        self.merges.append((first_row, first_col, last_row, last_col))
        for r in range(first_row, last_row + 1):
            row = self._cells.get(r, {})
            for c in range(first_col, last_col + 1):
                if (r, c) != (first_row, first_col) and c in row:
                    row[c] = (None, row[c][1])

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[Value]],
        *,
        widths: Sequence[float] = (),
        start_row: int = 1,
    ) -> int:
        """A header row and bordered, wrapped data rows; returns the last row written."""
        for c, h in enumerate(headers, start=1):
            self.set(start_row, c, h, HEADER)
        r = start_row
        for r, values in enumerate(rows, start=start_row + 1):
            for c, v in enumerate(values, start=1):
                self.set(r, c, v, BODY)
        self.widths.update(enumerate(widths, start=1))
        self.frozen_rows = start_row
        return r


class Workbook:
    def __init__(self, properties: dict[str, str] | None = None) -> None:
        self.sheets: list[Sheet] = []
        # Custom document properties (docProps/custom.xml): Excel, WPS and Calc keep them.
        self.properties = dict(properties or {})

    def add_sheet(self, title: str) -> Sheet:
        sheet = Sheet(title)
        self.sheets.append(sheet)
        return sheet

    def save(self, target: Path) -> None:
        """Write atomically: a run stopped half-way leaves the previous file."""
        with atomic_path(target) as tmp, open(tmp, "wb") as fh:
            self.write(fh)

    def data(self) -> bytes:
        """The workbook as the bytes of an .xlsx file."""
        buffer = io.BytesIO()
        self.write(buffer)
        return buffer.getvalue()

    def write(self, fh: IO[bytes]) -> None:
        strings: dict[str, int] = {}
        styles = _StyleTable()
        sheets = [_sheet_xml(s, strings, styles) for s in self.sheets]
        types, rels = _content_types(len(sheets)).encode(), _ROOT_RELS.encode()
        if self.properties:
            types, rels = with_custom_part(types, rels)
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("[Content_Types].xml", types)
            zf.writestr("_rels/.rels", rels)
            if self.properties:
                zf.writestr(CUSTOM_PART, custom_properties_xml(self.properties))
            zf.writestr("xl/workbook.xml", _workbook_xml(self.sheets))
            zf.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
            zf.writestr("xl/styles.xml", styles.xml())
            zf.writestr("xl/sharedStrings.xml", _shared_strings_xml(strings))
            for n, xml in enumerate(sheets, start=1):
                zf.writestr(f"xl/worksheets/sheet{n}.xml", xml)


# ---------------------------------------------------------------- parts

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ROOT_RELS = (
    f'{_HEAD}<Relationships xmlns="{_PKG_REL_NS}"><Relationship Id="rId1" '
    f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _attr(text: str) -> str:
    return escape(text, quote=True)


def _content_types(sheets: int) -> str:
    ml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{ml}.worksheet+xml"/>'
        for n in range(1, sheets + 1)
    )
    return (
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ml}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{ml}.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ml}.sharedStrings+xml"/>'
        f"{overrides}</Types>"
    )


def _workbook_rels(sheets: int) -> str:
    rels = [
        f'<Relationship Id="rId{n}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheets + 1)
    ]
    rels.append(f'<Relationship Id="rId{sheets + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/>')
    rels.append(
        f'<Relationship Id="rId{sheets + 2}" Type="{_REL_NS}/sharedStrings" '
        'Target="sharedStrings.xml"/>'
    )
    return f'{_HEAD}<Relationships xmlns="{_PKG_REL_NS}">{"".join(rels)}</Relationships>'


def _workbook_xml(sheets: list[Sheet]) -> str:
    entries = "".join(
        f'<sheet name="{_attr(s.title)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, s in enumerate(sheets, start=1)
    )
    names = "".join(
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{n}">'
        f"{_attr(_quoted(s.title))}!${s.print_title_row}:${s.print_title_row}</definedName>"
        for n, s in enumerate(sheets)
        if s.print_title_row
    )
    return (
        f'{_HEAD}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{entries}</sheets>"
        f"{f'<definedNames>{names}</definedNames>' if names else ''}</workbook>"
    )


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _shared_strings_xml(strings: dict[str, int]) -> str:
    items = "".join(f'<si><t xml:space="preserve">{escape(s, False)}</t></si>' for s in strings)
    return (
        f'{_HEAD}<sst xmlns="{_MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">'
        f"{items}</sst>"
    )


def _sheet_xml(sheet: Sheet, strings: dict[str, int], styles: _StyleTable) -> str:
    rows: list[str] = []
    last_col = 1
    letters: dict[int, str] = {}
    xf: dict[int, int] = {}  # id(style) -> index: the sheet keeps every style alive meanwhile
    for r in sorted(sheet._cells):
        row = sheet._cells[r]
        cells = []
        for c in sorted(row):
            value, style = row[c]
            letter = letters.get(c)
            if letter is None:
                letter = letters[c] = column_letter(c)
            s = xf.get(id(style))
            if s is None:
                s = xf[id(style)] = styles.index(style)
            if value is None or value == "":
                cells.append(f'<c r="{letter}{r}" s="{s}"/>')
            elif isinstance(value, str):
                n = strings.setdefault(value, len(strings))
                cells.append(f'<c r="{letter}{r}" s="{s}" t="s"><v>{n}</v></c>')
            else:
                cells.append(f'<c r="{letter}{r}" s="{s}"><v>{value}</v></c>')
        if row:
            last_col = max(last_col, max(row))
        height = sheet.heights.get(r)
        ht = f' ht="{height}" customHeight="1"' if height else ""
        rows.append(f'<row r="{r}"{ht}>{"".join(cells)}</row>')
    last_row = max(sheet._cells, default=1)
    parts = [
        f'{_HEAD}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">',
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if sheet.landscape else "",
        f'<dimension ref="A1:{column_letter(last_col)}{last_row}"/>',
        _sheet_views(sheet.frozen_rows),
        '<sheetFormatPr defaultRowHeight="15"/>',
    ]
    if sheet.widths:
        cols = "".join(
            f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>'
            for c, w in sorted(sheet.widths.items())
        )
        parts.append(f"<cols>{cols}</cols>")
    parts.append(f"<sheetData>{''.join(rows)}</sheetData>")
    if sheet.merges:
        refs = "".join(
            f'<mergeCell ref="{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"/>'
            for r1, c1, r2, c2 in sheet.merges
        )
        parts.append(f'<mergeCells count="{len(sheet.merges)}">{refs}</mergeCells>')
    parts.append(
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    )
    if sheet.landscape:
        parts.append(
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
        )
    parts.append("</worksheet>")
    return "".join(parts)


def _sheet_views(frozen_rows: int) -> str:
    if not frozen_rows:
        return '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    top = f"A{frozen_rows + 1}"
    return (
        '<sheetViews><sheetView workbookViewId="0">'
        f'<pane ySplit="{frozen_rows}" topLeftCell="{top}" activePane="bottomLeft" state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="{top}" sqref="{top}"/>'
        "</sheetView></sheetViews>"
    )


class _StyleTable:
    """Fonts, fills, borders and cell formats (xf) of one workbook, numbered as first used."""

    def __init__(self) -> None:
        # Index 0 of each list is what SpreadsheetML expects there: the default font,
        # the two reserved fills (none, gray125), no border, the default cell format.
        self.fonts: dict[tuple[str, float, bool], int] = {("宋体", 11, False): 0}
        self.fills: dict[str | None, int] = {None: 0, "gray125": 1}
        self.xfs: dict[Style, int] = {}
        self._xf_xml: list[str] = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']

    def index(self, style: Style) -> int:
        n = self.xfs.get(style)
        if n is None:
            n = self.xfs[style] = len(self._xf_xml)
            self._xf_xml.append(self._xf(style))
        return n

    def _xf(self, style: Style) -> str:
        font = self.fonts.setdefault((style.font, style.size, style.bold), len(self.fonts))
        fill = self.fills.setdefault(style.fill, len(self.fills))
        border = 1 if style.border else 0
        align = "".join(
            f' {name}="{value}"'
            for name, value in (
                ("horizontal", style.horizontal),
                ("vertical", style.vertical),
                ("wrapText", "1" if style.wrap else None),
            )
            if value
        )
        return (
            f'<xf numFmtId="0" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0" '
            'applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">'
            f"<alignment{align}/></xf>"
        )

    def xml(self) -> str:
        fonts = "".join(
            f'<font>{"<b/>" if bold else ""}<sz val="{size:g}"/><name val="{_attr(name)}"/>'
            '<charset val="134"/></font>'
            for name, size, bold in self.fonts
        )
        fills = "".join(
            '<fill><patternFill patternType="none"/></fill>'
            if color is None
            else '<fill><patternFill patternType="gray125"/></fill>'
            if color == "gray125"
            else f'<fill><patternFill patternType="solid"><fgColor rgb="FF{color}"/>'
            '<bgColor indexed="64"/></patternFill></fill>'
            for color in self.fills
        )
        side = f'style="thin"><color rgb="FF{_BORDER_COLOR}"/>'
        borders = (
            "<border><left/><right/><top/><bottom/><diagonal/></border>"
            f"<border><left {side}</left><right {side}</right><top {side}</top>"
            f"<bottom {side}</bottom><diagonal/></border>"
        )
        return (
            f'{_HEAD}<styleSheet xmlns="{_MAIN_NS}">'
            f'<fonts count="{len(self.fonts)}">{fonts}</fonts>'
            f'<fills count="{len(self.fills)}">{fills}</fills>'
            f'<borders count="2">{borders}</borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(self._xf_xml)}">{"".join(self._xf_xml)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )
