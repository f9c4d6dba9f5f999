"""Where a paragraph, table row or cell of a Word template is, in words a maintainer can find.

Tables are numbered from the start of their part, rows and cells as Word
shows them ("第1个表格第4行第2列"); paragraphs outside tables are counted
from the start of their part ("正文第3段", "页脚第1段"); in footnotes and
endnotes by the note's number ("第2个脚注"). `template check` and the
renderer's error messages both use these places, keyed like the markers the
renderer puts before each paragraph ("p"), row ("r") and cell ("c").
"""

from __future__ import annotations

from collections import Counter

from lxml import etree

from toolkit.office.ooxml import W_NS

_W = f"{{{W_NS}}}"
P, T, TR, TC, TBL = (_W + n for n in ("p", "t", "tr", "tc", "tbl"))
_NOTES = (_W + "footnote", _W + "endnote")

DOCUMENT_PART = "word/document.xml"
_LABELS = (("header", "页眉"), ("footer", "页脚"), ("footnotes", "脚注"), ("endnotes", "尾注"))

Marker = tuple[str, int]  # ("p" | "r" | "c", index among those elements of the part)


def part_label(name: str) -> str:
    """'正文', '页眉', '页脚', '脚注' or '尾注' for a part name such as 'word/footer1.xml'."""
    if name == DOCUMENT_PART:
        return "正文"
    base = name.rsplit("/", 1)[-1]
    return next((label for key, label in _LABELS if base.startswith(key)), base)


def nearest(el: etree._Element, tag: str) -> etree._Element | None:
    """The closest ancestor of `el` with this tag."""
    for a in el.iterancestors():
        if a.tag == tag:
            return a
    return None


def text_of(el: etree._Element) -> str:
    return "".join(t.text or "" for t in el.iter(T))


def locations(name: str, root: etree._Element) -> dict[Marker, str]:
    """The place of every paragraph, row and cell of a part, by marker."""
    prefix = "" if name == DOCUMENT_PART else part_label(name)
    tables = {t: n for n, t in enumerate(root.iter(TBL), start=1)}
    rows_in: Counter[etree._Element] = Counter()
    row_place: dict[etree._Element, str] = {}
    out: dict[Marker, str] = {}
    for i, tr in enumerate(root.iter(TR)):
        tbl = nearest(tr, TBL)
        rows_in[tbl] += 1
        row_place[tr] = f"第{tables.get(tbl, 0)}个表格第{rows_in[tbl]}行"
        out[("r", i)] = prefix + row_place[tr]
    cells_in: Counter[etree._Element] = Counter()
    cell_place: dict[etree._Element, str] = {}
    for i, tc in enumerate(root.iter(TC)):
        tr = nearest(tc, TR)
        cells_in[tr] += 1
        cell_place[tc] = row_place.get(tr, "") + f"第{cells_in[tr]}列"  # type: ignore[arg-type]
        out[("c", i)] = prefix + cell_place[tc]
    notes = _note_numbers(root)
    paras_in: Counter[etree._Element] = Counter()
    outside = 0
    for i, p in enumerate(root.iter(P)):
        tc = nearest(p, TC)
        note = next((a for a in p.iterancestors() if a.tag in _NOTES), None)
        if tc is not None:
            out[("p", i)] = prefix + cell_place[tc]
        elif note is not None:
            paras_in[note] += 1
            nth = f"第{paras_in[note]}段" if paras_in[note] > 1 else ""
            out[("p", i)] = f"第{notes.get(note, 0)}个{part_label(name)}{nth}"
        else:
            outside += 1
            out[("p", i)] = f"{part_label(name)}第{outside}段"
    return out


def _note_numbers(root: etree._Element) -> dict[etree._Element, int]:
    """Footnotes and endnotes numbered as Word shows them (separators are not notes)."""
    notes = [n for n in root if n.tag in _NOTES and n.get(_W + "type", "normal") == "normal"]
    return {n: k for k, n in enumerate(notes, start=1)}


def element_at(root: etree._Element, marker: Marker) -> etree._Element | None:
    kind, index = marker
    tag = {"p": P, "r": TR, "c": TC}[kind]
    return next((el for i, el in enumerate(root.iter(tag)) if i == index), None)
