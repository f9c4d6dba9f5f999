"""Safe access to Office Open XML packages (.docx/.xlsx are zip files).

Everything that opens a package someone sent us goes through here, so the
limits against zip bombs and hostile XML live in one place
(docs/reliability.md lists them). Also: custom document properties, which
identify a returned form because they survive a LibreOffice or WPS save, and
atomic writes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from toolkit.errors import OutputError, ReturnError

# Limits for packages we read (docs/reliability.md): zip bombs are stopped
# before inflating, and a part's XML before parsing.
MAX_ENTRIES = 5_000
MAX_PART_BYTES = 64 * 1024 * 1024  # one XML part, uncompressed
MAX_PACKAGE_BYTES = 512 * 1024 * 1024  # sum of declared sizes of all entries

# Budgets per package and XML part, so that no return costs more than about
# 200 MB and 2 s to read, whatever its size on disk (docs/reliability.md).
# Memory follows the nodes, not the bytes: lxml spends 120-220 bytes per
# element, text or attribute, so 12 MB of `<w:p/>` (compressed: 12 KB) would
# cost 250 MB parsed; the reader then spends microseconds per paragraph, run
# and cell, and per level of nesting above fields and hidden text. An honest
# return of 1,500 filled rows (document.xml of 8 MB) uses 85% of the markup
# budget and at most 30% of the others. Each `<` opens at most one element,
# comment or instruction and ends at most one text node; each `=` gives at
# most one attribute: their sum bounds the nodes before anything is parsed.
MAX_XML_MARKUP = 650_000  # for all the parts read from one package
MAX_DEPTH = 40  # element nesting; Word's deepest (a text box in a nested table) is ~25
MAX_PARAGRAPHS = 100_000
MAX_RUNS = 50_000  # runs of text: Word starts one at every change of font, script or edit
MAX_CELLS = 50_000  # table cells, nested tables included
MAX_CELL_PARAGRAPHS = 1_000  # paragraphs of one cell (not counting nested tables)
MAX_ROW_CELLS = 64  # cells of one table row: Word allows 63 columns
MAX_FIELD_NESTING = 16  # fields inside fields
MAX_TEXT_CHARS = 2_000_000  # characters in w:t, in one part

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CUSTOM_REL_TYPE = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
)
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_PART = "docProps/custom.xml"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"

# Why a file operation failed, in words for the office (strerror is English).
_OS_REASONS = {
    errno.EACCES: "没有访问权限",
    errno.EPERM: "没有访问权限",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "磁盘或文件夹是只读的",
    errno.EEXIST: "路径中有一个同名的文件挡住了文件夹",
    errno.ENOTDIR: "路径中有一段是文件而不是文件夹",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENAMETOOLONG: "路径或文件名太长",
    errno.EBUSY: "文件正被其他程序占用",
    errno.ELOOP: "链接指向自身，形成循环",
    errno.EDQUOT: "磁盘配额已用完",
}


def os_reason(exc: OSError) -> str:
    return _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))


# OLE compound files: legacy .doc/.wps/.xls and password-protected OOXML.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=False,
)


def parse_xml(data: bytes, *, part: str = "") -> etree._Element:
    """Parse XML from an untrusted package: no DTD, no entities, no network, within the budgets."""
    return _parse(data, part, MAX_XML_MARKUP)[0]


def _parse(
    data: bytes, part: str, markup_left: int, *, budgets: bool = True
) -> tuple[etree._Element, int]:
    """The parsed part and its markup count, refused beyond `markup_left` or another budget."""
    head = data[:4096].lstrip()
    if b"<!DOCTYPE" in data[: _root_start(data)] or b"<!ENTITY" in head:
        raise ReturnError(
            f"文件内部 {part or 'XML'} 含有 DOCTYPE 声明，Word 不会这样保存，疑似恶意构造，已拒绝读取："
            "请让报送单位在 Word/WPS 中另存为新的 .docx 后重新报送。"
        )
    # Counted before parsing: the tree of a dense part is 20x its size.
    markup = data.count(b"<") + data.count(b"=")
    if markup > markup_left:
        total = MAX_XML_MARKUP - markup_left + markup
        raise _over_budget(part, f"XML 标记约有 {_count(total)}，上限 {_count(MAX_XML_MARKUP)}")
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        if _LIBXML_LIMIT_RE.search(str(exc)):  # libxml2's own limits: nesting, one text node
            raise _over_budget(part, f"嵌套多于 {MAX_DEPTH} 层，或一段文字过长") from None
        raise ReturnError(
            f"文件内部 {part or 'XML'} 已损坏（XML 格式错误，第 {exc.lineno} 行），"
            "请让报送单位重新保存后发送。"
        ) from None
    if root.getroottree().docinfo.doctype:
        raise ReturnError(f"文件内部 {part or 'XML'} 含有 DOCTYPE 声明，已拒绝读取。")
    if budgets and _too_deep(root):
        raise _over_budget(part, f"嵌套多于 {MAX_DEPTH} 层")
    if budgets and root.tag.startswith(_W):
        _check_word_budget(root, part)
    return root, markup


_LIBXML_LIMIT_RE = re.compile(r"depth|huge|resource limit|too big", re.IGNORECASE)
# True when an element lies deeper than MAX_DEPTH (the root is depth 1).
_too_deep = etree.XPath("boolean(" + "/".join(["*"] * MAX_DEPTH) + ")")
_W = f"{{{W_NS}}}"
_P, _R, _TR, _TC, _T = (_W + t for t in ("p", "r", "tr", "tc", "t"))
_FLD_CHAR = _W + "fldChar"
_FLD_CHAR_TYPE = _W + "fldCharType"
# Paragraphs and cells in these still belong to the cell or row around them
# (wordml.iter_blocks).
_WRAPPERS = frozenset((_W + "sdt", _W + "sdtContent", _W + "customXml"))


def _check_word_budget(root: etree._Element, part: str) -> None:
    """Paragraphs, runs, cells, fields and text of a WordprocessingML part, in one pass."""
    paragraphs = runs = cells = chars = fields = 0
    per_parent: dict[etree._Element, int] = {}  # a cell's paragraphs, a row's cells
    for el in root.iter(_P, _R, _TC, _T, _FLD_CHAR):
        tag = el.tag
        if tag == _T:
            chars += len(el.text or "")
        elif tag == _R:
            runs += 1
            if runs > MAX_RUNS:
                break
        elif tag == _FLD_CHAR:
            kind = el.get(_FLD_CHAR_TYPE)
            fields += kind == "begin"
            fields -= kind == "end" and fields > 0
            if fields > MAX_FIELD_NESTING:
                raise _over_budget(part, f"域中套域多于 {MAX_FIELD_NESTING} 层")
        else:
            paragraphs += tag == _P
            cells += tag == _TC
            if paragraphs > MAX_PARAGRAPHS or cells > MAX_CELLS:
                break
            parent = el.getparent()
            while parent is not None and parent.tag in _WRAPPERS:
                parent = parent.getparent()
            if parent is not None and parent.tag == (_TC if tag == _P else _TR):
                n = per_parent[parent] = per_parent.get(parent, 0) + 1
                if tag == _P and n > MAX_CELL_PARAGRAPHS:
                    raise _over_budget(
                        part, f"一个单元格中的段落多于 {_count(MAX_CELL_PARAGRAPHS)}"
                    )
                if tag == _TC and n > MAX_ROW_CELLS:
                    raise _over_budget(part, f"一个表格行中的单元格多于 {_count(MAX_ROW_CELLS)}")
    for count, limit, what in (
        (paragraphs, MAX_PARAGRAPHS, "段落"),
        (runs, MAX_RUNS, "文字片段（run）"),
        (cells, MAX_CELLS, "单元格"),
        (chars, MAX_TEXT_CHARS, "文字"),
    ):
        if count > limit:
            raise _over_budget(part, f"{what}多于 {_count(limit)}")


def _over_budget(part: str, what: str) -> ReturnError:
    """The `unreadable` reason for a part beyond a budget: what, and what to do."""
    return ReturnError(
        f"文件内部 {part or 'XML'} 超出读取上限（{what}），已拒绝读取：Word 保存的正常填报表远低于此上限，"
        "这样的文件多为有意构造；如确是正常的填报表，请让报送单位分成几份报送，"
        "或在 Word/WPS 中另存为新的 .docx 后重新报送。"
    )


def _count(n: int) -> str:
    return f"{round(n / 10_000)} 万个" if n >= 10_000 else f"{n} 个"


def _root_start(data: bytes) -> int:
    """Offset of the root element: a DOCTYPE can only stand before it."""
    i = 0
    while True:
        i = data.find(b"<", i)
        if i < 0 or i + 1 >= len(data):
            return len(data)
        nxt = data[i + 1 : i + 2]
        if nxt not in (b"?", b"!"):
            return i
        if data.startswith(b"<!--", i):
            end = data.find(b"-->", i)
            i = len(data) if end < 0 else end + 3
        elif data.startswith(b"<!DOCTYPE", i):
            return len(data)  # the DOCTYPE itself comes first: flag it
        else:
            end = data.find(b">", i)
            i = len(data) if end < 0 else end + 1


def sniff(path: Path) -> str:
    """What a file is by its first bytes: 'zip', 'ole', 'pdf', 'empty' or 'other'."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head == OLE_MAGIC:
        return "ole"
    if head.startswith(b"%PDF"):
        return "pdf"
    return "other"


