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
from toolkit.office import wordstyles
from toolkit.office.ooxml import REL_NS, W_NS, Package, os_reason, read_custom_properties, sniff
from toolkit.office.wordml import TBL, Cell, El, Row, WordDocument, alt_chunk_text
from toolkit.returns.columns import Header, cells_in, find_header

_STRICT_W_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_ID_RE = re.compile(r"^\d+(-\d+)*$")
_PERIOD_RE = re.compile(r"(\d{4})年第([一二三四1-4])季度")
_UNIT_RE = re.compile(r"填报单位(?:[（(]盖章[）)])?\s*[：:](.*)", re.S)
# The unit name ends at a tab, a line break, a wide gap, or the next `标签：`.
_UNIT_END_RE = re.compile(r"[\t\n]|[ \u3000\u00a0]{2,}|\u3000|\s+[^\s：:]{1,8}[：:]")
_CN_QUARTER = {v: k for k, v in rules.QUARTER_CN.items()}


# What a table row under the header is, besides a project row.
PROJECT = "project"  # has a 序号 (which may still not be a project of the register)
SUMMARY = "summary"  # 合计, 小计, 共9项…
NO_ID = "no_id"  # text without a 序号 and no row above to continue


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
    kind: str = PROJECT
    # Texts of the rows below without a 序号 (or with their 序号 cell merged into
    # this one's), joined into this row column by column.
    joined: list[list[tuple[str, str]]] = field(default_factory=list)  # their texts()
    own: list[tuple[str, str]] = field(default_factory=list)  # texts() before any was joined
    struck: list[tuple[str, str]] = field(default_factory=list)  # (column id, struck text)
    unread: list[tuple[str, str]] = field(default_factory=list)  # (column id, 图片/公式…)

    def texts(self) -> list[tuple[str, str]]:
        """(column id, text) of every cell with text, known columns first."""
        return [(k, v) for k, v in (*self.cells.items(), *self.extra.items()) if v.strip()]

    def typed(self) -> bool:
        """Whether a unit did anything here a generated form does not have: text in the
        columns it fills, rows it added, struck text. (Extra columns may be the office's.)"""
        return (
            any(self.cells.get(key, "").strip() for key in rules.FILLED_KEYS)
            or bool(self.struck or self.unread or self.joined)
            or self.kind != PROJECT
        )

    def own_texts(self) -> list[tuple[str, str]]:
        """texts() of the row itself, without the rows joined into it."""
        return self.own if self.joined else self.texts()


@dataclass
class ReturnedForm:
    path: Path
    properties: dict[str, str]  # custom document properties (docProps/custom.xml)
    unit_line: str | None  # unit named after `填报单位：`; "" if blank, None if no such line
    title: str | None  # first non-empty paragraph with `季度` before the project table
    period: tuple[int, int] | None  # (year, quarter) from the title
    headers: list[str]  # header texts of the first project table, by column
    rows: list[ReturnRow]
    # Column keys read from several columns (a column split in two), with their headers.
    joined_columns: dict[str, list[str]] = field(default_factory=dict)


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
        data = pkg.read(main)
        assert data is not None
        root = pkg.parse(main, data)
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
        # Styles matter for list numbers (a style can carry one) and for text a
        # style hides or strikes through: nearly every return has neither, and
        # skips parsing them.
        styles_part = _target_in(rels_root, rels, "/styles", posixpath.join(folder, "styles.xml"))
        styles_xml = pkg.read(styles_part) or b""
        has_lists = numbering is not None and numbering.find(f"{{{W_NS}}}num") is not None
        styles = None
        if styles_xml and (has_lists or wordstyles.may_matter(styles_xml)):
            styles = pkg.parse(styles_part, styles_xml)
        chunks = _alt_chunks(pkg, rels_root, rels) if b"altChunk" in data else {}
        doc = WordDocument(root, numbering, styles, chunks.get)
        return doc, read_custom_properties(pkg)


def _alt_chunks(pkg: Package, rels: El | None, rels_part: str) -> dict[str, str | None]:
    """Text of each altChunk's imported part by relationship id (None: cannot be read)."""
    texts: dict[str, str | None] = {}
    for rel in rels.iter(f"{{{REL_NS}}}Relationship") if rels is not None else ():
        if rel.get("Type", "").endswith("/aFChunk") and rel.get("TargetMode") != "External":
            name = _part_name(rels_part, rel.get("Target") or "")
            data = pkg.read(name)
            texts[rel.get("Id", "")] = None if data is None else alt_chunk_text(data, name)
    return texts


def _part_name(rels_part: str, target: str) -> str:
    """The package part a relationship's target names, relative to the part it belongs to."""
    base = "" if target.startswith("/") else posixpath.dirname(posixpath.dirname(rels_part))
    return posixpath.normpath(posixpath.join(base, target.lstrip("/")))


def _target(pkg: Package, rels_part: str, type_suffix: str, default: str) -> str:
    """The part a relationship of the given type points to (Word's usual name if none)."""
    return _target_in(pkg.xml(rels_part), rels_part, type_suffix, default)


