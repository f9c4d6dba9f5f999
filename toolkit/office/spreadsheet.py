"""Reading the cells of a workbook someone keeps: .xlsx, .xlsm, .xls and .ods.

python-calamine reads all four formats, and reads them fast (a tenth of
openpyxl's time). Three things it does not say are added here, each from
the file itself and only where needed:

* merged ranges of an .ods sheet (calamine reports them for .xlsx/.xls only);
* formulas without a saved result (calamine reads them as empty text, which
  would silently blank a cell that Excel shows filled);
* what rewriting an .xlsx with openpyxl would lose (drawings, macros, ...).

The format is told by the file's bytes, not its name: WPS and offices often
save one format under another's extension.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError
from toolkit.office.ooxml import REL_NS, Package, parse_xml, sniff

XLSX, XLSB, XLS, ODS = "xlsx", "xlsb", "xls", "ods"

_SML_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
# How a formula's element starts, with or without a namespace prefix: a quick
# test before parsing (a false hit only costs the parse).
_FORMULA_STARTS = (b"<f>", b"<f ", b"<f/>", b":f>", b":f ")

Cell = tuple[int, int]  # (row, column), both from 0


class UnreadableWorkbook(ToolkitError):
    """The file is not a workbook these formats describe; the message says why."""


@dataclass
class Sheet:
    """One sheet's cell values, rows and columns counted from 0 (A1 is (0, 0))."""

    name: str
    rows: list[list[Any]]  # "" for an empty cell
    # A merged range shows its top-left value on every cell it covers.
    merged: dict[Cell, Cell] = field(default_factory=dict)
    unsaved_formulas: set[Cell] = field(default_factory=set)

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def value(self, row: int, col: int) -> Any:
        row, col = self.merged.get((row, col), (row, col))
        values = self.rows[row] if row < len(self.rows) else ()
        return values[col] if col < len(values) else ""


def cell_name(row: int, col: int) -> str:
    """`B3` for (2, 1)."""
    letters, n = "", col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def workbook_kind(path: Path) -> str | None:
    """xlsx (also .xlsm), xlsb, xls or ods by the file's content; None for anything else."""
    kind = sniff(path)
    if kind == "ole":
        return None if _encrypted_ooxml(path) else XLS
    if kind != "zip":
        return None
    try:
        with Package(path) as pkg:
            if "xl/workbook.xml" in pkg.names:
                return XLSX
            if "xl/workbook.bin" in pkg.names:
                return XLSB
            if "content.xml" in pkg.names and pkg.read("mimetype") in (
                b"application/vnd.oasis.opendocument.spreadsheet",
                None,
            ):
                return ODS
    except ToolkitError:
        return None
    return None


def _encrypted_ooxml(path: Path) -> bool:
    """A password-protected .xlsx is an OLE file holding an `EncryptionInfo` stream."""
    needle = "EncryptionInfo".encode("utf-16-le")
    with open(path, "rb") as fh:
        return needle in fh.read(1 << 20)


class Workbook:
    """An open workbook; sheets are read when asked for."""

    def __init__(self, path: Path) -> None:
        from python_calamine import CalamineWorkbook

        self.path = Path(path)
        kind = workbook_kind(self.path)
        if kind is None:
            raise UnreadableWorkbook(_not_a_workbook(self.path))
        self.kind = kind
        try:
            # By content: calamine's own choice by extension fails on an .xls named .xlsx.
            self._book = CalamineWorkbook.from_filelike(io.BytesIO(self.path.read_bytes()))
        except Exception as exc:  # calamine's errors: zip, XML, OLE, password...
            raise UnreadableWorkbook(
                f"文件已损坏或不是完整的工作簿，无法读取（{type(exc).__name__}）。"
            ) from None
        self.sheet_names: list[str] = list(self._book.sheet_names)
        self._ods_extras: dict[str, tuple[dict[Cell, Cell], set[Cell]]] | None = None
        self._package: Package | None = None  # an .xlsx's parts, for formulas

    def close(self) -> None:
        self._book.close()
        if self._package is not None:
            self._package.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sheet(self, name: str, *, rows: int | None = None) -> Sheet:
        """A sheet's values; only its first `rows` rows when given (to look for a header)."""
        try:
            data = self._book.get_sheet_by_name(name)
            values = data.to_python(skip_empty_area=False, nrows=rows)
        except Exception as exc:
            raise UnreadableWorkbook(
                f"工作表「{name}」已损坏，无法读取（{type(exc).__name__}）。"
            ) from None
        sheet = Sheet(name, values)
        if self.kind == ODS:
            merges, unsaved = self._ods(name)
            ranges = merges
        else:
            ranges = {}
            for (r0, c0), (r1, c1) in data.merged_cell_ranges or ():
                for r in range(r0, r1 + 1):
                    for c in range(c0, c1 + 1):
                        if (r, c) != (r0, c0):
                            ranges[(r, c)] = (r0, c0)
            unsaved = self._xlsx_unsaved_formulas(name) if self.kind == XLSX else set()
        sheet.merged = ranges
        sheet.unsaved_formulas = unsaved
        return sheet

    def _xlsx_unsaved_formulas(self, name: str) -> set[Cell]:
        if self._package is None:
            self._package = Package(self.path, budgets=False)  # the office's own register
        return _xlsx_unsaved_formulas(self._package, name)

    def _ods(self, name: str) -> tuple[dict[Cell, Cell], set[Cell]]:
        if self._ods_extras is None:
            self._ods_extras = _ods_extras(self.path)
        return self._ods_extras.get(name, ({}, set()))


