"""References in a document to content outside it: found and removed before LibreOffice opens it.

LibreOffice fetches a linked image or included file while it converts, from
whatever address the sender chose. Before conversion, the copy it is given
loses every such reference it can hold: relationships with
TargetMode="External" (images, OLE links, templates; hyperlinks stay, they
are only followed when clicked), INCLUDEPICTURE / INCLUDETEXT / IMPORT /
LINK / DDE field codes, in .docx packages and RTF, and `xlink:href`s
pointing outside an OpenDocument file (linked images, sections, templates).
Binary .doc/.wps and web pages cannot be rewritten here; LibreOffice's own
settings and a network namespace cover those (libreoffice.py).
"""

from __future__ import annotations

import functools
import posixpath
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from toolkit.office.ooxml import REL_NS, W_NS, Package, parse_xml, sniff

XLINK_NS = "http://www.w3.org/1999/xlink"
_HREF = f"{{{XLINK_NS}}}href"
_W = f"{{{W_NS}}}"
_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODF_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODF_HYPERLINKS = {f"{{{_ODF_TEXT}}}a", f"{{{_ODF_DRAW}}}a"}  # followed only when clicked
_MACRO_SCHEME = "vnd.sun.star.script:"  # names a macro, fetches nothing; macros are off
_PACKAGE_SCHEME = "vnd.sun.star.package:"

# A field code that loads content from elsewhere when the field is updated.
_LINK_FIELD_RE = re.compile(
    r"^\s*(INCLUDEPICTURE|INCLUDETEXT|IMPORT|LINK|DDEAUTO|DDE)\b\s*(\"[^\"]*\"|\S*)", re.I
)
_LINK_FIELD_BYTES_RE = re.compile(rb"(?i)INCLUDEPICTURE|INCLUDETEXT|IMPORT|LINK|DDE")
_REL_LABELS = {
    "image": "外部图片",
    "oleObject": "外部 OLE 对象",
    "attachedTemplate": "外部模板",
    "subDocument": "外部子文档",
    "frame": "外部框架",
}
_ODF_LABELS = {"image": "外部图片", "fill-image": "外部图片", "background-image": "外部图片"}
_ODF_LABELS |= {"object": "外部对象", "object-ole": "外部对象", "section-source": "外部章节"}
_ODF_LABELS |= {"template": "外部模板"}


def strip_links(src: Path, dst: Path) -> list[str]:
    """Copy `src` to `dst` without references to outside content; what went, one entry each.

    A package that cannot be checked (damaged, over a reading limit) raises
    ReturnError: LibreOffice must not open what was not checked.
    """
    if sniff(src) == "zip":
        return _strip_package(src, dst)
    data = src.read_bytes()
    head = data[:4096].lstrip()
    removed: list[str] = []
    if head.startswith(b"{\\rtf"):
        data, removed = _strip_rtf(data)
    elif head.startswith(b"<?xml") and _ODF_OFFICE.encode() in head:
        root = parse_xml(data, part=src.name)  # a flat OpenDocument file (.fodt)
        removed = _strip_odf_xml(root, set())
        if removed:
            data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    dst.write_bytes(data)
    return removed


# ---------------------------------------------------------------- zip packages


def _strip_package(src: Path, dst: Path) -> list[str]:
    removed: list[str] = []
    with Package(src) as pkg, zipfile.ZipFile(dst, "w") as out:
        odf = "content.xml" in pkg.names and "mimetype" in pkg.names
        for info in pkg.infos:
            name, data = info.filename, pkg.read(info.filename) or b""
            strip: Callable[[etree._Element], list[str]] | None = None
            if odf and name.endswith(".xml"):
                strip = functools.partial(_strip_odf_xml, entries=pkg.names)
            elif name.endswith(".rels"):
                strip = _strip_relationships
            elif name.endswith(".xml") and _LINK_FIELD_BYTES_RE.search(data):
                strip = _strip_fields
            if strip is not None:
                root = pkg.parse(name, data)
                found = strip(root)
                if found:
                    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
                    removed.extend(found)
            out.writestr(info, data)
    return removed