class Package:
    """A read-only, size-limited view of a zip package.

    `budgets`: the reading budgets apply (files from outside); the office's
    own files (the register, a 一览表) may be larger and are read without them.
    `path` may be a file held in memory (a document embedded in another).
    """

    def __init__(self, path: Path | BinaryIO, *, budgets: bool = True) -> None:
        self.path = path
        self.budgets = budgets
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise ReturnError(
                "文件已损坏或不完整（不是有效的 zip/Word 文件），请让报送单位重新发送。"
            ) from None
        except OSError as exc:
            raise ReturnError(f"无法打开文件：{os_reason(exc)}") from None
        infos = self._zip.infolist()
        if len(infos) > MAX_ENTRIES:
            self.close()
            raise ReturnError(
                f"文件内部条目过多（{len(infos)} 个，上限 {MAX_ENTRIES}），已拒绝读取。"
            )
        if sum(i.file_size for i in infos) > MAX_PACKAGE_BYTES:
            self.close()
            raise ReturnError(
                f"文件解压后超过 {MAX_PACKAGE_BYTES // 2**20} MB，疑似压缩炸弹，已拒绝读取。"
            )
        self.infos = infos
        self.names = {i.filename for i in infos}
        # The markup budget is for all the parts read from one package together.
        self._markup_left = MAX_XML_MARKUP if budgets else sys.maxsize

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, name: str) -> bytes | None:
        """An entry's bytes, or None when absent; never more than MAX_PART_BYTES."""
        if name not in self.names:
            return None
        info = self._zip.getinfo(name)
        if info.file_size > MAX_PART_BYTES:
            raise ReturnError(
                f"文件内部 {name} 解压后超过 {MAX_PART_BYTES // 2**20} MB，已拒绝读取。"
            )
        chunks, total = [], 0
        try:
            with self._zip.open(info) as fh:
                # Declared sizes can lie: count what actually comes out.
                while chunk := fh.read(1 << 20):
                    total += len(chunk)
                    if total > MAX_PART_BYTES:
                        raise ReturnError(
                            f"文件内部 {name} 解压后超过 {MAX_PART_BYTES // 2**20} MB，已拒绝读取。"
                        )
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError):
            # Garbled or cut-off compressed data, or a size the zip lies about (CRC mismatch).
            raise ReturnError(
                f"文件内部 {name} 已损坏（解压失败或校验不符），请让报送单位重新保存后发送。"
            ) from None
        except NotImplementedError:
            raise ReturnError(
                f"文件内部 {name} 使用了不支持的压缩方式，请在 Word/WPS 中另存为 .docx 后重新报送。"
            ) from None
        except RuntimeError:  # an encrypted zip entry
            raise ReturnError(
                f"文件内部 {name} 已加密，无法读取：请去掉密码后重新保存为 .docx 再报送。"
            ) from None
        except OSError as exc:
            raise ReturnError(f"文件内部 {name} 无法读取：{os_reason(exc)}") from None
        return b"".join(chunks)

    def xml(self, name: str) -> etree._Element | None:
        data = self.read(name)
        return None if data is None else self.parse(name, data)

    def parse(self, name: str, data: bytes) -> etree._Element:
        """The entry `name`, read as `data`, parsed within the package's budgets."""
        root, markup = _parse(data, name, self._markup_left, budgets=self.budgets)
        self._markup_left -= markup
        return root


