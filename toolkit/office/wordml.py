"""The text of a WordprocessingML body as a reader of the printed page sees it.

Works on the lxml tree of document.xml (python-docx does not see content
controls, tracked changes or automatic numbers). Returns come back from Word,
WPS and LibreOffice, each of which stores the same visible text differently:
runs split at every digit, text inside content controls, fields, tracked
changes that were never accepted, list numbers that exist only in numbering.xml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from toolkit.office.ooxml import W_NS

El = etree._Element
_W = f"{{{W_NS}}}"
P, R, TBL, TR, TC = (_W + t for t in ("p", "r", "tbl", "tr", "tc"))
PPR, RPR, TRPR, TCPR, NUMPR = (_W + t for t in ("pPr", "rPr", "trPr", "tcPr", "numPr"))
SDT, SDT_CONTENT, CUSTOM_XML = _W + "sdt", _W + "sdtContent", _W + "customXml"
VAL = _W + "val"

# Inline wrappers whose runs are visible text. Everything not listed (w:del,
# w:moveFrom, w:pPr, bookmarks, proofing marks, drawings, math) holds none.
_INLINE_WRAPPERS = frozenset(
    _W + t
    for t in ("ins", "moveTo", "hyperlink", "smartTag", "customXml", "fldSimple", "dir", "bdo")
)
_RUN_CHARS = {_W + "tab": "\t", _W + "ptab": "\t", _W + "br": "\n", _W + "cr": "\n"}
_RUN_CHARS[_W + "noBreakHyphen"] = "-"


def _on(el: El | None) -> bool:
    """A toggle property (`<w:vanish/>`, `<w:tblHeader w:val="0"/>`)."""
    return el is not None and el.get(VAL, "true").lower() not in ("0", "false", "off")


def _val(el: El | None, path: str) -> str | None:
    found = el.find(path) if el is not None else None
    return None if found is None else found.get(VAL)


def _first(parent: El, tag: str) -> El | None:
    """`parent.find(tag)`, quicker when the element is the first child, as properties are."""
    if len(parent) and parent[0].tag == tag:
        return parent[0]
    return parent.find(tag)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _items(parent: El, tags: frozenset[str]) -> Iterator[El]:
    """Children with one of `tags`, looking through content controls and custom XML."""
    for child in parent:
        if child.tag in tags:
            yield child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _items(content, tags)
        elif child.tag == CUSTOM_XML:
            yield from _items(child, tags)


# Word allows 63 columns; a larger w:gridSpan is hostile and must not size a list.
_MAX_GRID = 64
_BLOCKS, _ROWS, _CELLS = frozenset((P, TBL)), frozenset((TR,)), frozenset((TC,))
_DEL, _VMERGE, _TBL_HEADER = _W + "del", _W + "vMerge", _W + "tblHeader"
_GRID_BEFORE, _GRID_SPAN = _W + "gridBefore", _W + "gridSpan"


def iter_blocks(container: El) -> Iterator[El]:
    """Paragraphs and tables of a body or cell, in order (block-level w:sdt included)."""
    return _items(container, _BLOCKS)


# ---------------------------------------------------------------- numbering

_CIRCLED = "".join(
    map(chr, [*range(0x2460, 0x2474), *range(0x3251, 0x3260), *range(0x32B1, 0x32C0)])
)
_SEQUENCES = {  # formats that are a fixed list of symbols; past its end Word prints decimal
    "decimalEnclosedCircle": _CIRCLED,  # ①..⑳ ㉑..㉟ ㊱..㊿
    "decimalEnclosedCircleChinese": _CIRCLED,
    "decimalEnclosedParen": "".join(map(chr, range(0x2474, 0x2488))),  # ⑴..⒇
    "ideographTraditional": "甲乙丙丁戊己庚辛壬癸",  # Word's heavenly stems, not 一二三
}
_CN_DIGITS = "〇一二三四五六七八九"
_CN_COUNTING = ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting")


def format_number(n: int, fmt: str) -> str:
    """One list number in a w:numFmt; unknown formats fall back to decimal."""
    if fmt in _SEQUENCES:
        seq = _SEQUENCES[fmt]
        return seq[n - 1] if 0 < n <= len(seq) else str(n)
    if fmt in _CN_COUNTING and 0 < n < 100:  # 一 .. 十 十一 .. 二十 二十一 .. 九十九
        tens, ones = divmod(n, 10)
        head = (_CN_DIGITS[tens] if tens > 1 else "") + ("十" if tens else "")
        return head + (_CN_DIGITS[ones] if ones else "")
    if fmt in ("lowerLetter", "upperLetter") and n > 0:
        letters = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)  # .. z, aa, bb
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate({ord("0") + i: 0xFF10 + i for i in range(10)})
    return "" if fmt == "none" else str(n)


class Numbering:
    """Word's automatic list numbers, materialised in document order.

    The prefix is the level's lvlText with %1..%9 filled in (`%1、` stays `1、`
    so the checks can flag it), bullets become `•`. Separator: none for
    w:suff="nothing", else one space (tab is the default). Word shows a gap
    there, and without it an item `1.` + `5万元…` would read as `1.5万元…`,
    which the numbering check rightly does not take as a marker. Not modelled:
    w:lvlRestart, w:isLgl, w:numStyleLink, paragraphs in text boxes, w:pStyle in a lvl.
    """

    def __init__(self, numbering: El | None, styles: El | None) -> None:
        self._nums = {n.get(_W + "numId"): n for n in _findall(numbering, "num")}
        self._abstract = {
            a.get(_W + "abstractNumId"): a for a in _findall(numbering, "abstractNum")
        }
        self._styles = {s.get(_W + "styleId"): s for s in _findall(styles, "style")}
        defaults = [  # the style of a paragraph without w:pStyle
            k
            for k, s in self._styles.items()
            if s.get(_W + "type") == "paragraph" and s.get(_W + "default") in ("1", "true")
        ]
        self._default_style = defaults[0] if defaults else None
        # Counters per list: a w:num with a startOverride is its own list (Word's
        # "restart numbering"); other w:num sharing an abstractNum continue it.
        self._counters: dict[str, list[int | None]] = {}
        self._style_cache: dict[str | None, tuple[str | None, str | None]] = {}

    @property
    def has_lists(self) -> bool:
        """False when numbering.xml defines no list: then no paragraph has a number."""
        return bool(self._nums)

    def _num_pr(self, p: El) -> tuple[str | None, int]:
        ppr = p.find(PPR)
        num_id, ilvl = _val(ppr, f"{NUMPR}/{_W}numId"), _val(ppr, f"{NUMPR}/{_W}ilvl")
        if num_id is None or ilvl is None:
            style_num, style_ilvl = self._style_num_pr(
                _val(ppr, _W + "pStyle") or self._default_style
            )
            num_id = num_id if num_id is not None else style_num
            ilvl = ilvl if ilvl is not None else style_ilvl
        return num_id, min(max(_int(ilvl, 0), 0), 8)

    def _style_num_pr(self, style_id: str | None) -> tuple[str | None, str | None]:
        """numId and ilvl a style gives, each from the nearest style of its w:basedOn chain."""
        if style_id in self._style_cache:  # once per style: every paragraph asks
            return self._style_cache[style_id]
        num_id = ilvl = None
        current = style_id
        for _ in range(20):  # follow w:basedOn, guarding against cycles
            style = self._styles.get(current)
            if style is None or (num_id is not None and ilvl is not None):
                break
            num_id = num_id if num_id is not None else _val(style, f"{PPR}/{NUMPR}/{_W}numId")
            ilvl = ilvl if ilvl is not None else _val(style, f"{PPR}/{NUMPR}/{_W}ilvl")
            current = _val(style, _W + "basedOn")
        self._style_cache[style_id] = (num_id, ilvl)
        return num_id, ilvl

    def prefix(self, p: El) -> str:
        num_id, ilvl = self._num_pr(p)
        num = self._nums.get(num_id) if num_id not in (None, "0") else None
        abstract = self._abstract.get(_val(num, _W + "abstractNumId"))
        if num is None or abstract is None:
            return ""
        levels = {_int(lv.get(_W + "ilvl"), 0): lv for lv in abstract.findall(_W + "lvl")}
        starts: dict[int, int] = {}
        for override in num.findall(_W + "lvlOverride"):
            i = _int(override.get(_W + "ilvl"), 0)
            if override.find(_W + "lvl") is not None:
                levels[i] = override.find(_W + "lvl")
            if override.find(_W + "startOverride") is not None:
                starts[i] = _int(_val(override, _W + "startOverride"), 0)
        lvl = levels.get(ilvl)
        if lvl is None:
            return ""
        # ECMA-376 §17.9.25: an omitted w:start means 0.
        start = {i: starts.get(i, _int(_val(lv, _W + "start"), 0)) for i, lv in levels.items()}
        key = f"num:{num_id}" if starts else f"abstract:{abstract.get(_W + 'abstractNumId')}"
        counters = self._counters.setdefault(key, [None] * 9)
        current = counters[ilvl]
        counters[ilvl] = start.get(ilvl, 0) if current is None else current + 1
        counters[ilvl + 1 :] = [None] * (8 - ilvl)  # deeper levels restart
        fmt = _val(lvl, _W + "numFmt") or "decimal"
        if fmt == "bullet":
            label = "•"
        else:

            def fill(m: re.Match[str]) -> str:
                i = int(m.group(1)) - 1
                n = counters[i] if counters[i] is not None else start.get(i, 0)
                return format_number(n, _val(levels.get(i), _W + "numFmt") or "decimal")

            label = re.sub(r"%([1-9])", fill, _val(lvl, _W + "lvlText") or "")
        suffix = _val(lvl, _W + "suff") or "tab"
        return label + (" " if label and suffix != "nothing" else "")


def _findall(root: El | None, tag: str) -> list[El]:
    return [] if root is None else root.findall(_W + tag)


# ---------------------------------------------------------------- text


@dataclass
class Cell:
    text: str
    grid_col: int  # first grid column the cell occupies
    span: int  # w:gridSpan
    continuation: bool  # w:vMerge continuation: text is "", the restart cell above holds it
    element: El


@dataclass
class Row:
    cells: list[Cell]
    is_header: bool  # w:tblHeader: Word repeats it at the top of every page
    element: El

    def texts(self, width: int = 0) -> list[str]:
        """Cell texts by grid column; a spanned cell's text sits in its first column."""
        out = [""] * max(width, max((c.grid_col + c.span for c in self.cells), default=0))
        for c in self.cells:
            out[c.grid_col] = c.text
        return out


