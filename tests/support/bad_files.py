"""Builders for the reliability corpus: bad, hostile and huge returns and registers.

Everything is made by the tests from real packages (a generated form filled
with lxml, an openpyxl workbook, a zip written byte by byte), so each case is
the file an office would receive, not a mock.
"""

from __future__ import annotations

import copy
import re
import shutil
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from click.testing import Result
from lxml import etree
from openpyxl import Workbook, load_workbook

from support.cli import invoke
from support.registers import write_register
from support.summaries import summary_by_id
from toolkit.core import rules
from toolkit.office.ooxml import excel_protect

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# ---------------------------------------------------------------- a small register

# 序号 -> (项目名称, 主办单位): three units, each leading rows of its own only,
# so every merged cell holds exactly one unit's text.
PROJECTS = {
    "1-1": ("社区食堂建设", "民治街道"),
    "1-2": ("老旧小区改造", "民治街道"),
    "2-1": ("口袋公园建设", "观湖街道"),
    "3-1": ("长者饭堂运营", "龙华街道"),
}
UNITS = ["民治街道", "观湖街道", "龙华街道"]
REGION = "龙华区"


def register_rows(projects: dict[str, tuple[str, str]] = PROJECTS) -> list[list[Any]]:
    return [
        ["", pid, name, f"{name}年度目标", "", "", f"{name}三季度目标", "", lead, "/"]
        for pid, (name, lead) in projects.items()
    ]


def small_register(path: Path, projects: dict[str, tuple[str, str]] = PROJECTS) -> Path:
    return write_register(
        path, register_rows(projects), units=[(u, "街道") for u in UNITS], title=None
    )


def big_register(path: Path, n: int, unit: str = "民治街道") -> Path:
    """One unit leading `n` rows (a huge but honest register)."""
    projects = {f"{i // 100 + 1}-{i % 100 + 1}": (f"项目{i:05d}", unit) for i in range(n)}
    return write_register(path, register_rows(projects), units=[(unit, "街道")], title=None)


