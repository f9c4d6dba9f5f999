"""Read a returned form (.docx/.docm) into rows keyed by 序号.

The project table is found by its header text, never by position: units add
title rows, reorder or add columns, split the table across pages or paste it
into a new document. Anything that is not a readable Word file raises
ReturnError with a reason the office can pass on to the unit.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core import rules
from toolkit.errors import ReturnError
from toolkit.office.ooxml import REL_NS, W_NS, Package, os_reason, read_custom_properties, sniff
from toolkit.office.wordml import TBL, Cell, El, Row, WordDocument

_STRICT_W_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_ID_RE = re.compile(r"^\d+(-\d+)*$")
_PERIOD_RE = re.compile(r"(\d{4})年第([一二三四1-4])季度")
_UNIT_RE = re.compile(r"填报单位(?:[（(]盖章[）)])?\s*[：:](.*)", re.S)
# The unit name ends at a tab, a line break, a wide gap, or the next `标签：`.
_UNIT_END_RE = re.compile(r"[\t\n]|[ \u3000\u00a0]{2,}|\u3000|\s+[^\s：:]{1,8}[：:]")
_CN_QUARTER = {v: k for k, v in rules.QUARTER_CN.items()}


@dataclass
class ReturnRow:
    id: str  # normalize_id(id_text)
    id_text: str  # as it stands in the 序号 cell
    cells: dict[str, str]  # column key -> cell text, for every column the header maps
    extra: dict[str, str]  # cleaned header text of an unknown column -> cell text
    table_index: int  # index of the table holding the row among the body's top-level tables
    # Column keys whose cell is a vertical-merge continuation: it reads "" because
    # the unit merged it with the cell above, not because it was left empty.
    continued: set[str] = field(default_factory=set)


@dataclass
class ReturnedForm:
    path: Path
    properties: dict[str, str]  # custom document properties (docProps/custom.xml)
    unit_line: str | None  # unit named after `填报单位：`; "" if blank, None if no such line
    title: str | None  # first non-empty paragraph with `季度` before the project table
    period: tuple[int, int] | None  # (year, quarter) from the title
    headers: list[str]  # header texts of the first project table, by column
    rows: list[ReturnRow]


@dataclass
class _Column:
    start: int  # first grid column
    span: int
    text: str
    key: str | None  # rules column key, None for an extra column
    name: str = ""  # key in ReturnRow.extra for an extra column


# ---------------------------------------------------------------- opening


def read_return(path: Path, *, quarter: int | None = None) -> ReturnedForm:
    """Read one returned form. `quarter` picks which `第N季度目标` column is QUARTER_TARGET."""
    path = Path(path)
    doc, properties = _open(path)
    return _read(doc, path, properties, quarter)


def _open(path: Path) -> tuple[WordDocument, dict[str, str]]:
    if path.is_dir():
        raise ReturnError("这是一个文件夹，不是文件。")
    if not path.exists():
        raise ReturnError("文件不存在。")
    try:
        kind = sniff(path)
        if kind != "zip":
            raise ReturnError(_not_zip_reason(path, kind))
    except OSError as exc:
        raise ReturnError(f"无法打开文件：{os_reason(exc)}") from None
    with Package(path) as pkg:
        main = _target(pkg, "_rels/.rels", "/officeDocument", "word/document.xml")
        if main not in pkg.names:
            raise ReturnError(_not_word_reason(pkg.names))
        root = pkg.xml(main)
        assert root is not None
        if root.tag.startswith(f"{{{_STRICT_W_NS}}}"):
            raise ReturnError(
                "这是「Strict Open XML」格式的 Word 文件，无法读取：请在 Word 中另存为"
                "「Word 文档（*.docx）」后重新报送。"
            )
        if root.tag != f"{{{W_NS}}}document":
            # An .xlsx or .pptx renamed .docx: its main part is a workbook or presentation.
            raise ReturnError(_not_word_reason(pkg.names, main))
        folder = posixpath.dirname(main)
        rels = posixpath.join(folder, "_rels", posixpath.basename(main) + ".rels")
        rels_root = pkg.xml(rels)
        numbering = pkg.xml(
            _target_in(rels_root, rels, "/numbering", posixpath.join(folder, "numbering.xml"))
        )
        # Styles matter only for list numbers (a style can carry one): a document
        # defining no list (nearly every return) skips parsing them.
        styles = None
        if numbering is not None and numbering.find(f"{{{W_NS}}}num") is not None:
            styles = pkg.xml(
                _target_in(rels_root, rels, "/styles", posixpath.join(folder, "styles.xml"))
            )
        doc = WordDocument(root, numbering, styles)
        return doc, read_custom_properties(pkg)


def _target(pkg: Package, rels_part: str, type_suffix: str, default: str) -> str:
    """The part a relationship of the given type points to (Word's usual name if none)."""
    return _target_in(pkg.xml(rels_part), rels_part, type_suffix, default)


def _target_in(rels: El | None, rels_part: str, type_suffix: str, default: str) -> str:
    for rel in rels.iter(f"{{{REL_NS}}}Relationship") if rels is not None else ():
        target = rel.get("Target") or ""
        if rel.get("Type", "").endswith(type_suffix) and rel.get("TargetMode") != "External":
            base = "" if target.startswith("/") else posixpath.dirname(posixpath.dirname(rels_part))
            return posixpath.normpath(posixpath.join(base, target.lstrip("/")))
    return default


def _not_zip_reason(path: Path, kind: str) -> str:
    if kind == "empty":
        return "文件为空（0 字节）：请让报送单位重新发送。"
    if kind == "pdf":
        return "这是 PDF 文件，不是 Word 文件：请报送 Word（.docx）填报表。"
    if kind == "ole":
        if has_encryption_info(path):
            return "文件设置了打开密码，无法读取：请去掉密码后重新保存为 .docx 再报送。"
        return "这是旧版 .doc/.wps 格式或设置了打开密码的 Word 文件：请去掉密码并另存为 .docx。"
    with open(path, "rb") as fh:
        head = fh.read(512).lstrip().lower()
    if head.startswith(b"{\\rtf"):
        return "这是 RTF 文件，不是 .docx：请在 Word 或 WPS 中另存为「Word 文档（*.docx）」。"
    if head.startswith((b"<html", b"<!doctype html", b"mime-version")) or b"<html" in head:
        return "这是网页（HTML/MHT）格式的文件，不是 .docx：请另存为「Word 文档（*.docx）」。"
    return "文件不是 Word 文件（.docx），也不是可识别的其他格式：请确认报送的是填报表本身。"


def has_encryption_info(path: Path) -> bool:
    """Encrypted .docx files are OLE containers holding an `EncryptionInfo` stream."""
    needle = "EncryptionInfo".encode("utf-16-le")
    with open(path, "rb") as fh:
        tail = b""
        for _ in range(64):  # at most 64 MB: directory sectors of real files come well before
            chunk = fh.read(1 << 20)
            if not chunk:
                return False
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle) :]
    return False


