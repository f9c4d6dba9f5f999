"""A Word template as `toolkit template check` sees it.

Each rendered part (body, headers, footers, footnotes, endnotes) is prepared
exactly as the renderer prepares it (toolkit.forms.rendering.prepare_part)
and kept in two views:

* the paragraphs, tables, rows and cells as Word shows them, each with a
  place a maintainer can find (toolkit.forms.places) and the text of its
  runs, for the checks that look at what was typed;
* the Jinja source the renderer compiles. Its marker lines lead from Jinja's
  line numbers (syntax errors, AST nodes, render errors) back to the place in
  Word, even where docxtpl has replaced a whole `{%tr %}` row by its tag.

Tags in parts that are never rendered (comments, charts, ...) are listed, so
that check can say they will stay as typed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from toolkit.errors import ReturnError, TemplateError
from toolkit.forms import places
from toolkit.forms.places import DOCUMENT_PART, TBL, TC, TR, P, T, nearest
from toolkit.forms.rendering import RENDERED_PART_RE, marker_at, prepare_part
from toolkit.office.ooxml import W_NS, Package, sniff

_W = f"{{{W_NS}}}"
R, RPR = _W + "r", _W + "rPr"
_TEXT_RE = re.compile(r"<(?:w|a):t(?:\s[^>]*)?>([^<]*)</(?:w|a):t>")
_UNRENDERED_LABELS = (
    ("word/comments", "批注"),
    ("word/charts/", "图表"),
    ("word/diagrams/", "SmartArt 图形"),
    ("word/glossary/", "文档部件（自动图文集）"),
)


@dataclass
class Run:
    start: int  # offset of its text in the paragraph text
    end: int
    element: etree._Element  # the w:r
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
    invisible: str = ""  # invisible characters the renderer drops from this paragraph's tags


@dataclass
class Part:
    name: str
    root: etree._Element
    paragraphs: list[Para]
    source: str  # the renderer's Jinja source, with place markers
    places: dict[places.Marker, str]
    rows: list[etree._Element] = field(default_factory=list)  # every w:tr, document order

    def marker_at(self, lineno: int | None) -> places.Marker | None:
        return marker_at(self.lines, lineno)

    @functools.cached_property
    def lines(self) -> list[str]:
        return self.source.split("\n")

    def place_at(self, lineno: int | None) -> str:
        """The location of a line of the source, from its marker."""
        marker = self.marker_at(lineno)
        return self.places.get(marker, self.label()) if marker else self.label()

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
        return places.part_label(self.name)


@dataclass
class Unrendered:
    """A tag in a part the renderer leaves alone."""

    label: str  # "批注", "图表", ...
    tag: str


class TemplateDocument:
    """The parts of a template that are rendered, read once."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            if sniff(self.path) != "zip":
                raise TemplateError(f"{self.path.name} 不是 Word（.docx）文件。")
            with Package(self.path) as pkg:
                names = sorted(
                    n for n in pkg.names if RENDERED_PART_RE.match(n) or _unrendered_label(n)
                )
                if DOCUMENT_PART not in names:
                    raise TemplateError(f"{self.path.name} 不是 Word（.docx）文件：缺少正文部分。")
                raw = {n: pkg.read(n) or b"" for n in names}
        except (OSError, ReturnError) as exc:
            raise TemplateError(f"模板 {self.path.name} 无法打开：{exc}") from None
        rendered = [n for n in names if RENDERED_PART_RE.match(n)]
        rendered.remove(DOCUMENT_PART)
        self.parts = [_read_part(n, raw[n], self.path.name) for n in [DOCUMENT_PART, *rendered]]
        self.unrendered = [
            Unrendered(label, tag)
            for n in names
            if (label := _unrendered_label(n))
            for tag in _tags_in_text(raw[n])
        ]


def _unrendered_label(name: str) -> str:
    return next((label for prefix, label in _UNRENDERED_LABELS if name.startswith(prefix)), "")


def _tags_in_text(data: bytes) -> list[str]:
    text = "".join(_TEXT_RE.findall(data.decode("utf-8", "replace")))
    return re.findall(r"\{[{%].*?[}%]\}", text)


def _read_part(name: str, data: bytes, template: str) -> Part:
    prepared = prepare_part(name, data, template)
    root = prepared.root
    where = places.locations(name, root)
    paras: list[Para] = []
    for i, p in enumerate(root.iter(P)):
        tc, tr, tbl = (nearest(p, tag) for tag in (TC, TR, TBL))
        text, runs = _runs(p)
        para = Para(i, where[("p", i)], text, runs, p, tr, tc, tbl)
        para.invisible = prepared.invisible.get(i, "")
        paras.append(para)
    return Part(name, root, paras, prepared.source, where, list(root.iter(TR)))


def _runs(p: etree._Element) -> tuple[str, list[Run]]:
    """The paragraph's w:t text and the runs it comes from (not those of nested paragraphs)."""
    text, runs = "", []
    for r in p.iter(R):
        if nearest(r, P) is not p:
            continue
        piece = "".join(t.text or "" for t in r.iter(T) if nearest(t, R) is r)
        if piece:
            runs.append(Run(len(text), len(text) + len(piece), r, r.getparent()))
            text += piece
    return text, runs


def paragraph_snippet(para: Para, start: int = 0, end: int | None = None, width: int = 30) -> str:
    """Text around [start, end) of a paragraph, to find the place in Word."""
    end = len(para.text) if end is None else end
    lo = max(0, start - width // 2)
    hi = min(len(para.text), end + width // 2)
    s = para.text[lo:hi].strip()
    return ("…" if lo > 0 else "") + s + ("…" if hi < len(para.text) else "")