# ---------------------------------------------------------------- XML text

# Characters XML 1.0 cannot hold at all.
_XML_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_forbidden(text: str) -> list[str]:
    """The characters of `text` that no .docx/.xlsx can store."""
    return _XML_FORBIDDEN_RE.findall(text)


def strip_xml_forbidden(text: str) -> str:
    return _XML_FORBIDDEN_RE.sub("", text)


def describe_chars(chars: list[str]) -> str:
    return "、".join(sorted({f"U+{ord(c):04X}" for c in chars}))


# ---------------------------------------------------------------- custom properties


def read_custom_properties(pkg: Package) -> dict[str, str]:
    root = pkg.xml(CUSTOM_PART)
    if root is None:
        return {}
    props: dict[str, str] = {}
    for prop in root.iter(f"{{{CUSTOM_NS}}}property"):
        name = prop.get("name")
        if name and len(prop):
            props[name] = prop[0].text or ""
    return props


def custom_properties_xml(props: dict[str, str]) -> bytes:
    root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap={None: CUSTOM_NS, "vt": VT_NS})
    for pid, (name, value) in enumerate(props.items(), start=2):
        prop = etree.SubElement(
            root, f"{{{CUSTOM_NS}}}property", fmtid=_FMTID, pid=str(pid), name=name
        )
        etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def with_custom_part(content_types: bytes, package_rels: bytes) -> tuple[bytes, bytes]:
    """Register docProps/custom.xml in [Content_Types].xml and _rels/.rels."""
    ct = etree.fromstring(content_types)
    part = "/" + CUSTOM_PART
    if not any(o.get("PartName") == part for o in ct.iter(f"{{{CT_NS}}}Override")):
        etree.SubElement(ct, f"{{{CT_NS}}}Override", PartName=part, ContentType=CUSTOM_CT)
    rels = etree.fromstring(package_rels)
    if not any(r.get("Type") == CUSTOM_REL_TYPE for r in rels):
        ids = {r.get("Id") for r in rels}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        etree.SubElement(
            rels,
            f"{{{REL_NS}}}Relationship",
            Id=f"rId{n}",
            Type=CUSTOM_REL_TYPE,
            Target=CUSTOM_PART,
        )
    dump = lambda el: etree.tostring(el, xml_declaration=True, encoding="UTF-8", standalone=True)  # noqa: E731
    return dump(ct), dump(rels)