def _target_in(rels: El | None, rels_part: str, type_suffix: str, default: str) -> str:
    for rel in rels.iter(f"{{{REL_NS}}}Relationship") if rels is not None else ():
        target = rel.get("Target") or ""
        if rel.get("Type", "").endswith(type_suffix) and rel.get("TargetMode") != "External":
            return _part_name(rels_part, target)
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
    joined_columns: dict[str, list[str]] = {}
    title: str | None = None
    header: Header | None = None  # columns of the project table being read
    width = 0
    table_index = -1
    above: ReturnRow | None = None  # the row a row without 序号 continues
    for block in doc.blocks():
        if block.tag != TBL:
            if not headers and title is None:
                text = doc.paragraph_text(block).strip()
                title = text if "季度" in text else None
            continue
        table_index += 1
        table_rows = doc.table_rows(block)
        found = find_header(table_rows, quarter)
        if found is not None:
            header, above = found, None
            width = doc.grid_width(block)
            if not headers:
                headers = [c.text for c in found.columns]
                title = title or _title_in(table_rows[: found.at])
            for key, parts in found.joined.items():
                joined_columns.setdefault(key, parts)
            data = table_rows[found.first_data :]
        elif header is not None and doc.grid_width(block) == width and _has_id(table_rows, header):
            data = table_rows  # the same table, continued after a paragraph or page break
        else:
            header = None
            continue
        for row in data:
            above = _take(row, header, table_index, above, rows)
    return ReturnedForm(
        path=path,
        properties=properties,
        unit_line=_unit_line(doc),
        title=title,
        period=_period(title),
        headers=headers,
        rows=rows,
        joined_columns=joined_columns,
    )


def _has_id(rows: list[Row], header: Header) -> bool:
    id_col = header.id_column
    return any(_ID_RE.match(rules.normalize_id(c.text)) for r in rows for c in cells_in(r, id_col))


def _take(
    row: Row, header: Header, table_index: int, above: ReturnRow | None, rows: list[ReturnRow]
) -> ReturnRow | None:
    """Add one table row to `rows`; return the row a following row without 序号 continues."""
    read = _row(row, header, table_index)
    if read is None:  # nothing shows in it
        return above
    if rules.is_example_label(read.id_text) or _is_repeated_header(row, header):
        return None  # the form's own rows: guidance, or its header again
    if rules.is_summary_label(read.id_text or next((t for _, t in read.texts()), "")):
        read.kind = SUMMARY
    elif not read.id:
        if above is not None:  # blank or merged 序号: the row above goes on
            _join(above, read)
            return above
        read.kind = NO_ID
    rows.append(read)
    return read


def _row(row: Row, header: Header, table_index: int) -> ReturnRow | None:
    """The row's text by column; None when nothing in it shows."""
    values: dict[str, str] = {}
    extra: dict[str, str] = {}
    continued: set[str] = set()
    noted: list[tuple[str, Cell]] = []  # cells with struck text or content without text
    for col in header.columns:
        cells = cells_in(row, col)
        _put(extra if col.key is None else values, col.id, cells, noted)
        if col.key is not None and cells and cells[0].continuation:
            continued.add(col.key)
    stray = [c for c in row.cells if c.grid_col not in header.covered]
    if stray:  # cells right of the last header cell
        _put(extra, OUTSIDE_COLUMNS, stray, noted)
    if not noted and not any(t.strip() for t in (*values.values(), *extra.values())):
        return None
    id_text = values.get(rules.ID, "")
    return ReturnRow(
        rules.normalize_id(id_text),
        id_text,
        values,
        extra,
        table_index,
        continued,
        struck=[(cid, s) for cid, c in noted for s in c.struck],
        unread=[(cid, u) for cid, c in noted for u in c.unread],
    )


def _put(
    target: dict[str, str], cid: str, cells: list[Cell], noted: list[tuple[str, Cell]]
) -> None:
    """A column's cells into the row: after what an earlier part of a split column gave."""
    text = "\n".join(c.text for c in cells if c.text)
    earlier = target.get(cid)
    target[cid] = _joined(earlier, text) if earlier else text
    noted.extend((cid, c) for c in cells if c.struck or c.unread)


OUTSIDE_COLUMNS = "表头以外的单元格"


def _joined(first: str, second: str) -> str:
    return f"{first}\n{second}" if first and second else first or second


def _join(above: ReturnRow, below: ReturnRow) -> None:
    """A continuation row: its text goes on the row above, column by column, in order."""
    if not above.joined:
        above.own = above.texts()
    for target, more in ((above.cells, below.cells), (above.extra, below.extra)):
        for cid, text in more.items():
            target[cid] = _joined(target.get(cid, ""), text)
    above.joined.append(below.texts())
    above.struck += below.struck
    above.unread += below.unread


def _is_repeated_header(row: Row, header: Header) -> bool:
    """The header row again (pasted, or a second page's): each cell says its column's header."""
    said = 0
    for col in header.columns:
        for c in cells_in(row, col):
            if c.text.strip():
                if rules.clean_header(c.text) != rules.clean_header(col.text):
                    return False
                said += 1
    return said > 1


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