# What makes a paragraph's text more than its runs' w:t, w:tab, w:br... in order:
# fields, hidden or tracked-deleted text, content controls, and containers of
# runs that are not the paragraph's own text (text boxes, ruby, math, fallbacks).
_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_SPECIAL = (
    *(
        _W + t
        for t in (
            "fldChar",
            "vanish",
            "del",
            "moveFrom",
            "sdt",
            "txbxContent",
            "pict",
            "object",
            "ruby",
        )
    ),
    f"{{{_MC_NS}}}AlternateContent",
    f"{{{_M_NS}}}oMath",
    f"{{{_M_NS}}}oMathPara",
)
_T = _W + "t"
_RUN_CHAR_TAGS = tuple(_RUN_CHARS)
_TAB = _W + "tab"


class WordDocument:
    """Text access to one parsed document.xml (plus numbering.xml and styles.xml)."""

    def __init__(self, document: El, numbering: El | None = None, styles: El | None = None):
        body = document.find(_W + "body")
        self.body: El = body if body is not None else etree.Element(_W + "body")
        # Numbers depend on every numbered paragraph before, so compute them once, in order.
        numbers = Numbering(numbering, styles)
        self._prefixes = (
            {p: pre for p in self.paragraphs() if (pre := numbers.prefix(p))}
            if numbers.has_lists
            else {}
        )
        # Paragraphs holding anything that can hide, add or move text are read
        # run by run (_inline). The text of all others is the w:t/w:tab/w:br...
        # of their runs in order: collected for the whole body in one lxml scan.
        self._special: set[El] = set()
        for el in self.body.iter(*_SPECIAL):
            # Paragraphs inside a text box etc. too: the scan below cannot tell
            # where they end and their host paragraph's runs resume.
            self._special.update(el.iter(P))
            parent = el.getparent()
            while parent is not None:
                if parent.tag == P:
                    self._special.add(parent)
                parent = parent.getparent()
        # The schema allows w:t, w:br... only in a run; w:tab also as a tab stop.
        self._plain: dict[El, list[str]] = {}
        parts: list[str] = []
        for el in self.body.iter(P, _T, *_RUN_CHAR_TAGS):
            tag = el.tag
            if tag == _T:
                parts.append(el.text or "")
            elif tag == P:
                parts = self._plain[el] = []
            elif tag != _TAB or el.getparent().tag == R:
                parts.append(_RUN_CHARS[tag])

    def blocks(self) -> Iterator[El]:
        return iter_blocks(self.body)

    def tables(self) -> list[El]:
        """Top-level tables of the body, in order."""
        return [b for b in self.blocks() if b.tag == TBL]

    def paragraphs(self, container: El | None = None) -> Iterator[El]:
        """Every paragraph, table cells included, in document order."""
        for block in iter_blocks(self.body if container is None else container):
            if block.tag == P:
                yield block
            else:
                for tr in _items(block, _ROWS):
                    for tc in _items(tr, _CELLS):
                        yield from self.paragraphs(tc)

    def paragraph_text(self, p: El) -> str:
        return self._paragraph(p, [])

    def _paragraph(self, p: El, fields: list[bool]) -> str:
        plain = None if fields or p in self._special else self._plain.get(p)
        if plain is None:
            out: list[str] = []
            self._inline(p, out, fields)
            text = "".join(out)
        else:
            text = "".join(plain)
        prefix = self._prefixes.get(p, "")
        return prefix + text if text else prefix.rstrip()

    def _inline(self, parent: El, out: list[str], fields: list[bool]) -> None:
        for child in parent:
            if child.tag == R:
                self._run(child, out, fields)
            elif child.tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    self._inline(content, out, fields)
            elif child.tag in _INLINE_WRAPPERS:
                self._inline(child, out, fields)

    @staticmethod
    def _run(r: El, out: list[str], fields: list[bool]) -> None:
        # `fields` holds one flag per open complex field: True while in its code
        # part (begin..separate), False in its result. Text shows only when no
        # enclosing field is in its code part (nested fields in a result do show).
        hidden = _on(r.find(f"{RPR}/{_W}vanish"))
        for child in r:
            tag = child.tag
            if tag == _W + "fldChar":
                kind = child.get(_W + "fldCharType")
                if kind == "begin":
                    fields.append(True)
                elif kind == "separate" and fields:
                    fields[-1] = False
                elif kind == "end" and fields:
                    fields.pop()
            elif hidden or any(fields):
                continue
            elif tag == _W + "t":
                out.append(child.text or "")
            elif tag in _RUN_CHARS:
                out.append(_RUN_CHARS[tag])
            # w:instrText, w:delText, w:delInstrText, w:sym: never visible text.

    def cell_text(self, tc: El) -> str:
        """Paragraphs joined with newlines, nested tables inline, blank edges trimmed."""
        lines: list[str] = []
        fields: list[bool] = []  # a field may span the paragraphs of one cell
        joined = False
        for block in iter_blocks(tc):
            if block.tag == P:
                text = self._paragraph(block, fields)
                if joined and lines:
                    lines[-1] += text
                else:
                    lines.append(text)
                # A tracked-deleted paragraph mark merges it with the next one.
                joined = block in self._special and block.find(f"{PPR}/{RPR}/{_W}del") is not None
            else:
                joined = False
                for row in self.table_rows(block):
                    lines.extend(c.text for c in row.cells if c.text)
        split = "\n".join(lines).split("\n")
        while split and not split[-1].strip():
            split.pop()
        while split and not split[0].strip():
            split.pop(0)
        return "\n".join(split)

    def table_rows(self, tbl: El) -> list[Row]:
        """Rows of a table (row-level w:sdt included, tracked-deleted rows left out)."""
        rows = []
        for tr in _items(tbl, _ROWS):
            trpr = _first(tr, TRPR)
            if trpr is not None and trpr.find(_DEL) is not None:
                continue
            col, cells = min(max(_int(_val(trpr, _GRID_BEFORE), 0), 0), _MAX_GRID), []
            for tc in _items(tr, _CELLS):
                span, cont = 1, False
                tcpr = _first(tc, TCPR)
                if tcpr is not None:
                    gridspan = vmerge = None
                    for prop in tcpr:  # one pass: find() costs more on these small elements
                        if prop.tag == _GRID_SPAN and gridspan is None:
                            gridspan = prop
                        elif prop.tag == _VMERGE and vmerge is None:
                            vmerge = prop
                    if gridspan is not None:
                        span = min(max(_int(gridspan.get(VAL), 1), 1), _MAX_GRID)
                    cont = vmerge is not None and vmerge.get(VAL, "continue") == "continue"
                cells.append(Cell("" if cont else self.cell_text(tc), col, span, cont, tc))
                col += span
            rows.append(Row(cells, trpr is not None and _on(trpr.find(_TBL_HEADER)), tr))
        return rows

    def grid_width(self, tbl: El) -> int:
        """Grid columns of a table: w:tblGrid, or the widest row when that is missing."""
        grid = tbl.findall(f"{_W}tblGrid/{_W}gridCol")
        if grid:
            return len(grid)
        return max((len(r.texts()) for r in self.table_rows(tbl)), default=0)
