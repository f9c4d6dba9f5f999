"""The text of a WordprocessingML body as a reader of the printed page sees it.

Works on the lxml tree of document.xml (python-docx does not see content
controls, tracked changes or automatic numbers). Returns come back from Word,
WPS and LibreOffice, each of which stores the same visible text differently:
runs split at every digit, text inside content controls, fields, tracked
changes that were never accepted, list numbers that exist only in numbering.xml.
"""

from __future__ import annotations

import io
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from toolkit.errors import ReturnError
from toolkit.office.ooxml import W_NS, Package
from toolkit.office.wordstyles import RunStyles

El = etree._Element
_W = f"{{{W_NS}}}"
P, R, TBL, TR, TC = (_W + t for t in ("p", "r", "tbl", "tr", "tc"))
PPR, RPR, TRPR, TCPR, NUMPR = (_W + t for t in ("pPr", "rPr", "trPr", "tcPr", "numPr"))
SDT, SDT_CONTENT, CUSTOM_XML = _W + "sdt", _W + "sdtContent", _W + "customXml"
VAL = _W + "val"
REL_NS_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

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
            # A block-level control showing its placeholder holds no typed text.
            skip = (
                tags is _BLOCKS and showing_placeholder(child) and child.find(f".//{TBL}") is None
            )
            if content is not None and not skip:
                yield from _items(content, tags)
        elif child.tag == CUSTOM_XML:
            yield from _items(child, tags)


def showing_placeholder(sdt: El) -> bool:
    """A content control whose content is its placeholder text (w:showingPlcHdr), not typed text."""
    props = _first(sdt, _W + "sdtPr")
    return props is not None and _on(props.find(_W + "showingPlcHdr"))


# Word allows 63 columns; a larger w:gridSpan is hostile and must not size a list.
_MAX_GRID = 64
ALT_CHUNK = _W + "altChunk"
_BLOCKS = frozenset((P, TBL, ALT_CHUNK))
_ROWS, _CELLS = frozenset((TR,)), frozenset((TC,))
_DEL, _VMERGE, _TBL_HEADER = _W + "del", _W + "vMerge", _W + "tblHeader"
_GRID_BEFORE, _GRID_SPAN = _W + "gridBefore", _W + "gridSpan"


def iter_blocks(container: El) -> Iterator[El]:
    """Paragraphs, tables and altChunks of a body or cell, in order (block-level w:sdt included)."""
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
    struck: list[str] = field(default_factory=list)  # struck-through pieces, left out of text
    unread: list[str] = field(default_factory=list)  # what shows but has no text: 图片, 公式…


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


class Notes:
    """What reading some text found besides the text itself.

    `struck`: struck-through pieces (consecutive struck runs make one piece);
    `unread`: things that show but have no text (图片, 公式, 嵌入对象…);
    `boxes`: text of text boxes, to be placed after their anchor paragraph.
    """

    def __init__(self) -> None:
        self.struck: list[str] = []
        self.unread: list[str] = []
        self.boxes: list[str] = []
        self.dropped = False  # some text was left out (hidden or struck)
        self._mark: tuple[list[str], int] | None = None

    def strike(self, out: list[str], text: str) -> None:
        mark = self._mark
        if self.struck and mark is not None and mark[0] is out and mark[1] == len(out):
            self.struck[-1] += text
        else:
            self.struck.append(text)
        self._mark = (out, len(out))
        self.dropped = True


# What makes a paragraph's text more than its runs' w:t, w:tab, w:br... in order:
# fields, hidden, struck or tracked-deleted text, content controls, symbols, and
# containers of text that is not the paragraph's own (text boxes, ruby, math,
# pictures, notes, fallbacks).
_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_MC_ALT = f"{{{_MC_NS}}}AlternateContent"
_MATH = frozenset((f"{{{_M_NS}}}oMath", f"{{{_M_NS}}}oMathPara"))
_SPECIAL = (
    *(
        _W + t
        for t in (
            "fldChar",
            "vanish",
            "strike",
            "dstrike",
            "del",
            "moveFrom",
            "sdt",
            "sym",
            "txbxContent",
            "pict",
            "drawing",
            "object",
            "ruby",
            "footnoteReference",
            "endnoteReference",
        )
    ),
    _MC_ALT,
    *_MATH,
)
_T = _W + "t"
_RUN_CHAR_TAGS = tuple(_RUN_CHARS)
_TAB = _W + "tab"
_FLD_CHAR, _SYM, _RUBY, _RUBY_BASE = _W + "fldChar", _W + "sym", _W + "ruby", _W + "rubyBase"
_TXBX = _W + "txbxContent"
_PSTYLE, _RSTYLE = _W + "pStyle", _W + "rStyle"
_NOTES = {_W + "footnoteReference": "脚注", _W + "endnoteReference": "尾注"}
_OBJECTS = frozenset((_W + "drawing", _W + "pict", _W + "object", _MC_ALT))