# ---------------------------------------------------------------- atomic output


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it over `target` on success.

    A run killed half-way leaves the previous file intact, never half a file.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem[:40]}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"无法在 {target.parent} 写入文件：{os_reason(exc)}") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, target)
    except PermissionError:
        # On Windows, what Excel, WPS or Word has open cannot be replaced.
        raise OutputError(
            f"无法写入 {target}：文件正被其他程序打开，或没有写入权限。",
            hint=f"请先在 Excel/WPS 中关闭 {target.name} 后重试。",
        ) from None
    except OSError as exc:
        raise OutputError(
            f"无法写入 {target}：{os_reason(exc)}（文件是否正被 Word/Excel 打开？）"
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def write_bytes_atomic(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


# ---------------------------------------------------------------- Excel text escapes

# Excel stores a character XML cannot hold (a pasted CR, a control character)
# in sheet text as `_xHHHH_`, and a literal `_xHHHH_` as `_x005F_xHHHH_`
# (ECMA-376 ST_Xstring). openpyxl does not protect literal ones when writing;
# reading, it leaves inline strings as stored but drops the `_x005F` of shared
# strings (how Excel, WPS and LibreOffice store text), after which a literal
# `_x0041_` and an escaped "A" look the same. Excel only escapes characters
# XML cannot hold, so only those are decoded: typed text stays as typed.
_EXCEL_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _escaped_char(code: int) -> bool:
    return code < 0x20 or 0x7F <= code <= 0x9F or code in (0x5F, 0xFFFE, 0xFFFF)


def excel_unescape(text: str) -> str:
    """Sheet text, as openpyxl reads it, as Excel shows it."""

    def decoded(m: re.Match[str]) -> str:
        code = int(m.group(1), 16)
        return chr(code) if _escaped_char(code) else m.group(0)

    return _EXCEL_ESCAPE_RE.sub(decoded, text)


def excel_protect(text: str) -> str:
    """Text to write so that Excel shows it as it is (`_x0041_` stays `_x0041_`)."""
    return _EXCEL_ESCAPE_RE.sub(lambda m: "_x005F" + m.group(0), text)
