"""A Word template as `toolkit template check` sees it.

For each rendered part (body, headers, footers) this keeps two views:

* the paragraphs, tables, rows and cells as Word shows them, each with a
  place a maintainer can find ("第1个表格第4行第2列", "正文第3段") and the
  text of its runs, for the checks that look at what was typed;
* the Jinja source docxtpl makes of the part, with a marker comment and a line
  break before every paragraph, row and cell. Jinja's line numbers (syntax
  errors, AST nodes, render errors) then lead back to the place in Word, even
  where docxtpl has replaced a whole `{%tr %}` row by its tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from docxtpl import DocxTemplate
from lxml import etree

from toolkit.errors import ReturnError, TemplateError
from toolkit.forms.rendering import DOCUMENT_PART
from toolkit.office.ooxml import W_NS, Package, sniff

_W = f"{{{W_NS}}}"
P, R, T, TC, TR, TBL, RPR = (_W + n for n in ("p", "r", "t", "tc", "tr", "tbl", "rPr"))
_PART_RE = re.compile(r"^word/(document|header\d*|footer\d*)\.xml$")
_OPEN_RE = re.compile(r"<w:(p|tr|tc)(?=[\s>/])")
_MARK_RE = re.compile(r"<!--tk:([prc]):(\d+)-->")
# Formatting that does not show, or that Word adds by itself while typing
# Chinese (rFonts w:hint, w:lang): not a reason to call a tag split.
_INVISIBLE_RPR = {
    _W + n
    for n in ("lang", "noProof", "rPrChange", "webHidden", "szCs", "bCs", "iCs", "cs", "kern")
}


@dataclass
class Run:
    start: int  # offset of its text in the paragraph text
    end: int
    format: str  # canonical visible formatting
    parent: etree._Element  # the element holding the run (paragraph, hyperlink, ins...)


@dataclass
class Para:
    index: int  # document order among all paragraphs of the part
    location: str
    text: str  # the w:t text, as docxtpl sees it
    runs: list[Run]
    element: etree._Element
    row: etree._Element | None = None
    cell: etree._Element | None = None
    table: etree._Element | None = None


@dataclass
class Part:
    name: str
    root: etree._Element
    paragraphs: list[Para]
    source: str  # docxtpl's Jinja source, with place markers
    places: dict[tuple[str, int], str]  # ("p"|"r"|"c", index) -> location
    rows: list[etree._Element] = field(default_factory=list)  # every w:tr, document order

    def place_at(self, lineno: int | None, text: str | None = None) -> str:
        """The location of a line of `text` (default: the source), from the nearest marker."""
        lines = (self.source if text is None else text).split("\n")
        if not lineno:
            return self.label()
        for line in reversed(lines[: min(lineno, len(lines))]):
            m = _MARK_RE.match(line)
            if m:
                return self.places.get((m.group(1), int(m.group(2))), self.label())
        return self.label()

    def marker_at(self, lineno: int | None) -> tuple[str, int] | None:
        """The ("p"|"r"|"c", index) marker a source line starts with."""
        lines = self.source.split("\n")
        if lineno and 1 <= lineno <= len(lines):
            m = _MARK_RE.match(lines[lineno - 1])
            if m:
                return m.group(1), int(m.group(2))
        return None

    def para_at(self, lineno: int | None) -> Para | None:
        marker = self.marker_at(lineno)
        return self.paragraphs[marker[1]] if marker and marker[0] == "p" else None

    def row_at(self, lineno: int | None) -> etree._Element | None:
        """The table row a line stands for: a `{%tr %}` row, or the row of a paragraph."""
        marker = self.marker_at(lineno)
        if marker and marker[0] == "r":
            return self.rows[marker[1]]
        para = self.para_at(lineno)
        return para.row if para else None

    def snippet_at(self, lineno: int | None) -> str:
        """Text of the paragraph, or of the `{%tr %}` row, a source line stands for."""
        marker = self.marker_at(lineno)
        if marker and marker[0] == "p":
            return paragraph_snippet(self.paragraphs[marker[1]])
        if marker and marker[0] == "r":
            row = self.rows[marker[1]]
            return "".join(p.text for p in self.paragraphs if p.row is row)[:60]
        return ""

    def label(self) -> str:
        return _part_label(self.name)


def _part_label(name: str) -> str:
    if name == DOCUMENT_PART:
        return "正文"
    return "页眉" if "header" in name else "页脚"


class TemplateDocument:
    """The parts of a template that are rendered, read once."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            if sniff(self.path) != "zip":
                raise TemplateError(f"{self.path.name} 不是 Word（.docx）文件。")
            with Package(self.path) as pkg:
                names = sorted(n for n in pkg.names if _PART_RE.match(n))
                if DOCUMENT_PART not in names:
                    raise TemplateError(f"{self.path.name} 不是 Word（.docx）文件：缺少正文部分。")
                raw = {n: pkg.read(n) or b"" for n in names}
                roots = {n: pkg.xml(n) for n in names}
        except (OSError, ReturnError) as exc:
            raise TemplateError(f"模板 {self.path.name} 无法打开：{exc}") from None
        patcher = DocxTemplate(self.path)  # only its text preprocessing is used
        names.remove(DOCUMENT_PART)
        self.parts = [
            _read_part(n, raw[n].decode("utf-8", "replace"), roots[n], patcher)  # type: ignore[arg-type]
            for n in [DOCUMENT_PART, *names]
        ]


