"""Writing the toolkit's workbooks with XlsxWriter, ready to print.

Every sheet written here prints as a document: A4 landscape, all columns
fitted to one page width, the header rows repeated on every page, the
sheet's title and page numbers in the footer. Text wraps, and every row is
as tall as its text needs, computed here from the text, the font and the
column widths: Excel and WPS do not grow a row a program wrote, so a row
left at the default height shows one line and cuts off the rest.

Every text is written as a string: nothing a unit typed (`=HYPERLINK(...)`,
`+86 123`) can become a formula. Characters XML cannot hold are dropped;
XlsxWriter protects a literal `_xHHHH_`, so Excel shows exactly the text.
Charts and other native objects are added by `Sheet.on_write` steps, which
get XlsxWriter's workbook and worksheet once the cells are written.
"""

from __future__ import annotations

import dataclasses
import functools
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from toolkit.office.ooxml import atomic_path, strip_xml_forbidden
from toolkit.office.textfit import line_count

Value = str | int | float | None
# Text in parts, each with its font colour (None: the cell's): a legend's coloured marks.
Rich = tuple[tuple[str, str | None], ...]
NativeStep = Callable[[Any, Any], None]  # (xlsxwriter Workbook, Worksheet) -> None


@dataclass(frozen=True)
class Style:
    """How one cell looks; colours are RGB hex (`D9D9D9`), sizes in points."""

    font: str = "仿宋_GB2312"
    size: float = 11
    bold: bool = False
    fill: str | None = None
    border: bool = False
    horizontal: str | None = None  # left / center / right
    vertical: str | None = None  # top / center / bottom
    wrap: bool = False
    color: str | None = None  # of the text


PLAIN = Style()
TABLE_SIZE = 10.5  # 五号, as the Word tables
HEADER = Style(
    font="黑体",
    size=TABLE_SIZE,
    bold=True,
    fill="D9D9D9",
    border=True,
    horizontal="center",
    vertical="center",
    wrap=True,
)
BODY = Style(size=TABLE_SIZE, border=True, vertical="top", wrap=True)
TITLE = Style(font="方正小标宋简体", size=18, horizontal="center", vertical="center", wrap=True)
SUBTITLE = Style(font="楷体_GB2312", size=13, horizontal="center", vertical="center", wrap=True)
NOTE = Style(vertical="top", wrap=True)
_BORDER_COLOR = "#808080"

# Page geometry (inches) and what a row may be: Excel's limit is 409 points.
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = 0.4, 0.5, 0.6
MAX_ROW_HEIGHT = 409.0
# A line of text is this many times the font size high: LibreOffice lays CJK
# text out with Noto CJK's line height (1.48 em measured); Excel and WPS need
# less, so there the rows keep a little air rather than cut a line off.
LINE_HEIGHT = 1.5
_ROW_PADDING = 4.0  # points above and below the text


def cell_text(text: str) -> str:
    """Text as a cell stores it: characters XML cannot hold dropped."""
    return strip_xml_forbidden(text)


@functools.cache
def per_line(width: float, size: float) -> int:
    """Half-em units a line of `size`-point text holds in a column `width` characters wide.

    Excel's column width is in characters of its default font (7 pixels
    each, plus 5 pixels of padding); a CJK character of `size` points is
    size × 4/3 pixels wide. A little room is kept for breaks that fall
    before a word or a punctuation mark.
    """
    pixels = width * 7 + 5 - 6  # the text area: the cell less its inner margins
    half_em = size * 4 / 3 / 2
    return max(1, int(pixels / half_em * 0.92))


def max_lines(size: float) -> int:
    """Lines of `size`-point text the tallest row holds."""
    return int((MAX_ROW_HEIGHT - _ROW_PADDING) / (size * LINE_HEIGHT))


def _needed(value: Value, style: Style, width: float) -> float:
    """Points a cell's text needs (more than a row may have, for a merged range)."""
    if value is None or value == "":
        return 0.0
    text = value if isinstance(value, str) else str(value)
    wrapped = style.wrap
    lines = line_count(text, per_line(width, style.size)) if wrapped else text.count("\n") + 1
    return lines * style.size * LINE_HEIGHT + _ROW_PADDING