def _not_word_reason(names: set[str], main: str | None = None) -> str:
    if "xl/workbook.xml" in names:
        return "这是 Excel 文件（可能被改了扩展名），不是 Word 文件：请报送 Word（.docx）填报表。"
    if "ppt/presentation.xml" in names:
        return "这是 PowerPoint 文件，不是 Word 文件：请报送 Word（.docx）填报表。"
    if "content.xml" in names and "mimetype" in names:
        return "这是 OpenDocument（.odt）文件：请在 WPS 或 LibreOffice 中另存为 .docx。"
    if "[Content_Types].xml" not in names:
        return "这是一个 zip 压缩包，不是 Word 文件：请解压后报送其中的 .docx 填报表。"
    if main is not None:
        return "文件不是 Word 文档（.docx）：正文部分格式不对。"
    return "文件不是 Word 文档（.docx）：缺少正文部分 word/document.xml。"


# ---------------------------------------------------------------- reading


def _read(
    doc: WordDocument, path: Path, properties: dict[str, str], quarter: int | None
) -> ReturnedForm:
    rows: list[ReturnRow] = []
    headers: list[str] = []
    title: str | None = None
    columns: list[_Column] | None = None  # mapping of the project table being read
    width = 0
    table_index = -1
    for block in doc.blocks():
        if block.tag != TBL:
            if not headers and title is None:
                text = doc.paragraph_text(block).strip()
                title = text if "季度" in text else None
            continue
        table_index += 1
        table_rows = doc.table_rows(block)
        found = _find_header(table_rows, quarter)
        if found is not None:
            columns, first_data, header_at = found
            width = doc.grid_width(block)
            if not headers:
                headers = [c.text for c in columns]
                title = title or _title_in(table_rows[:header_at])
            data = table_rows[first_data:]
        elif (
            columns is not None and doc.grid_width(block) == width and _has_id(table_rows, columns)
        ):
            data = table_rows  # the same table, continued after a paragraph or page break
        else:
            columns = None
            continue
        rows.extend(r for row in data if (r := _row(row, columns, width, table_index)) is not None)
    return ReturnedForm(
        path=path,
        properties=properties,
        unit_line=_unit_line(doc),
        title=title,
        period=_period(title),
        headers=headers,
        rows=rows,
    )