def _strip_relationships(root: etree._Element) -> list[str]:
    removed = []
    for rel in list(root.iter(f"{{{REL_NS}}}Relationship")):
        kind = posixpath.basename(rel.get("Type", ""))
        if rel.get("TargetMode", "").lower() == "external" and kind != "hyperlink":
            removed.append(f"{_REL_LABELS.get(kind, '外部链接')}（{rel.get('Target', '')}）")
            rel.getparent().remove(rel)
    return removed


def _strip_fields(root: etree._Element) -> list[str]:
    """Blank the code of link fields; their last shown result stays as text."""
    removed = []
    for simple in root.iter(_W + "fldSimple"):
        found = _link_field(simple.get(_W + "instr", ""))
        if found:
            simple.set(_W + "instr", "")
            removed.append(found)
    # A complex field's code is the w:instrText between its begin and separate.
    codes: list[list[etree._Element]] = []
    for el in root.iter(_W + "fldChar", _W + "instrText"):
        if el.tag == _W + "instrText":
            if codes:
                codes[-1].append(el)
            continue
        kind = el.get(_W + "fldCharType")
        if kind == "begin":
            codes.append([])
        elif kind in ("separate", "end") and codes:
            parts = codes.pop() if kind == "end" else codes[-1]
            found = _link_field("".join(p.text or "" for p in parts))
            if found:
                for part in parts:
                    part.text = ""
                removed.append(found)
            if kind == "separate":
                codes[-1] = []  # the result part holds no code
    return removed


def _link_field(code: str) -> str | None:
    m = _LINK_FIELD_RE.match(code)
    return f"{m.group(1).upper()} 域（{m.group(2).strip(chr(34))}）" if m else None


# ---------------------------------------------------------------- OpenDocument


def _strip_odf_xml(root: etree._Element, entries: set[str]) -> list[str]:
    removed = []
    for el in root.iter():
        href = el.get(_HREF) if isinstance(el.tag, str) else None
        if href is None or el.tag in _ODF_HYPERLINKS or _inside(href, entries):
            continue
        del el.attrib[_HREF]
        kind = etree.QName(el).localname
        removed.append(f"{_ODF_LABELS.get(kind, '外部链接')}（{href}）")
    return removed


def _inside(href: str, entries: set[str]) -> bool:
    """Whether `href` names something inside the package (or is no location at all)."""
    ref = href.strip()
    if not ref or ref.lower().startswith(_MACRO_SCHEME) or ref.startswith("#"):
        return True
    if ref.lower().startswith(_PACKAGE_SCHEME):
        ref = ref[len(_PACKAGE_SCHEME) :]
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:|^[/\\]", ref):
        return False
    ref = posixpath.normpath(ref.removeprefix("./")).rstrip("/")
    return ref in entries or any(e.startswith(ref + "/") for e in entries)


# ---------------------------------------------------------------- RTF

_RTF_TOKEN_RE = re.compile(rb"\\[\\{}]|\\'[0-9a-fA-F]{2}|\\[a-zA-Z]+-?\d* ?|\\.|[{}]")


def _strip_rtf(data: bytes) -> tuple[bytes, list[str]]:
    """Drop the instruction of every link field (`{\\*\\fldinst INCLUDEPICTURE "…"}`)."""
    out, removed, pos = bytearray(), [], 0
    for m in re.finditer(rb"\\fldinst\b", data):
        if m.start() < pos:
            continue  # inside an instruction already dropped
        end, text = _rtf_group_rest(data, m.end())
        found = _link_field(text)
        if found:
            out += data[pos : m.end()] + b" "
            pos = end
            removed.append(found)
    out += data[pos:]
    return bytes(out), removed


def _rtf_group_rest(data: bytes, start: int) -> tuple[int, str]:
    """Where the group around `start` closes, and its plain text from `start` on."""
    depth, text = 0, bytearray()
    last = start
    for token in _RTF_TOKEN_RE.finditer(data, start):
        text += data[last : token.start()]
        last = token.end()
        t = token.group()
        if t == b"{":
            depth += 1
        elif t == b"}":
            if depth == 0:
                return token.start(), text.decode("latin-1")
            depth -= 1
        elif t[:2] in (b"\\\\", b"\\{", b"\\}"):
            text += t[1:]
        elif t.startswith(b"\\'"):
            text += bytes([int(t[2:], 16)])
    return len(data), text.decode("latin-1")