def _read_part(name: str, xml: str, root: etree._Element, patcher: DocxTemplate) -> Part:
    paragraphs = list(root.iter(P))
    rows, cells = list(root.iter(TR)), list(root.iter(TC))
    tables = {t: n for n, t in enumerate(root.iter(TBL), start=1)}
    prefix = "" if name == DOCUMENT_PART else _part_label(name)
    places: dict[tuple[str, int], str] = {}
    for i, tr in enumerate(rows):
        places[("r", i)] = prefix + _row_place(tr, tables)
    for i, tc in enumerate(cells):
        places[("c", i)] = prefix + _cell_place(tc, tables)
    paras: list[Para] = []
    outside = 0
    for i, p in enumerate(paragraphs):
        tc, tr, tbl = (nearest(p, tag) for tag in (TC, TR, TBL))
        if tc is not None:
            place = prefix + _cell_place(tc, tables)
        else:
            outside += 1
            place = f"{_part_label(name)}第{outside}段"
        text, runs = _runs(p)
        paras.append(Para(i, place, text, runs, p, tr, tc, tbl))
        places[("p", i)] = place
    counts = {"p": len(paragraphs), "tr": len(rows), "tc": len(cells)}
    return Part(name, root, paras, _marked_source(xml, counts, patcher), places, rows)


def _marked_source(xml: str, counts: dict[str, int], patcher: DocxTemplate) -> str:
    """docxtpl's Jinja source with `\\n<!--tk:p:N-->` before paragraph N (rows: r, cells: c)."""
    found = {"p": 0, "tr": 0, "tc": 0}

    def mark(m: re.Match[str]) -> str:
        kind = m.group(1)
        n = found[kind]
        found[kind] += 1
        return f"\n<!--tk:{kind[-1]}:{n}-->{m.group(0)}"

    marked = _OPEN_RE.sub(mark, xml)
    if found != counts:  # not the usual `w:` prefix: no places, but still the same template
        marked = xml
    return patcher.patch_xml(marked)


def nearest(el: etree._Element, tag: str) -> etree._Element | None:
    for a in el.iterancestors():
        if a.tag == tag:
            return a
    return None


def _index_in(el: etree._Element, tag: str, container_tag: str) -> int:
    container = nearest(el, container_tag)
    if container is None:
        return 0
    same = [x for x in container.iter(tag) if nearest(x, container_tag) is container]
    return same.index(el) + 1


def _row_place(tr: etree._Element, tables: dict[etree._Element, int]) -> str:
    tbl = nearest(tr, TBL)
    number = tables.get(tbl, 0) if tbl is not None else 0
    return f"第{number}个表格第{_index_in(tr, TR, TBL)}行"


def _cell_place(tc: etree._Element, tables: dict[etree._Element, int]) -> str:
    tr = nearest(tc, TR)
    row = _row_place(tr, tables) if tr is not None else ""
    return f"{row}第{_index_in(tc, TC, TR)}列"


def _runs(p: etree._Element) -> tuple[str, list[Run]]:
    """The paragraph's w:t text and the runs it comes from (not those of nested paragraphs)."""
    text, runs = "", []
    for r in p.iter(R):
        if nearest(r, P) is not p:
            continue
        piece = "".join(t.text or "" for t in r.iter(T) if nearest(t, R) is r)
        if piece:
            runs.append(Run(len(text), len(text) + len(piece), _format(r), r.getparent()))
            text += piece
    return text, runs


def _format(r: etree._Element) -> str:
    rpr = r.find(RPR)
    if rpr is None:
        return ""
    parts = []
    for child in rpr:
        if child.tag in _INVISIBLE_RPR or not isinstance(child.tag, str):
            continue
        attrs = {k: v for k, v in child.attrib.items() if k != _W + "hint"}
        if child.tag == _W + "rFonts" and not attrs:
            continue
        parts.append(child.tag.split("}")[-1] + repr(sorted(attrs.items())))
    return "|".join(sorted(parts))


def paragraph_snippet(para: Para, start: int = 0, end: int | None = None, width: int = 30) -> str:
    """Text around [start, end) of a paragraph, to find the place in Word."""
    end = len(para.text) if end is None else end
    lo = max(0, start - width // 2)
    hi = min(len(para.text), end + width // 2)
    s = para.text[lo:hi].strip()
    return ("…" if lo > 0 else "") + s + ("…" if hi < len(para.text) else "")
