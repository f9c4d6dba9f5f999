"""Edit a filled return the way a person does in Word: rows, columns, formatting.

`Return` holds a form's document.xml and styles.xml as lxml trees; its
methods are the changes a unit makes (insert a row under a project, merge
the 序号 cells, add a 合计 row or a 备注 column, split a column, strike or
hide text, wrap text in a content control…). Cells are addressed by row
element and column index: the forms the toolkit generates have one cell per
grid column, and every edit here keeps it so (the table grid, which
LibreOffice follows, is updated with the cells).
"""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

from lxml import etree

from toolkit.core import rules

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
HIDDEN_STYLE = "TestHiddenText"  # a character style that hides its runs
HIDDEN_PARAGRAPH_STYLE = "TestHiddenParagraph"  # a paragraph style that hides its runs
STRUCK_STYLE = "TestStruckText"  # a character style that strikes through its runs


_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NAMESPACES = " ".join(
    f'xmlns:{prefix}="{uri}"'
    for prefix, uri in {
        "w": W,
        "r": _DOC_REL,
        "v": "urn:schemas-microsoft-com:vml",
        "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
        "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
        "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
        "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
        "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
        "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    }.items()
)


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def text_of(el: etree._Element) -> str:
    return "".join(t.text or "" for t in el.iter(q("t")))


class Return:
    """One return being edited; `save` writes it as a new .docx."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as zf:
            self._entries = [(info, zf.read(info)) for info in zf.infolist()]
        parts = {info.filename: data for info, data in self._entries}
        self.document = etree.fromstring(parts["word/document.xml"])
        self.styles = etree.fromstring(parts["word/styles.xml"])
        self.rels = etree.fromstring(parts["word/_rels/document.xml.rels"])
        self._added: dict[str, bytes] = {}
        self._content_types: list[str] = []
        self.table = next(t for t in self.document.iter(q("tbl")) if self._header_of(t) is not None)
        self.header = self._header_of(self.table)

    @staticmethod
    def _header_of(tbl: etree._Element) -> etree._Element | None:
        for tr in tbl.findall("w:tr", NS):
            if rules.is_project_header_row([text_of(tc) for tc in tr.findall("w:tc", NS)]):
                return tr
        return None

    # -- finding things

    def rows(self) -> list[etree._Element]:
        """Rows below the header, in order."""
        trs = self.table.findall("w:tr", NS)
        return trs[trs.index(self.header) + 1 :]

    def cells(self, tr: etree._Element) -> list[etree._Element]:
        return tr.findall("w:tc", NS)

    def headers(self) -> list[str]:
        return [text_of(tc) for tc in self.cells(self.header)]

    def column(self, header: str) -> int:
        """Index of the column whose header contains `header` (the first, if several)."""
        return next(i for i, h in enumerate(self.headers()) if header in h)

    def row(self, project_id: str) -> etree._Element:
        id_col = self.column("序号")
        return next(
            tr
            for tr in self.rows()
            if rules.normalize_id(text_of(self.cells(tr)[id_col])) == project_id
        )

    def runs(self, tr: etree._Element, col: int) -> list[etree._Element]:
        return list(self.cells(tr)[col].iter(q("r")))

    # -- text

    def set_text(self, tr: etree._Element, col: int, *pieces: str) -> list[etree._Element]:
        """Replace a cell's text: one paragraph, one run per piece; returns the runs."""
        tc = self.cells(tr)[col]
        paragraphs = tc.findall("w:p", NS)
        template = paragraphs[0] if paragraphs else etree.Element(q("p"))
        ppr = template.find("w:pPr", NS)
        for p in paragraphs:
            tc.remove(p)
        p = etree.SubElement(tc, q("p"))
        if ppr is not None:
            p.append(copy.deepcopy(ppr))
        runs = []
        for piece in pieces:
            r = etree.SubElement(p, q("r"))
            t = etree.SubElement(r, q("t"))
            t.text = piece
            t.set(XML_SPACE, "preserve")
            runs.append(r)
        return runs

    def set_xml(self, tr: etree._Element, col: int, blocks: str) -> None:
        """Replace a cell's content with raw WordprocessingML (paragraphs, altChunks…)."""
        tc = self.cells(tr)[col]
        for child in list(tc):
            if child.tag != q("tcPr"):
                tc.remove(child)
        fragment = etree.fromstring(f"<w:tc {_NAMESPACES}>{blocks}</w:tc>")
        tc.extend(list(fragment))

    def add_chunk(self, name: str, data: bytes, content_type: str) -> str:
        """A part an altChunk imports (as programs that assemble documents write); its rId."""
        self._added[f"word/{name}"] = data
        ext = name.rsplit(".", 1)[1]
        self._content_types.append(f'<Default Extension="{ext}" ContentType="{content_type}"/>')
        rid = f"rIdChunk{len(self._content_types)}"
        rel = etree.SubElement(self.rels, f"{{{_PKG_REL}}}Relationship")
        rel.set("Id", rid)
        rel.set("Type", f"{_DOC_REL}/aFChunk")
        rel.set("Target", name)
        return rid

    # -- rows

    def insert_row(self, after: etree._Element, texts: dict[int, str]) -> etree._Element:
        """A new row right under `after`, with its formatting and only `texts` typed in."""
        new = copy.deepcopy(after)
        for i, tc in enumerate(self.cells(new)):
            tcpr = tc.find("w:tcPr", NS)
            if tcpr is not None and tcpr.find("w:vMerge", NS) is not None:
                tcpr.remove(tcpr.find("w:vMerge", NS))
            self.set_text(new, i, *([texts[i]] if i in texts else []))
        after.addnext(new)
        return new

    def delete_row(self, tr: etree._Element) -> None:
        tr.getparent().remove(tr)

    def duplicate_row(self, tr: etree._Element) -> etree._Element:
        new = copy.deepcopy(tr)
        tr.addnext(new)
        return new

    def move_row(self, tr: etree._Element, before: etree._Element) -> None:
        before.addprevious(tr)

    def merge_with_above(self, tr: etree._Element, col: int) -> None:
        """Merge a cell with the one above (Word: select both, 合并单元格)."""
        above = tr.getprevious()
        self._vmerge(self.cells(above)[col], restart=True)
        self._vmerge(self.cells(tr)[col], restart=False)

    def _vmerge(self, tc: etree._Element, *, restart: bool) -> None:
        tcpr = tc.find("w:tcPr", NS)
        if tcpr is None:
            tcpr = etree.Element(q("tcPr"))
            tc.insert(0, tcpr)
        vmerge = tcpr.find("w:vMerge", NS)
        if vmerge is None:
            vmerge = etree.SubElement(tcpr, q("vMerge"))
        elif vmerge.get(q("val")) != "restart":
            return  # already continues the cell above: it stays merged
        if restart:
            vmerge.set(q("val"), "restart")
        else:
            vmerge.attrib.pop(q("val"), None)

    # -- columns

    def insert_column(self, at: int, header: str, texts: dict[int, str] | None = None) -> None:
        """A new column before column `at` (at == width: after the last), header and cells typed.

        `texts` maps a row's index in rows() to its text. The new column takes half
        of the widest column's width, so the table keeps its width on the page and
        every column stays wide enough for a few characters.
        """
        texts = texts or {}
        grid = self.table.find("w:tblGrid", NS)
        cols = grid.findall("w:gridCol", NS)
        widest = max(cols, key=lambda c: int(c.get(q("w"), "0")))
        half = int(widest.get(q("w"), "2000")) // 2
        widest.set(q("w"), str(half))
        widest_at = cols.index(widest)
        new_col = etree.Element(q("gridCol"))
        new_col.set(q("w"), str(half))
        width = len(cols)
        (cols[at].addprevious if at < width else cols[-1].addnext)(new_col)
        rows = self.rows()
        for tr in self.table.findall("w:tr", NS):
            cells = self.cells(tr)
            _set_width(cells[widest_at], half)
            tc = copy.deepcopy(cells[min(at, len(cells) - 1)])
            tcpr = tc.find("w:tcPr", NS)
            if tcpr is not None:
                for prop in ("w:vMerge", "w:gridSpan", "w:tcMar"):
                    if tcpr.find(prop, NS) is not None:
                        tcpr.remove(tcpr.find(prop, NS))
            _set_width(tc, half)
            (cells[at].addprevious if at < len(cells) else cells[-1].addnext)(tc)
            new_at = self.cells(tr).index(tc)
            if tr is self.header:
                self.set_text(tr, new_at, header)
            elif tr in rows and rows.index(tr) in texts:
                self.set_text(tr, new_at, texts[rows.index(tr)])
            else:
                self.set_text(tr, new_at)

    def rename_header(self, col: int, header: str) -> None:
        self.set_text(self.header, col, *([header] if header else []))

    def swap_columns(self, a: int, b: int) -> None:
        grid = self.table.find("w:tblGrid", NS)
        for parent, children in [(grid, grid.findall("w:gridCol", NS))] + [
            (tr, self.cells(tr)) for tr in self.table.findall("w:tr", NS)
        ]:
            _swap(parent, children[a], children[b])

    # -- formatting

    def format_run(self, r: etree._Element, how: str) -> None:
        """strike, dstrike, vanish (direct), style_vanish, style_strike, paragraph_vanish,
        sdt, hyperlink, smart_tag."""
        if how in ("strike", "dstrike", "vanish"):
            self._rpr(r).append(etree.Element(q(how)))
        elif how in ("style_vanish", "style_strike"):
            style = HIDDEN_STYLE if how == "style_vanish" else STRUCK_STYLE
            self._ensure_style(style, "character", "vanish" if how == "style_vanish" else "strike")
            rpr = self._rpr(r)
            for old in rpr.findall("w:rStyle", NS):  # a run has one character style
                rpr.remove(old)
            rstyle = etree.Element(q("rStyle"))
            rstyle.set(q("val"), style)
            rpr.insert(0, rstyle)
        elif how == "paragraph_vanish":
            self._ensure_style(HIDDEN_PARAGRAPH_STYLE, "paragraph", "vanish")
            p = r.getparent()
            while p.tag != q("p"):
                p = p.getparent()
            ppr = p.find("w:pPr", NS)
            if ppr is None:
                ppr = etree.Element(q("pPr"))
                p.insert(0, ppr)
            old = ppr.find("w:pStyle", NS)
            if old is not None:
                ppr.remove(old)
            pstyle = etree.Element(q("pStyle"))
            pstyle.set(q("val"), HIDDEN_PARAGRAPH_STYLE)
            ppr.insert(0, pstyle)
        else:
            wrapper = {
                "sdt": lambda: _sdt(),
                "hyperlink": lambda: _element("hyperlink", anchor="_top"),
                "smart_tag": lambda: _element(
                    "smartTag", uri="urn:schemas-microsoft-com", element="place"
                ),
            }[how]()
            r.addprevious(wrapper)
            target = wrapper.find("w:sdtContent", NS) if how == "sdt" else wrapper
            target.append(r)

    def _rpr(self, r: etree._Element) -> etree._Element:
        rpr = r.find("w:rPr", NS)
        if rpr is None:
            rpr = etree.Element(q("rPr"))
            r.insert(0, rpr)
        return rpr

    def _ensure_style(self, style_id: str, kind: str, prop: str) -> None:
        if any(s.get(q("styleId")) == style_id for s in self.styles.findall("w:style", NS)):
            return
        style = etree.SubElement(self.styles, q("style"))
        style.set(q("type"), kind)
        style.set(q("customStyle"), "1")
        style.set(q("styleId"), style_id)
        name = etree.SubElement(style, q("name"))
        name.set(q("val"), style_id)
        etree.SubElement(etree.SubElement(style, q("rPr")), q(prop))

    # -- saving

    def save(self, target: Path) -> Path:
        changed = {
            "word/document.xml": self.document,
            "word/styles.xml": self.styles,
            "word/_rels/document.xml.rels": self.rels,
        }
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for info, data in self._entries:
                root = changed.get(info.filename)
                if root is not None:
                    data = etree.tostring(
                        root, xml_declaration=True, encoding="UTF-8", standalone=True
                    )
                elif info.filename == "[Content_Types].xml" and self._content_types:
                    added = "".join(self._content_types).encode()
                    data = data.replace(b"</Types>", added + b"</Types>")
                zf.writestr(info, data)
            for name, data in self._added.items():
                zf.writestr(name, data)
        return target


def _set_width(tc: etree._Element, width: int) -> None:
    tcw = tc.find("w:tcPr/w:tcW", NS)
    if tcw is not None:
        tcw.set(q("w"), str(width))


def _swap(parent: etree._Element, a: etree._Element, b: etree._Element) -> None:
    marker = etree.Element("marker")
    a.addprevious(marker)
    b.addprevious(a)
    marker.addprevious(b)
    parent.remove(marker)


def _element(tag: str, **attrs: str) -> etree._Element:
    el = etree.Element(q(tag))
    for k, v in attrs.items():
        el.set(q(k), v)
    return el


def _sdt() -> etree._Element:
    sdt = etree.Element(q("sdt"))
    props = etree.SubElement(sdt, q("sdtPr"))
    etree.SubElement(props, q("alias")).set(q("val"), "填写")
    etree.SubElement(sdt, q("sdtContent"))
    return sdt