# w:sym in the symbol fonts people pick from Insert > Symbol: code (less 0xF000) -> text.
_SYMBOL_GREEK = dict(
    zip(
        "ABCDEFGHIKLMNOPQRSTUWXYZabcdefghijklmnopqrstuvwxyz",
        "ΑΒΧΔΕΦΓΗΙΚΛΜΝΟΠΘΡΣΤΥΩΞΨΖαβχδεφγηιϕκλμνοπθρστυϖωξψζ",
        strict=True,
    )
)
_SYMBOL_FONTS = {
    "symbol": {
        **{ord(k): v for k, v in _SYMBOL_GREEK.items()},
        **{c: chr(c) for c in b"0123456789.,:;+=<>()[]!#%&/|"},
        0xB0: "°",
        0xB1: "±",
        0xB4: "×",
        0xB7: "•",
        0xB8: "÷",
        0xA3: "≤",
        0xB3: "≥",
        0xB9: "≠",
        0xBB: "≈",
        0xD6: "√",
        0xAE: "→",
        0xAC: "←",
        0xAD: "↑",
        0xAF: "↓",
    },
    "wingdings": {
        0x6C: "●",
        0x6E: "■",
        0x6F: "□",
        0x75: "◆",
        0xA1: "○",
        0xAB: "★",
        0xFB: "✗",
        0xFC: "✓",
        0xFD: "☒",
        0xFE: "☑",
    },
    "wingdings 2": {0x4F: "✗", 0x50: "✓", 0x52: "☑", 0x54: "☒", 0xA3: "□"},
}


def symbol_text(font: str, char: str) -> str | None:
    """The character a w:sym shows, or None when it is a symbol-font glyph we cannot name."""
    try:
        code = int(char, 16)
    except ValueError:
        return None
    if 0xF000 <= code <= 0xF0FF:  # a symbol font's own glyph, stored in the private use area
        return _SYMBOL_FONTS.get(font.strip().lower(), {}).get(code - 0xF000)
    if code < 0x20 or 0xD800 <= code <= 0xDFFF or 0xE000 <= code <= 0xF8FF or code > 0x10FFFF:
        return None
    return chr(code)


def _object_kind(el: El) -> str:
    """What a drawing, picture or embedded object without text shows, in the office's words."""
    if el.tag == _W + "object":
        return "嵌入对象"
    uris = {g.get("uri", "") for g in el.iter("{*}graphicData")}
    if any(u.endswith("/chart") for u in uris):
        return "图表"
    if any(u.endswith("/picture") for u in uris) or any(True for _ in el.iter("{*}imagedata")):
        return "图片"
    return "图形"