def _find_header(rows: list[Row], quarter: int | None) -> tuple[list[_Column], int, int] | None:
    """Columns of the first project header row, the index of the first data row, the header's."""
    for i, row in enumerate(rows):
        if rules.is_project_header_row(row.texts()):
            columns = [_column(c.grid_col, c.span, c.text, quarter) for c in row.cells]
            first_data = i + 1
            if first_data < len(rows) and _is_sub_header(rows[first_data], columns):
                columns = _merge_sub_header(columns, rows[first_data], quarter)
                first_data += 1
            _name_columns(columns)
            return columns, first_data, i
    return None


def _column(start: int, span: int, text: str, quarter: int | None) -> _Column:
    key = rules.header_key(text)
    target_of = rules.quarter_target_of(text)
    if key == rules.QUARTER_TARGET and quarter and target_of and target_of != quarter:
        key = None  # another quarter's target: keep it, but as an extra column
    return _Column(start, span, text, key)


def _is_sub_header(row: Row, columns: list[_Column]) -> bool:
    """Second header row under merged header cells (`目标` over `年度目标`/`本季度目标`)."""
    id_col = next(c for c in columns if c.key == rules.ID)
    id_cell = _cells_in(row, id_col)
    if id_cell and rules.normalize_id(id_cell[0].text):
        return False
    return any(rules.header_key(c.text) for c in row.cells)


def _merge_sub_header(columns: list[_Column], sub: Row, quarter: int | None) -> list[_Column]:
    merged = []
    for col in columns:
        below = [c for c in _cells_in(sub, col) if rules.header_key(c.text)]
        # Only a merged or blank cell above is a group title the row below refines.
        if col.key is None and below and (col.span > 1 or not col.text.strip()):
            merged.extend(_column(c.grid_col, c.span, c.text, quarter) for c in below)
        else:
            merged.append(col)
    return merged


def _name_columns(columns: list[_Column]) -> None:
    """First column with a key wins; duplicates and unknown headers become extra columns."""
    seen: set[str] = set()
    for n, col in enumerate(columns, start=1):
        if col.key in seen:
            col.key = None
        if col.key is not None:
            seen.add(col.key)
            continue
        name = rules.clean_header(col.text) or f"第{n}列"
        while name in seen:
            name += "'"
        col.name = name
        seen.add(name)


def _cells_in(row: Row, col: _Column) -> list[Cell]:
    # A data cell belongs to the header column whose span covers its first grid column:
    # tolerant of sliver grid columns Word adds when cell edges do not line up.
    return [c for c in row.cells if col.start <= c.grid_col < col.start + col.span]


def _has_id(rows: list[Row], columns: list[_Column]) -> bool:
    id_col = next(c for c in columns if c.key == rules.ID)
    return any(_ID_RE.match(rules.normalize_id(c.text)) for r in rows for c in _cells_in(r, id_col))


def _row(row: Row, columns: list[_Column], width: int, table_index: int) -> ReturnRow | None:
    values: dict[str, str] = {}
    extra: dict[str, str] = {}
    continued: set[str] = set()
    for col in columns:
        cells = _cells_in(row, col)
        text = "\n".join(c.text for c in cells if c.text)
        if col.key is None:
            extra[col.name] = text
            continue
        values[col.key] = text
        if cells and cells[0].continuation:
            continued.add(col.key)
    id_text = values.get(rules.ID, "")
    project_id = rules.normalize_id(id_text)
    if not project_id or "例" in project_id:  # blank or the 示例 guidance row
        return None
    if rules.is_project_header_row(row.texts()):  # header repeated on a later page
        return None
    spans_all = len(row.cells) == 1 and row.cells[0].span >= width > 1
    if spans_all and not _ID_RE.match(project_id):
        return None  # a section or note row across the whole table (`一、教育`, 填表说明)
    return ReturnRow(project_id, id_text, values, extra, table_index, continued)


# ---------------------------------------------------------------- title, period, unit


def _title_in(rows: list[Row]) -> str | None:
    """Fallback: a title typed into a merged row above the header."""
    for row in rows:
        for cell in row.cells:
            if "季度" in cell.text:
                return cell.text.strip()
    return None


def _period(title: str | None) -> tuple[int, int] | None:
    if not title:
        return None
    m = _PERIOD_RE.search(re.sub(r"\s+", "", unicodedata.normalize("NFKC", title)))
    if not m:
        return None
    q = m.group(2)
    return int(m.group(1)), int(q) if q.isdigit() else _CN_QUARTER[q]


def _unit_line(doc: WordDocument) -> str | None:
    for p in doc.paragraphs():
        m = _UNIT_RE.search(doc.paragraph_text(p))
        if m:
            rest = m.group(1).lstrip("_＿")
            # One space after the colon is typing; a wide gap there means the unit was left blank.
            rest = rest[1:] if rest.startswith(" ") and not rest.startswith("  ") else rest
            end = _UNIT_END_RE.search(rest)
            return (rest[: end.start()] if end else rest).strip(" _＿\u3000\u00a0")
    return None
