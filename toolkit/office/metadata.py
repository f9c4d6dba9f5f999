"""What a .docx or .xlsx carries besides what it shows, and taking it out before publishing.

A document passed around an office collects names and traces: the author
and last editor, the company, custom properties (WPS writes `KSO…` ones:
`KSOTemplateDocerSaveRecord` can hold a WPS account id), comments and
their authors, tracked changes, hidden text, revision ids (`w:rsid…`, one
per editing session), document variables, the template's path.
`inspect_package` lists all of it; `scrub_docx` removes from a .docx what
a published edition must not carry, keeping what it shows (tracked changes
are accepted as they read: insertions kept, deletions dropped).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from toolkit.office.ooxml import CT_NS, CUSTOM_NS, REL_NS, W_NS, Package

_W = f"{{{W_NS}}}"
_CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
_DC = "http://purl.org/dc/elements/1.1/"
_DCTERMS = "http://purl.org/dc/terms/"
_EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
_SS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CORE, APP, CUSTOM = "docProps/core.xml", "docProps/app.xml", "docProps/custom.xml"

# Groups of what is found, as the office reads them.
PROPERTIES, CUSTOM_PROPERTIES, COMMENTS, REVISIONS = "文档属性", "自定义属性", "批注", "修订"
HIDDEN, TRACES = "隐藏内容", "编辑痕迹"

# Core properties: (namespace, name) -> label, and whether a public edition keeps it.
_CORE = {
    (_DC, "title"): ("标题", True),
    (_DC, "subject"): ("主题", True),
    (_DC, "creator"): ("作者", False),
    (_CP, "lastModifiedBy"): ("最后修改者", False),
    (_CP, "revision"): ("修订次数", False),
    (_CP, "lastPrinted"): ("最后打印时间", False),
    (_DCTERMS, "created"): ("创建时间", True),
    (_DCTERMS, "modified"): ("修改时间", True),
    (_CP, "keywords"): ("关键词", False),
    (_DC, "description"): ("备注", False),
    (_CP, "category"): ("类别", False),
    (_CP, "contentStatus"): ("状态", False),
    (_DC, "identifier"): ("标识", False),
    (_CP, "version"): ("版本", False),
    (_DC, "language"): ("语言", True),
}
_APP = {
    "Company": ("单位", False),
    "Manager": ("经理", False),
    "Template": ("模板", False),
    "TotalTime": ("编辑总时长（分钟）", False),
    "HyperlinkBase": ("超链接基础地址", False),
    "Application": ("编辑软件", True),
    "AppVersion": ("软件版本", True),
}
# Parts that are nothing but comments, their authors or attached data.
_DROPPED_PARTS = re.compile(
    r"^(docProps/custom\.xml|docProps/thumbnail\.\w+|word/comments\w*\.xml|word/people\.xml"
    r"|customXml/.*)$"
)
_WORD_TEXT_PART = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
_UNWRAP = {_W + "ins", _W + "moveTo"}
_DROP = {_W + n for n in ("del", "moveFrom")}
_DROP_MARKS = {
    _W + n
    for n in (
        "moveFromRangeStart",
        "moveFromRangeEnd",
        "moveToRangeStart",
        "moveToRangeEnd",
        "rPrChange",
        "pPrChange",
        "sectPrChange",
        "tblPrChange",
        "tblGridChange",
        "trPrChange",
        "tcPrChange",
        "tblPrExChange",
        "numberingChange",
        "cellIns",
        "cellDel",
        "cellMerge",
        "commentRangeStart",
        "commentRangeEnd",
    )
}
_CHANGES = {*_UNWRAP, *_DROP, _W + "rPrChange", _W + "pPrChange", _W + "tblPrChange"}
_SETTINGS_DROPPED = {_W + n for n in ("rsids", "docVars", "attachedTemplate", "trackRevisions")}
# CT_Settings: what may come before w:removePersonalInformation.
_SETTINGS_BEFORE = {_W + n for n in ("writeProtection", "view", "zoom")}


@dataclass(frozen=True)
class Item:
    """One piece of metadata a file carries."""

    group: str
    name: str
    value: str
    public: bool  # kept in a published edition; False: removed by scrub_docx

    def as_dict(self) -> dict[str, object]:
        return {"group": self.group, "name": self.name, "value": self.value, "public": self.public}


def inspect_package(path: Path) -> list[Item]:
    """Everything `path` (.docx/.docm/.xlsx/.xlsm) carries besides its content."""
    with Package(path) as pkg:
        items = _core(pkg) + _app(pkg) + _custom(pkg)
        if any(n.startswith("word/") for n in pkg.names):
            items += _word(pkg)
        if any(n.startswith("xl/") for n in pkg.names):
            items += _workbook(pkg)
        extra = sorted(n for n in pkg.names if n.startswith("customXml/") and n.endswith(".xml"))
        if extra:
            items.append(Item(TRACES, "附加的 XML 数据", f"{len(extra)} 个部件", False))
        if any(n.startswith("docProps/thumbnail") for n in pkg.names):
            items.append(Item(TRACES, "缩略图", "有（文件首页的小图）", False))
    return items


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def _core(pkg: Package) -> list[Item]:
    root = pkg.xml(CORE)
    out = []
    for el in root if root is not None else []:
        q = etree.QName(el)
        label, public = _CORE.get((q.namespace, q.localname), (q.localname, False))
        if value := _text(el):
            out.append(Item(PROPERTIES, label, value, public))
    return out


def _app(pkg: Package) -> list[Item]:
    root = pkg.xml(APP)
    out = []
    for el in root if root is not None else []:
        known = _APP.get(etree.QName(el).localname)
        if known and (value := _text(el)):
            out.append(Item(PROPERTIES, known[0], value, known[1]))
    return out


def _custom(pkg: Package) -> list[Item]:
    root = pkg.xml(CUSTOM)
    out = []
    for prop in root.iter(f"{{{CUSTOM_NS}}}property") if root is not None else []:
        name = prop.get("name") or ""
        out.append(Item(CUSTOM_PROPERTIES, name, _text(prop)[:200], False))
    return out


def _authors(elements: list[etree._Element], attr: str = _W + "author") -> str:
    names = dict.fromkeys(a for el in elements if (a := (el.get(attr) or "").strip()))
    return "、".join(names) or "（未署名）"


def _word(pkg: Package) -> list[Item]:
    out = []
    comments = pkg.xml("word/comments.xml")
    found = list(comments.iter(_W + "comment")) if comments is not None else []
    if found:
        out.append(Item(COMMENTS, f"批注 {len(found)} 条", f"作者：{_authors(found)}", False))
    changes: list[etree._Element] = []
    hidden = 0
    for name in sorted(n for n in pkg.names if _WORD_TEXT_PART.match(n)):
        root = pkg.xml(name)
        if root is None:
            continue
        changes += [el for el in root.iter() if el.tag in _CHANGES]
        hidden += sum(1 for r in root.iter(_W + "r") if _hidden(r))
    if changes:
        out.append(Item(REVISIONS, f"修订 {len(changes)} 处", f"作者：{_authors(changes)}", False))
    if hidden:
        out.append(Item(HIDDEN, "隐藏文字", f"{hidden} 段", False))
    settings = pkg.xml("word/settings.xml")
    if settings is not None:
        rsids = settings.find(f"{_W}rsids")
        if rsids is not None and len(rsids):
            out.append(Item(TRACES, "修订标识（rsid）", f"{len(rsids)} 个编辑记录", False))
        variables = settings.findall(f"{_W}docVars/{_W}docVar")
        if variables:
            names = "、".join(v.get(_W + "name") or "" for v in variables)
            out.append(Item(TRACES, "文档变量", names, False))
        template = settings.find(f"{_W}attachedTemplate")
        if template is not None:
            out.append(Item(TRACES, "附加模板", "有（可能含模板所在的路径）", False))
        if settings.find(f"{_W}trackRevisions") is not None:
            out.append(Item(REVISIONS, "修订模式", "打开（之后的修改都会留下修订）", False))
    people = pkg.xml("word/people.xml")
    if people is not None and len(people):
        out.append(Item(COMMENTS, "批注和修订的作者名单", f"{len(people)} 人", False))
    return out


def _workbook(pkg: Package) -> list[Item]:
    out = []
    # Excel writes xl/comments1.xml, others xl/comments/comment1.xml.
    notes = [n for n in pkg.names if re.match(r"^xl/(comments/)?comments?\d*\.xml$", n)]
    authors: list[str] = []
    count = 0
    for name in notes:
        root = pkg.xml(name)
        if root is None:
            continue
        authors += [_text(a) for a in root.iter(f"{{{_SS}}}author")]
        count += sum(1 for _ in root.iter(f"{{{_SS}}}comment"))
    if count:
        shown = "、".join(dict.fromkeys(a for a in authors if a)) or "（未署名）"
        out.append(Item(COMMENTS, f"批注 {count} 条", f"作者：{shown}", False))
    threads = [n for n in pkg.names if n.startswith("xl/threadedComments/")]
    if threads:
        out.append(Item(COMMENTS, "讨论式批注", f"{len(threads)} 个工作表", False))
    if any(n.startswith("xl/persons/") for n in pkg.names):
        out.append(Item(COMMENTS, "批注的作者名单", "有", False))
    book = pkg.xml("xl/workbook.xml")
    for sheet in book.iter(f"{{{_SS}}}sheet") if book is not None else []:
        if sheet.get("state") in ("hidden", "veryHidden"):
            out.append(Item(HIDDEN, "隐藏的工作表", sheet.get("name") or "", False))
    return out


def _hidden(run: etree._Element) -> bool:
    vanish = run.find(f"{_W}rPr/{_W}vanish")
    return vanish is not None and vanish.get(_W + "val", "true") not in ("0", "false", "off")


# ---------------------------------------------------------------- scrubbing


def scrub_docx(data: bytes) -> bytes:
    """`data` (a .docx) without what a published edition must not carry (see the module)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        entries = [(info, zin.read(info)) for info in zin.infolist()]
    dropped = {info.filename for info, _ in entries if _DROPPED_PARTS.match(info.filename)}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, content in entries:
            name = info.filename
            if name in dropped:
                continue
            if name == "[Content_Types].xml":
                content = _content_types(content, dropped)
            elif name.endswith(".rels"):
                content = _relationships(content, name, dropped)
            elif name == CORE:
                content = _scrub_core(content)
            elif name == APP:
                content = _scrub_app(content)
            elif name == "word/settings.xml":
                content = _scrub_settings(content)
            elif _WORD_TEXT_PART.match(name) or name == "word/styles.xml":
                content = _scrub_text(content)
            zout.writestr(info, content)
    return out.getvalue()