class Sheet:
    """One worksheet, held as rows of (value, style) until the workbook is written."""

    def __init__(self, title: str) -> None:
        self.title = title
        self._cells: dict[int, dict[int, tuple[Value, Style]]] = {}
        self._rich: dict[tuple[int, int], Rich] = {}
        self._restyled: dict[tuple[Style, tuple[tuple[str, Any], ...]], Style] = {}
        self.widths: dict[int, float] = {}  # column (1-based) -> width in characters
        self.heights: dict[int, float] = {}  # row -> least height in points
        self.merges: list[tuple[int, int, int, int]] = []
        self.hidden_columns: set[int] = set()  # kept for programs, not shown or printed
        self.frozen_rows = 0  # rows kept in view when scrolling
        self.repeat_rows: tuple[int, int] | None = None  # printed at the top of every page
        self.footer_title = title  # printed at the foot of every page, with the page number
        self._native: list[NativeStep] = []

    def set(self, row: int, col: int, value: Value, style: Style = PLAIN) -> None:
        if isinstance(value, str) and value:
            value = cell_text(value)
        self._cells.setdefault(row, {})[col] = (value, style)

    def set_rich(
        self, row: int, col: int, parts: Sequence[tuple[str, str | None]], style: Style = PLAIN
    ) -> None:
        """Text whose parts have their own colours (RGB hex; None keeps the cell's)."""
        rich = tuple((cell_text(text), color) for text, color in parts if text)
        self.set(row, col, "".join(text for text, _ in rich), style)
        self._rich[(row, col)] = rich

    @property
    def last_row(self) -> int:
        return max(self._cells, default=0)

    def value(self, row: int, col: int) -> Value:
        return self._cells.get(row, {}).get(col, (None, PLAIN))[0]

    def restyle(self, row: int, col: int, **changes: Any) -> None:
        """Change some of a cell's style (an empty cell starts from PLAIN)."""
        value, style = self._cells.get(row, {}).get(col, (None, PLAIN))
        key = (style, tuple(changes.items()))
        new = self._restyled.get(key)
        if new is None:
            new = self._restyled[key] = dataclasses.replace(style, **changes)
        self._cells.setdefault(row, {})[col] = (value, new)

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Merge a range: it shows the first cell's value in the first cell's style."""
        self.merges.append((first_row, first_col, last_row, last_col))

    def heading(self, row: int, text: str, columns: int, style: Style = TITLE) -> None:
        """A line of text across the table's width (a title, a note)."""
        self.set(row, 1, text, style)
        if columns > 1:
            self.merge(row, 1, row, columns)

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[Value]],
        *,
        widths: Sequence[float] = (),
        start_row: int = 1,
    ) -> int:
        """A header row (repeated on every printed page) and bordered, wrapped data rows;
        returns the last row written."""
        for c, h in enumerate(headers, start=1):
            self.set(start_row, c, h, HEADER)
        r = start_row
        for r, values in enumerate(rows, start=start_row + 1):
            for c, v in enumerate(values, start=1):
                self.set(r, c, v, BODY)
        self.widths.update(enumerate(widths, start=1))
        self.frozen_rows = start_row
        self.repeat_rows = (start_row, start_row)
        return r

    def on_write(self, step: NativeStep) -> None:
        """Run `step(workbook, worksheet)` (XlsxWriter's) after the cells are written:
        for charts, images and other native objects."""
        self._native.append(step)

    # -- layout

    def row_heights(self) -> dict[int, float]:
        """Every row's height in points: its own text, then merged ranges' text spread
        over their rows, never less than set in `heights`."""
        heights: dict[int, float] = {}
        covered = self._covered()
        widths = self.widths
        for r, row in self._cells.items():
            tallest = 0.0  # lines × font size: the tallest cell's text, in points before spacing
            for c, (value, style) in row.items():
                if not value or (covered and (r, c) in covered):
                    continue
                if style.wrap and isinstance(value, str):
                    lines = line_count(value, per_line(widths.get(c, 8.43), style.size))
                else:
                    lines = str(value).count("\n") + 1
                tallest = max(tallest, lines * style.size)
            heights[r] = max(
                self.heights.get(r, 0.0),
                min(MAX_ROW_HEIGHT, round(tallest * LINE_HEIGHT + _ROW_PADDING, 1))
                if tallest
                else 0,
            )
        for r1, c1, r2, c2 in self.merges:
            value, style = self._cells.get(r1, {}).get(c1, (None, PLAIN))
            width = sum(self.widths.get(c, 8.43) for c in range(c1, c2 + 1))
            needed = _needed(value, style, width)
            have = sum(heights.get(r, 15.0) for r in range(r1, r2 + 1))
            if needed > have:  # every row of the range grows by as much
                more = (needed - have) / (r2 - r1 + 1)
                for r in range(r1, r2 + 1):
                    heights[r] = min(MAX_ROW_HEIGHT, heights.get(r, 15.0) + more)
        return heights

    def _covered(self) -> set[tuple[int, int]]:
        """Cells of merged ranges: their height is worked out for the whole range."""
        return {
            (r, c)
            for r1, c1, r2, c2 in self.merges
            for r in range(r1, r2 + 1)
            for c in range(c1, c2 + 1)
        }


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
        import xlsxwriter  # only where workbooks are written

        book = xlsxwriter.Workbook(
            fh,
            {
                "in_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        formats: dict[Style, Any] = {}

        def fmt(style: Style) -> Any:
            found = formats.get(style)
            if found is None:
                found = formats[style] = book.add_format(_format_properties(style))
            return found

        for sheet in self.sheets:
            _write_sheet(book, sheet, fmt)
        for name, value in self.properties.items():
            book.set_custom_property(name, value)
        book.close()


def _format_properties(style: Style) -> dict[str, Any]:
    props: dict[str, Any] = {
        "font_name": style.font,
        "font_size": style.size,
        "font_charset": 134,  # GB2312: Excel and WPS pick the Chinese face
        "bold": style.bold,
        "text_wrap": style.wrap,
    }
    if style.color:
        props["font_color"] = f"#{style.color}"
    if style.fill:
        props.update(pattern=1, bg_color=f"#{style.fill}")
    if style.border:
        props.update(border=1, border_color=_BORDER_COLOR)
    if style.horizontal:
        props["align"] = style.horizontal
    if style.vertical:
        props["valign"] = "vcenter" if style.vertical == "center" else style.vertical
    return props


def _write_sheet(book: Any, sheet: Sheet, fmt: Callable[[Style], Any]) -> None:
    ws = book.add_worksheet(sheet.title)
    for c, width in sorted(sheet.widths.items()):
        hidden = {"hidden": True} if c in sheet.hidden_columns else None
        ws.set_column(c - 1, c - 1, width, None, hidden)
    for r, height in sheet.row_heights().items():
        ws.set_row(r - 1, height)
    merged = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in sheet.merges}
    covered = sheet._covered()
    for r, row in sheet._cells.items():
        for c, (value, style) in row.items():
            if (r, c) in merged:  # the range takes the first cell's style, then its value
                r2, c2 = merged[(r, c)]
                ws.merge_range(r - 1, c - 1, r2 - 1, c2 - 1, "", fmt(style))
            elif (r, c) in covered:
                continue
            if value is None or value == "":
                if (r, c) not in merged:
                    ws.write_blank(r - 1, c - 1, None, fmt(style))
            elif len(sheet._rich.get((r, c), ())) > 1:  # XlsxWriter wants two parts or more
                parts: list[Any] = []
                for text, color in sheet._rich[(r, c)]:
                    parts += (
                        [fmt(dataclasses.replace(style, color=color)), text] if color else [text]
                    )
                ws.write_rich_string(r - 1, c - 1, *parts, fmt(style))
            elif isinstance(value, str):
                ws.write_string(r - 1, c - 1, value, fmt(style))
            else:
                ws.write_number(r - 1, c - 1, value, fmt(style))
    if sheet.frozen_rows:
        ws.freeze_panes(sheet.frozen_rows, 0)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # all columns on one page wide, as many pages down as needed
    ws.set_margins(left=MARGIN_SIDE, right=MARGIN_SIDE, top=MARGIN_TOP, bottom=MARGIN_BOTTOM)
    ws.center_horizontally()
    if sheet.repeat_rows:
        ws.repeat_rows(sheet.repeat_rows[0] - 1, sheet.repeat_rows[1] - 1)
    title = sheet.footer_title.replace("&", "&&")[:100]
    ws.set_footer(
        f'&L&"仿宋_GB2312"&9{title}&R&"仿宋_GB2312"&9第 &P 页，共 &N 页', {"margin": 0.25}
    )
    for step in sheet._native:
        step(book, ws)