def text_register(
    path: Path, rows: Sequence[Sequence[str]], units: Sequence[str | Sequence[str]]
) -> Path:
    """A register whose cells are all written as text, whatever they start with.

    `rows` are (序号, 项目名称, 年度目标, 第三季度目标, 主办单位); `units` are names,
    or (单位名称, 类型, 联系人, 联系电话, 邮箱). openpyxl would store `=1+1` as a
    formula; here every string is a string, as Excel stores text typed into a
    cell formatted as 文本, escaped as Excel escapes it.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    header = ["序号", "项目名称", "年度目标", "第三季度目标", "主办单位", "协办单位"]
    for c, h in enumerate(header, start=1):
        ws.cell(1, c).value = h
    for r, values in enumerate(rows, start=2):
        for c, v in enumerate([*values, "/"], start=1):
            cell = ws.cell(r, c)
            cell.value = excel_escape(v)
            cell.data_type = "s"
    us = wb.create_sheet("单位")
    us.append(["单位名称", "类型", "联系人", "联系电话", "邮箱"])
    for r, u in enumerate(units, start=2):
        info = [u, "街道", "", "", ""] if isinstance(u, str) else list(u)
        for c, v in enumerate(info, start=1):
            cell = us.cell(r, c)
            cell.value = excel_escape(v)
            cell.data_type = "s"
    st = wb.create_sheet("设置")
    st.append(["设置项", "值"])
    st.append(["地区", REGION])
    st.append(["年度", 2023])
    wb.save(path)
    return path


_EXCEL_UNSTORABLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")


def excel_escape(text: str) -> str:
    """`text` as Excel stores it in the sheet XML (ECMA-376 ST_Xstring).

    A character XML cannot hold, and a carriage return, becomes `_xHHHH_`;
    a literal `_xHHHH_` is protected as `_x005F_xHHHH_`. openpyxl writes
    strings as they are (inline), so the text is what Excel writes; Excel puts
    it in shared strings (see test_register for a register saved by Calc).
    """
    return _EXCEL_UNSTORABLE_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", excel_protect(text))


# ---------------------------------------------------------------- the real CLI


def generate(register: Path, out: Path, *args: str) -> list[Path]:
    result = invoke("generate", register, "-q", "3", "-o", out, "--force", *args)
    assert result.exit_code == 0, result.stderr
    return sorted(out.glob("*.docx"))


def form_of(forms: Path, unit: str) -> Path:
    return forms / f"{REGION}2023年第三季度民生实事项目进展情况表（{unit}）.docx"


# ---------------------------------------------------------------- filling a form


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _write_entries(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def _cell_text(tc: etree._Element) -> str:
    return "".join(t.text or "" for t in tc.iter(W + "t"))


def set_cell_text(tc: etree._Element, value: str) -> None:
    """One paragraph: `\\n` as w:br and `\\t` as w:tab, as Word stores Shift+Enter and Tab."""
    paragraphs = tc.findall(W + "p")
    ppr = paragraphs[0].find(W + "pPr")
    for p in paragraphs:
        tc.remove(p)
    p = etree.SubElement(tc, W + "p")
    if ppr is not None:
        p.append(copy.deepcopy(ppr))
    r = etree.SubElement(p, W + "r")
    text: list[str] = []

    def flush() -> None:
        if text:
            t = etree.SubElement(r, W + "t")
            t.text = "".join(text)
            t.set(XML_SPACE, "preserve")
            text.clear()

    for ch in value:
        if ch in "\n\t":
            flush()
            etree.SubElement(r, W + ("br" if ch == "\n" else "tab"))
        else:
            text.append(ch)
    flush()


_FILL_KEYS = {"进展情况": rules.PROGRESS, "存在问题": rules.PLAN, "进度评价": rules.EVALUATION}


def fill_form(src: Path, dst: Path, rows: dict[str, dict[str, str]]) -> Path:
    """`dst`: the form `src` with cells typed, e.g. {"1-1": {"进展情况": "…", "进度评价": "正常推进"}}."""
    entries = _entries(src)
    root = etree.fromstring(entries["word/document.xml"])
    pending = dict(rows)
    for tbl in root.iter(W + "tbl"):
        trs = tbl.findall(W + "tr")
        header = next(
            (
                [_cell_text(tc) for tc in tr.findall(W + "tc")]
                for tr in trs
                if rules.is_project_header_row([_cell_text(tc) for tc in tr.findall(W + "tc")])
            ),
            None,
        )
        if header is None:
            continue
        keys = [rules.header_key(h) for h in header]
        for tr in trs:
            cells = tr.findall(W + "tc")
            if len(cells) != len(keys):
                continue
            pid = rules.normalize_id(_cell_text(cells[keys.index(rules.ID)]))
            for column, value in pending.pop(pid, {}).items():
                set_cell_text(cells[keys.index(_FILL_KEYS[column])], value)
    assert not pending, f"rows not in {src.name}: {sorted(pending)}"
    entries["word/document.xml"] = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", standalone=True
    )
    return _write_entries(dst, entries)


def typed_rows(unit: str, projects: dict[str, tuple[str, str]] = PROJECTS) -> dict[str, dict]:
    """What `unit` types into each of its rows (distinct per row and unit)."""
    return {
        pid: {
            "进展情况": f"1.{unit}{name}已完成主体工程。\n2.已投入使用。",
            "存在问题": f"{name}：下一步做好验收。",
            "进度评价": "正常推进",
        }
        for pid, (name, lead) in projects.items()
        if lead == unit
    }


def good_returns(tmp: Path, register: Path, units: Iterable[str] = UNITS) -> tuple[Path, dict]:
    """Generate, fill and collect the returns of `units` in tmp/returns.

    Returns the folder and what was typed: {序号: {"进展情况": …, …}}.
    """
    forms = tmp / "forms"
    generate(register, forms)
    returns = tmp / "returns"
    returns.mkdir(exist_ok=True)
    typed: dict[str, dict[str, str]] = {}
    for unit in units:
        rows = typed_rows(unit)
        fill_form(form_of(forms, unit), returns / f"{unit}.docx", rows)
        typed.update(rows)
    return returns, typed


# ---------------------------------------------------------------- reading the outputs back


def summary_docx_rows(path: Path) -> dict[str, tuple[str, str]]:
    """序号 -> (进展情况, 存在问题及下一步工作计划) of the 一览表 .docx."""
    return {pid: (r[rules.PROGRESS], r[rules.PLAN]) for pid, r in summary_by_id(path).items()}


def summary_xlsx_rows(path: Path) -> dict[str, tuple[str, str]]:
    wb = load_workbook(path)
    ws = wb.active
    header_row = next(r for r in range(1, 10) if ws.cell(r, 2).value == "序号")
    out = {}
    for r in range(header_row + 1, ws.max_row + 1):
        pid = ws.cell(r, 2).value
        if pid:
            # The only escape in these shared strings protects a typed `_xHHHH_`
            # (`_x005F_xHHHH_`); openpyxl undoes it: values read as Excel shows them.
            texts = tuple(ws.cell(r, c).value or "" for c in (6, 7))
            if str(pid) in out:  # the project's next row: a unit's, or its text continued
                texts = tuple(
                    "\n".join(t for t in pair if t)
                    for pair in zip(out[str(pid)], texts, strict=True)
                )
            out[str(pid)] = texts  # type: ignore[assignment]
    return out


def assert_merged(docx: Path, xlsx: Path, typed: dict[str, dict[str, str]]) -> None:
    """Every typed row is in both 一览表 files, word for word."""
    expected = {pid: (v["进展情况"], v["存在问题"]) for pid, v in typed.items()}
    in_docx = summary_docx_rows(docx)
    in_xlsx = summary_xlsx_rows(xlsx)
    assert {pid: in_docx[pid] for pid in expected} == expected
    assert {pid: in_xlsx[pid] for pid in expected} == expected


def merge_json(result: Result) -> dict:
    import json

    return json.loads(result.stdout)


# ---------------------------------------------------------------- bad files


def not_a_zip(path: Path) -> Path:
    path.write_bytes("这不是 Word 文件，只是一段文字。\n".encode() * 20)
    return path


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def truncated_zip(path: Path, good: Path) -> Path:
    """The first half of a good return, as an interrupted download leaves it."""
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def xlsx_renamed(path: Path) -> Path:
    wb = Workbook()
    wb.active.append(["序号", "进展情况"])
    wb.save(path)
    return path


def pdf_renamed(path: Path) -> Path:
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return path


def encrypted_copy(src: Path, dst: Path, password: str = "1234") -> Path:
    """A real password-protected Office file (ECMA-376 agile encryption)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(src, "rb") as fin, open(dst, "wb") as fout:
        OOXMLFile(fin).encrypt(password, fout)
    return dst