class WordDocument:
    """Text access to one parsed document.xml (plus numbering.xml and styles.xml).

    `chunks` gives the text of an altChunk by its relationship id (None when
    the imported content cannot be read); `styles` also decides which text is
    hidden or struck through by a style (toolkit.office.wordstyles).
    """

    def __init__(
        self,
        document: El,
        numbering: El | None = None,
        styles: El | None = None,
        chunks: Callable[[str], str | None] | None = None,
    ):
        body = document.find(_W + "body")
        self.body: El = body if body is not None else etree.Element(_W + "body")
        self._chunks = chunks
        self._styles = RunStyles(styles)
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
            self._mark_host(el)
        special_styles = self._styles.special
        self._all_special = self._styles.everywhere
        if special_styles and not self._all_special:
            for el in self.body.iter(_PSTYLE, _RSTYLE):
                if el.get(VAL) in special_styles:
                    self._mark_host(el)
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

    def _mark_host(self, el: El) -> None:
        """Read every paragraph around `el` run by run."""
        parent = el.getparent()
        while parent is not None:
            if parent.tag == P:
                self._special.add(parent)
            parent = parent.getparent()

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
            elif block.tag == TBL:
                for tr in _items(block, _ROWS):
                    for tc in _items(tr, _CELLS):
                        yield from self.paragraphs(tc)

    def paragraph_text(self, p: El) -> str:
        return self._paragraph(p, [], Notes())

    def _paragraph(self, p: El, fields: list[bool], notes: Notes) -> str:
        special = fields or self._all_special or p in self._special
        plain = None if special else self._plain.get(p)
        if plain is None:
            out: list[str] = []
            outer, notes.dropped = notes.dropped, False
            boxes = len(notes.boxes)
            self._inline(p, out, fields, notes, self._paragraph_style(p))
            text = "".join(out)
            dropped_all = not text and notes.dropped  # its list number goes with it
            notes.dropped = notes.dropped or outer
            if len(notes.boxes) > boxes:  # text boxes anchored here: their lines follow
                text = "\n".join([text, *notes.boxes[boxes:]])
                del notes.boxes[boxes:]
            if dropped_all:
                return text
        else:
            text = "".join(plain)
        prefix = self._prefixes.get(p, "")
        return prefix + text if text else prefix.rstrip()

    def _paragraph_style(self, p: El) -> str | None:
        ppr = _first(p, PPR)
        return _val(ppr, _PSTYLE) if ppr is not None else None

    def _inline(
        self, parent: El, out: list[str], fields: list[bool], notes: Notes, style: str | None
    ) -> None:
        for child in parent:
            tag = child.tag
            if tag == R:
                self._run(child, out, fields, notes, style)
            elif tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None and not showing_placeholder(child):
                    self._inline(content, out, fields, notes, style)
            elif tag in _INLINE_WRAPPERS:
                self._inline(child, out, fields, notes, style)
            elif tag in _MATH:
                notes.unread.append("公式")
            elif tag == _MC_ALT:
                self._object(child, notes)

    def _run(
        self, r: El, out: list[str], fields: list[bool], notes: Notes, style: str | None
    ) -> None:
        # `fields` holds one flag per open complex field: True while in its code
        # part (begin..separate), False in its result. Text shows only when no
        # enclosing field is in its code part (nested fields in a result do show).
        look = self._styles.look(_first(r, RPR), style)
        for child in r:
            tag = child.tag
            if tag == _FLD_CHAR:
                kind = child.get(_W + "fldCharType")
                if kind == "begin":
                    fields.append(True)
                elif kind == "separate" and fields:
                    fields[-1] = False
                elif kind == "end" and fields:
                    fields.pop()
                continue
            if look.hidden or any(fields):
                notes.dropped = notes.dropped or tag == _T
                continue
            if tag == _T:
                text: str | None = child.text or ""
            elif tag in _RUN_CHARS:
                text = _RUN_CHARS[tag]
            elif tag == _SYM:
                font = child.get(_W + "font", "")
                text = symbol_text(font, child.get(_W + "char", ""))
                if text is None:
                    notes.unread.append(f"符号（{font or '未知字体'}）")
            elif tag == _RUBY:  # the base text; the small phonetic guide above is not read
                base = child.find(_RUBY_BASE)
                if base is not None:
                    self._inline(base, out, fields, notes, style)
                continue
            elif tag in _OBJECTS:
                self._object(child, notes)
                continue
            elif tag in _NOTES:
                notes.unread.append(_NOTES[tag])
                continue
            else:  # w:instrText, w:delText, w:delInstrText, w:lastRenderedPageBreak…
                continue
            if not text:
                continue
            if look.struck:
                notes.strike(out, text)
            else:
                out.append(text)

    def _object(self, el: El, notes: Notes) -> None:
        """A drawing, VML picture or embedded object: its text boxes' text, or what it shows."""
        if el.tag == _MC_ALT:  # one of the alternatives shows: the first Word understands
            choice = el.find(f"{{{_MC_NS}}}Choice")
            el = choice if choice is not None else el.find(f"{{{_MC_NS}}}Fallback")
            if el is None:
                return
        boxes = [b for b in el.iter(_TXBX) if not any(a.tag == _TXBX for a in b.iterancestors())]
        for box in boxes:
            text = self._blocks_text(box, notes)
            if text:
                notes.boxes.append(text)
        if not boxes:
            notes.unread.append(_object_kind(el))

    def body_text(self) -> str:
        """All the body's text, paragraphs and table cells in order."""
        return self._blocks_text(self.body, Notes())

    def cell_text(self, tc: El) -> str:
        """Paragraphs joined with newlines, nested tables inline, blank edges trimmed."""
        return self._blocks_text(tc, Notes())

    def _blocks_text(self, container: El, notes: Notes) -> str:
        lines: list[str] = []
        fields: list[bool] = []  # a field may span the paragraphs of one cell
        joined = False
        for block in iter_blocks(container):
            if block.tag == P:
                text = self._paragraph(block, fields, notes)
                if joined and lines:
                    lines[-1] += text
                else:
                    lines.append(text)
                # A tracked-deleted paragraph mark merges it with the next one.
                joined = block in self._special and block.find(f"{PPR}/{RPR}/{_W}del") is not None
                continue
            joined = False
            if block.tag == TBL:
                for row in self.table_rows(block):
                    for c in row.cells:
                        lines.extend([c.text] if c.text else [])
                        notes.struck += c.struck
                        notes.unread += c.unread
            else:
                lines.append(self._chunk(block, notes))
        split = "\n".join(lines).split("\n")
        while split and not split[-1].strip():
            split.pop()
        while split and not split[0].strip():
            split.pop(0)
        return "\n".join(split)

    def _chunk(self, alt_chunk: El, notes: Notes) -> str:
        """The text of content imported by an altChunk, which Word shows in its place."""
        rid = alt_chunk.get(f"{{{REL_NS_OFFICE}}}id", "")
        text = self._chunks(rid) if self._chunks is not None else None
        if text is None:
            notes.unread.append("插入的文档内容")
            return ""
        return text

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
                cells.append(self._cell(tc, col, span, cont))
                col += span
            rows.append(Row(cells, trpr is not None and _on(trpr.find(_TBL_HEADER)), tr))
        return rows

    def _cell(self, tc: El, col: int, span: int, continuation: bool) -> Cell:
        if continuation or _in_placeholder_control(tc):
            return Cell("", col, span, continuation, tc)
        notes = Notes()
        text = self._blocks_text(tc, notes)
        struck = [s for piece in notes.struck if (s := piece.strip())]
        return Cell(text, col, span, continuation, tc, struck, notes.unread)

    def grid_width(self, tbl: El) -> int:
        """Grid columns of a table: w:tblGrid, or the widest row when that is missing."""
        grid = tbl.findall(f"{_W}tblGrid/{_W}gridCol")
        if grid:
            return len(grid)
        return max((len(r.texts()) for r in self.table_rows(tbl)), default=0)