def _parse(data: bytes) -> etree._Element:
    return etree.fromstring(
        data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    )


def _dump(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _content_types(data: bytes, dropped: set[str]) -> bytes:
    root = _parse(data)
    for o in list(root.iter(f"{{{CT_NS}}}Override")):
        if (o.get("PartName") or "").lstrip("/") in dropped:
            root.remove(o)
    return _dump(root)


def _relationships(data: bytes, name: str, dropped: set[str]) -> bytes:
    """Relationships of `name`'s part without those to dropped parts."""
    source = name.replace("_rels/", "").removesuffix(".rels")
    base = source.rsplit("/", 1)[0] + "/" if "/" in source else ""
    root = _parse(data)
    for rel in list(root.iter(f"{{{REL_NS}}}Relationship")):
        target = rel.get("Target") or ""
        if rel.get("TargetMode") == "External":
            continue
        full = target.lstrip("/") if target.startswith("/") else _normal(base + target)
        if full in dropped:
            root.remove(rel)
    return _dump(root)


def _normal(path: str) -> str:
    parts: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _scrub_core(data: bytes) -> bytes:
    root = _parse(data)
    for el in list(root):
        q = etree.QName(el)
        if not _CORE.get((q.namespace, q.localname), ("", False))[1]:
            root.remove(el)
    return _dump(root)


def _scrub_app(data: bytes) -> bytes:
    root = _parse(data)
    for el in list(root):
        known = _APP.get(etree.QName(el).localname)
        if known is not None and not known[1]:
            root.remove(el)
    return _dump(root)


def _scrub_settings(data: bytes) -> bytes:
    root = _parse(data)
    for el in list(root):
        if el.tag in _SETTINGS_DROPPED:
            root.remove(el)
    if root.find(f"{_W}removePersonalInformation") is None:  # Word then removes them on save too
        at = sum(1 for el in root if el.tag in _SETTINGS_BEFORE)
        root.insert(at, etree.Element(_W + "removePersonalInformation"))
    return _dump(root)


def _scrub_text(data: bytes) -> bytes:
    """A part of text: changes accepted, comments' anchors and hidden runs gone, no rsid."""
    root = _parse(data)
    for el in list(root.iter(*_DROP, *_DROP_MARKS, _W + "rsid")):
        el.getparent().remove(el)
    for run in list(root.iter(_W + "r")):
        if run.find(f"{_W}commentReference") is not None or _hidden(run):
            run.getparent().remove(run)
    for el in list(root.iter(*_UNWRAP)):
        parent = el.getparent()
        at = parent.index(el)
        for child in reversed(list(el)):  # none for the mark of an inserted paragraph or row
            parent.insert(at, child)
        parent.remove(el)
    for mark in list(root.iter(_W + "vanish", _W + "specVanish")):  # a hidden paragraph mark
        mark.getparent().remove(mark)
    for el in root.iter():
        for attr in [a for a in el.attrib if a.startswith(_W + "rsid")]:
            del el.attrib[attr]
    return _dump(root)