def replace_part(src: Path, dst: Path, part: str, data: bytes) -> Path:
    entries = _entries(src)
    entries[part] = data
    return _write_entries(dst, entries)


def docm_with_macro(src: Path, dst: Path) -> Path:
    """A macro-enabled document: vbaProject.bin, its relationship and content types."""
    entries = _entries(src)
    ct = entries["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml",
        b"ms-word.document.macroEnabled.main+xml",
    )
    ct = ct.replace(
        b"</Types>",
        b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    )
    entries["[Content_Types].xml"] = ct
    rels = entries["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdVba1" Type="http://schemas.microsoft.com/office/2006/'
        b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
    )
    entries["word/_rels/document.xml.rels"] = rels
    # An OLE header and a macro source that would create a file if anything ran it.
    entries["word/vbaProject.bin"] = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 504
        + b'Sub AutoOpen()\r\nOpen "pwned.txt" For Output As #1\r\nEnd Sub\r\n'
    )
    return _write_entries(dst, entries)


def with_doctype(document_xml: bytes, internal_subset: str) -> bytes:
    """document.xml with `<!DOCTYPE w:document [internal_subset]>` before the root."""
    decl_end = document_xml.index(b"?>") + 2
    doctype = f"<!DOCTYPE w:document [{internal_subset}]>".encode()
    return document_xml[:decl_end] + doctype + document_xml[decl_end:]