def _in_placeholder_control(tc: El) -> bool:
    """A cell-level content control (w:sdt around a w:tc) showing its placeholder."""
    content = tc.getparent()
    return (
        content is not None
        and content.tag == SDT_CONTENT
        and (sdt := content.getparent()) is not None
        and showing_placeholder(sdt)
    )


# ---------------------------------------------------------------- altChunk

_HTML_BREAKS = ("br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table")


def alt_chunk_text(data: bytes, name: str) -> str | None:
    """Text of a part an altChunk imports (HTML, plain text or a Word document), by its name.

    None for what cannot be read here (RTF, MHT…): the caller names it instead.
    """
    ext = posixpath.splitext(name.lower())[1]
    if ext in (".htm", ".html", ".xhtml", ".xht"):
        return _html_text(data)
    if ext == ".txt":
        return _plain_text(data)
    if ext in (".docx", ".docm", ".dotx", ".dotm"):
        return _word_text(data)
    return None


_CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")


def _html_text(data: bytes) -> str | None:
    declared = _CHARSET_RE.search(data[:4096])
    try:
        text = data.decode(declared.group(1).decode()) if declared else _plain_text(data)
    except (LookupError, UnicodeDecodeError):
        text = _plain_text(data)
    try:
        page = lxml.html.document_fromstring(_XML_DECL_RE.sub("", text))
    except (etree.ParserError, ValueError):
        return None
    for el in page.iter("script", "style"):
        el.drop_tree()
    for el in page.iter(*_HTML_BREAKS):
        el.tail = "\n" + (el.tail or "")
    return "\n".join(line.strip() for line in page.text_content().splitlines() if line.strip())


def _plain_text(data: bytes) -> str:
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace")  # what Notepad saved on a Chinese Windows


def _word_text(data: bytes) -> str | None:
    try:
        with Package(io.BytesIO(data)) as pkg:
            root = pkg.xml("word/document.xml")
    except ReturnError:
        return None
    if root is None:
        return None
    return WordDocument(root).body_text()