def _not_a_workbook(path: Path) -> str:
    kind = sniff(path)
    if kind == "empty":
        return "文件为空（0 字节），不是有效的 Excel 工作簿。"
    if kind == "ole":
        return "文件设置了打开密码，无法读取。"
    if kind == "zip":
        try:
            Package(path).close()
        except ToolkitError:
            return "文件已损坏或不完整（zip 结构有误）。"
        return "这是其他 Office 文件（如 Word 文档）或压缩包，不是 Excel 工作簿。"
    return "文件不是有效的 Excel 工作簿（也不是 WPS、LibreOffice 表格），或已损坏。"


# ---------------------------------------------------------------- formulas without a result


def _xlsx_unsaved_formulas(pkg: Package, sheet_name: str) -> set[Cell]:
    """Formula cells with no cached result: a file made by a program and never saved."""
    part = _sheet_part(pkg, sheet_name)
    data = pkg.read(part) if part else None
    if not data or not any(start in data for start in _FORMULA_STARTS):
        return set()
    c_tag, f_tag, v_tag = (f"{{{_SML_NS}}}{t}" for t in ("c", "f", "v"))
    found: set[Cell] = set()
    for c in parse_xml(data, part=part or "").iter(c_tag):
        if c.find(f_tag) is None:
            continue
        v = c.find(v_tag)
        # t="str" with an empty <v> is a formula whose result is empty text.
        if v is None or (not v.text and c.get("t") != "str"):
            found.add(_parse_ref(c.get("r", "")))
    return found


def _sheet_part(pkg: Package, sheet_name: str) -> str | None:
    workbook, rels = pkg.xml("xl/workbook.xml"), pkg.xml("xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return None
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{REL_NS}}}Relationship")}
    for sheet in workbook.iter(f"{{{_SML_NS}}}sheet"):
        if sheet.get("name") == sheet_name:
            target = targets.get(sheet.get(f"{{{_DOC_REL_NS}}}id"), "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _parse_ref(ref: str) -> Cell:
    m = re.match(r"([A-Z]+)(\d+)$", ref)
    if not m:
        return (-1, -1)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


# ---------------------------------------------------------------- .ods merges and formulas


def _ods_extras(path: Path) -> dict[str, tuple[dict[Cell, Cell], set[Cell]]]:
    """Per sheet: the cells each merged range covers, and formulas without a value."""
    with Package(path, budgets=False) as pkg:  # the office's own register
        root = pkg.xml("content.xml")
    if root is None:
        return {}
    t = f"{{{_TABLE_NS}}}"
    cell_tags = (t + "table-cell", t + "covered-table-cell")
    extras: dict[str, tuple[dict[Cell, Cell], set[Cell]]] = {}
    for table in root.iter(t + "table"):
        merged: dict[Cell, Cell] = {}
        unsaved: set[Cell] = set()
        r = 0
        for row in table.iter(t + "table-row"):
            row_repeat = int(row.get(t + "number-rows-repeated", "1"))
            c = 0
            for cell in row:
                if cell.tag not in cell_tags:
                    continue
                col_repeat = int(cell.get(t + "number-columns-repeated", "1"))
                rows_spanned = int(cell.get(t + "number-rows-spanned", "1"))
                cols_spanned = int(cell.get(t + "number-columns-spanned", "1"))
                if rows_spanned > 1 or cols_spanned > 1:
                    for rr in range(r, r + rows_spanned):
                        for cc in range(c, c + cols_spanned):
                            if (rr, cc) != (r, c):
                                merged[(rr, cc)] = (r, c)
                if cell.get(t + "formula") and cell.get(f"{{{_OFFICE_NS}}}value-type") is None:
                    unsaved.add((r, c))
                c += col_repeat
            r += row_repeat
        extras[table.get(t + "name", "")] = (merged, unsaved)
    return extras


# ---------------------------------------------------------------- what a rewrite would lose

# Parts of an .xlsx that openpyxl drops, or keeps only in part, when it saves a
# workbook it has loaded: by name prefix, with what a person would call them.
_LOST_PARTS = (
    ("xl/drawings/", "图形或图片"),
    ("xl/media/", "图片"),
    ("xl/charts/", "图表"),
    ("xl/chartsheets/", "图表工作表"),
    ("xl/cellimages.xml", "WPS 单元格图片"),
    ("xl/pivotTables/", "数据透视表"),
    ("xl/pivotCache/", "数据透视表"),
    ("xl/vbaProject.bin", "宏（VBA）"),
    ("xl/externalLinks/", "外部链接"),
    ("xl/embeddings/", "嵌入的对象"),
    ("xl/activeX/", "控件"),
    ("xl/ctrlProps/", "控件"),
    ("xl/slicers/", "切片器"),
    ("xl/slicerCaches/", "切片器"),
    ("xl/timelines/", "日程表"),
    ("xl/threadedComments/", "批注（会话）"),
    ("xl/connections.xml", "数据连接"),
    ("xl/queryTables/", "查询表"),
)


def rewrite_losses(path: Path) -> list[str]:
    """What saving this workbook through openpyxl would lose, by name; [] if nothing.

    Anything not an .xlsx (an .xls, .ods or WPS file) cannot be rewritten at all.
    """
    if workbook_kind(path) != XLSX:
        return ["非 .xlsx 格式"]
    with Package(path) as pkg:
        names = pkg.names
        lost = [label for prefix, label in _LOST_PARTS if any(n.startswith(prefix) for n in names)]
        # WPS puts a picture into a cell as the formula =DISPIMG("ID_…",1).
        if "WPS 单元格图片" not in lost and any(
            n.startswith("xl/worksheets/") and b"DISPIMG" in (pkg.read(n) or b"")
            for n in names
            if n.endswith(".xml")
        ):
            lost.append("WPS 单元格图片")
    return list(dict.fromkeys(lost))