def with_entity_in_cell(document_xml: bytes, typed: str, entity: str) -> bytes:
    """Replace the typed text `typed` (XML-escaped as written) with `&entity;`."""
    needle = typed.encode()
    assert needle in document_xml
    return document_xml.replace(needle, f"&{entity};".encode(), 1)


def billion_laughs() -> str:
    levels = ['<!ENTITY lol0 "lol">']
    levels += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return "".join(levels)


# ---------------------------------------------------------------- zip bombs


def _raw_deflate(data: bytes, flush: int) -> bytes:
    """Raw deflate of `data` ending in `flush`.

    After a full flush the compressor's history is empty, so independently
    compressed pieces ending in full flushes concatenate into one valid
    stream: one compressed MB of spaces repeated is a bomb of gigabytes that
    costs a few MB on disk and no time to build.
    """
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush(flush)


def _raw_zip(path: Path, entries: list[tuple[str, bytes, int, int, int]]) -> Path:
    """Write a zip of already-deflated entries: (name, data, crc, size, declared_size)."""
    out = bytearray()
    central = bytearray()
    for name, data, crc, _size, declared in entries:
        raw = name.encode()
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), declared, len(raw), 0
        )
        out += raw + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(data),
            declared,
            len(raw),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += raw
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(out), 0
    )
    path.write_bytes(bytes(out + central + end))
    return path


def zip_bomb(path: Path, gigabytes: int = 3, *, declared: int | None = None) -> Path:
    """A .docx whose document.xml inflates to `gigabytes` GiB of spaces inside a valid body.

    `declared` (bytes) makes the zip lie about the uncompressed size, as a
    crafted file would to get past a size check. Stays below 4 GiB (no zip64).
    """
    assert 1 <= gigabytes <= 3
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<w:document xmlns:w="' + W_NS.encode() + b'"><w:body>'
    )
    tail = b"</w:body></w:document>"
    chunk = b" " * (1 << 20)
    times = gigabytes * 1024
    data = (
        _raw_deflate(head, zlib.Z_FULL_FLUSH)
        + _raw_deflate(chunk, zlib.Z_FULL_FLUSH) * times
        + _raw_deflate(tail, zlib.Z_FINISH)
    )
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(chunk) * times + len(tail)
    return _raw_zip(
        path,
        [
            _deflated("[Content_Types].xml", CONTENT_TYPES),
            _deflated("_rels/.rels", PACKAGE_RELS),
            ("word/document.xml", data, crc, size, size if declared is None else declared),
        ],
    )


def _deflated(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    z = _raw_deflate(data, zlib.Z_FINISH)
    return name, z, zlib.crc32(data), len(data), len(data)


def dense_bomb(path: Path, elements: int) -> Path:
    """A .docx whose document.xml is small on disk but holds millions of empty paragraphs."""
    head = b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="' + W_NS.encode()
    xml = head + b'"><w:body>' + b"<w:p/>" * elements + b"</w:body></w:document>"
    return _write_entries(
        path,
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": PACKAGE_RELS,
            "word/document.xml": xml,
        },
    )


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
PACKAGE_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)

# ---------------------------------------------------------------- inputs before/after


def snapshot(root: Path) -> dict[Path, tuple[bytes, int]]:
    """Bytes and mtime of every file under `root` (or of `root` itself)."""
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
