"""The 一览表 as a Word document: the summary template rendered with the merge's lines.

The template's `group.rows` loop writes one table row per line of the
model (toolkit.summary.model): a joint project has one row per lead unit,
each with its 序号 and 项目名称 and a progress headed by the unit. The
project's own columns (年度目标, the quarter's target, 主办单位, 协办单位
and the register's other columns) are then merged over those rows, as `{% vm %}` merges 民生事项 over a group: a
template loop can merge a column over one loop level only, so this is done
on the rendered table, found by its header as the return reader finds it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any

from lxml import etree
from markupsafe import Markup

from toolkit.core import rules
from toolkit.forms.context import period_context, row_context
from toolkit.forms.identity import OUTPUT_SUMMARY, PROP_OUTPUT
from toolkit.forms.places import DOCUMENT_PART
from toolkit.forms.rendering import PreparedTemplate, run_markup
from toolkit.office.ooxml import W_NS
from toolkit.office.textfit import split_to_fit
from toolkit.returns.merging import MergeResult
from toolkit.summary.model import (
    MARK,
    SummaryGroup,
    SummaryLine,
    Withheld,
    build_rows,
    evaluation_colors,
    group_rows,
    statistics,
    statistics_text,
    summary_title,
)
from toolkit.templates import default_path as default_template


def evaluation_mark(evaluation: str, colors: dict[str, str]) -> Markup:
    """The coloured ▋, or the evaluation as text (已完成, 未报送, what a unit typed)."""
    if evaluation in colors:
        return run_markup(MARK, colors[evaluation])
    return run_markup(evaluation)


def summary_context(result: MergeResult, fit: Fit | None = None) -> dict[str, Any]:
    """The template's context; with `fit`, a line too tall for a page goes on in the next."""
    register, period = result.register, result.period
    colors = evaluation_colors(register.settings)
    rows = build_rows(result)
    stats = statistics(rows)

    def line_ctx(line: SummaryLine) -> dict[str, Any]:
        r = line.row
        return {
            **row_context(r.project, period.quarter),
            "name": line.name,
            "unit": line.unit,
            "extra": r.extra,
            "progress": line.labelled_progress,
            "plan": line.plan,
            "evaluation": line.evaluation,
            "evaluation_mark": evaluation_mark(line.evaluation, colors),
            "status": line.status,
            "first": line.first,
            "entries": [vars(p) for p in r.parts],
        }

    return {
        **period_context(register.region, period),
        "title": summary_title(register.region, period),
        "legend": [{"name": n, "mark": run_markup(MARK, c)} for n, c in colors.items()],
        "stats": stats,
        "stats_text": statistics_text(stats),
        "groups": [
            {"matter": g.matter, "item": g.item, "rows": [line_ctx(x) for x in lines_of(g, fit)]}
            for g in group_rows(rows)
        ],
    }


def lines_of(group: SummaryGroup, fit: Fit | None) -> list[SummaryLine]:
    """The group's lines, each cut into pieces that fit on a page when `fit` says how."""
    if fit is None:
        return group.lines
    return [
        piece
        for line in group.lines
        for piece in line.pieces(
            split_to_fit(line.labelled_progress, fit.progress, fit.lines, fit.page),
            split_to_fit(line.plan, fit.plan, fit.lines, fit.page),
        )
    ]


def summary_docx(
    result: MergeResult, template: Path | None = None, *, withheld: Withheld | None = None
) -> bytes:
    """The 一览表 .docx, marked as the toolkit's own so that no merge takes it for a return.

    With `withheld`, its public edition: those columns' text is never rendered and their
    columns are taken out of the table; no property marks it (toolkit.office.metadata
    scrubs it further).
    """
    prepared = PreparedTemplate(template or default_template("summary"))
    fit = page_fit(prepared)
    context = summary_context(result, fit)
    if withheld is not None:
        withhold(context, withheld)
    ids = [row["id"] for group in context["groups"] for row in group["rows"]]
    shared = {pid for pid, n in Counter(ids).items() if n > 1}  # projects on several rows

    def adjust(parts: dict[str, bytes]) -> None:
        if shared:
            parts[DOCUMENT_PART] = merge_project_columns(parts[DOCUMENT_PART], shared)
        if withheld is not None:
            parts[DOCUMENT_PART] = drop_columns(parts[DOCUMENT_PART], withheld)

    marked = {PROP_OUTPUT: OUTPUT_SUMMARY} if withheld is None else None
    return prepared.render_bytes(context, properties=marked, adjust=adjust)


# ---------------------------------------------------------------- the public edition

# What the template is given for each column a public edition may leave out.
_WITHHELD_VALUES = {
    rules.PLAN: ("plan",),
    rules.PROGRESS: ("progress",),
    rules.ANNUAL_TARGET: ("annual_target",),
    rules.QUARTER_TARGET: ("quarter_target",),
    rules.EVALUATION: ("evaluation", "evaluation_mark"),
    rules.LEAD: ("lead", "unit", "label"),
    rules.CO: ("co",),
}


def withhold(context: dict[str, Any], withheld: Withheld) -> None:
    """Blank what the withheld columns would show, wherever a template might show it."""
    names = {n for key in withheld.keys for n in _WITHHELD_VALUES[key]}
    for group in context["groups"]:
        for row in group["rows"]:
            for item in (row, *row["entries"]):
                for name in names & item.keys():
                    item[name] = run_markup("") if name == "evaluation_mark" else ""
            row["extra"] = {
                k: ("" if rules.clean_header(k) in withheld.extras else v)
                for k, v in row["extra"].items()
            }


def drop_columns(document: bytes, withheld: Withheld) -> bytes:
    """The project table without the withheld columns, the others widened to the same width."""
    root = etree.fromstring(document, _PARSER)
    for tbl in root.iter(_TBL):
        rows = [tr for tr in tbl if tr.tag == _TR]
        header = next((tr for tr in rows if _header_keys(tr)), None)
        if header is None:
            continue
        gone = {c for c, tc in _grid(header).items() if withheld.covers(_text(tc))}
        grid = tbl.find(f"{_W}tblGrid")
        if not gone or grid is None:
            return document
        cols = list(grid.iterchildren(f"{_W}gridCol"))
        widths = [_twips(g, "w") for g in cols]
        kept = sum(w for c, w in enumerate(widths) if c not in gone)
        scale = sum(widths) / kept if kept else 1
        new = [round(w * scale) for w in widths]
        for c in sorted(gone, reverse=True):
            if c < len(cols):
                grid.remove(cols[c])
        for c, g in enumerate(cols):
            if c not in gone:
                g.set(_W + "w", str(new[c]))
        for tr in rows:
            for start, tc in _grid(tr).items():
                span = _span(tc)
                covered = range(start, start + span)
                left = [c for c in covered if c not in gone]
                if not left:
                    tr.remove(tc)
                    continue
                _set_span(tc, len(left))
                width = tc.find(f"{_TCPR}/{_W}tcW")
                if width is not None:
                    width.set(_W + "w", str(sum(new[c] for c in left if c < len(new))))
                    width.set(_W + "type", "dxa")
        return _serialise(root)  # the first project table only
    return document


def _span(tc: etree._Element) -> int:
    span = tc.find(f"{_TCPR}/{_GRID_SPAN}")
    return int(span.get(_VAL, "1")) if span is not None else 1


def _set_span(tc: etree._Element, span: int) -> None:
    el = tc.find(f"{_TCPR}/{_GRID_SPAN}")
    if span == 1:
        if el is not None:
            el.getparent().remove(el)
    elif el is not None:
        el.set(_VAL, str(span))


# ---------------------------------------------------------------- what fits on a page

# The template's table text is 五号; a line of it is 1.45 times as high in
# LibreOffice (Noto CJK), less in Word and WPS (仿宋).
_TEXT_TWIPS = 210
_LINE_TWIPS = 305
_HEADER_LINES = 3  # the repeated header row
# Rows do not split across pages, so a row taller than what is left of a page
# moves on whole. Text is cut, between paragraphs, into rows of at most this
# share of a page: the first project then fits under the title block on page 1
# and a page is seldom left half empty. A paragraph is cut only when taller
# than a page.
_ROW_SHARE = 0.6
_PAGE_SHARE = 0.9  # room kept for breaks the estimate does not foresee


@dataclass(frozen=True)
class Fit:
    """How much text a row of the template's project table holds and still fits on a page."""

    progress: int  # half-em units a line of the 进展情况 column holds
    plan: int  # … of the 存在问题及下一步工作计划 column
    lines: int  # lines a row should have at most, cut between paragraphs
    page: int  # lines a row may have: a paragraph up to this is never cut


def page_fit(prepared: PreparedTemplate) -> Fit | None:
    """Worked out from the template's page and column widths; None when it has no project table."""
    data = next(d for info, d in prepared.entries if info.filename == DOCUMENT_PART)
    root = etree.fromstring(data, _PARSER)
    sect = root.find(f"{_W}body/{_W}sectPr")
    size = sect.find(f"{_W}pgSz") if sect is not None else None
    margins = sect.find(f"{_W}pgMar") if sect is not None else None
    if size is None or margins is None:
        return None
    height = _twips(size, "h") - _twips(margins, "top") - _twips(margins, "bottom")
    for tbl in root.iter(_TBL):
        grid = [_twips(g, "w") for g in tbl.iterfind(f"{_W}tblGrid/{_W}gridCol")]
        header = next((k for tr in tbl.iterchildren(_TR) if (k := _header_keys(tr))), None)
        if not header or not grid:
            continue
        widths = {key: grid[c] for c, key in header.items() if c < len(grid)}
        if rules.PROGRESS not in widths or rules.PLAN not in widths:
            return None
        lines = height / _LINE_TWIPS - _HEADER_LINES
        return Fit(
            _per_line(widths[rules.PROGRESS]),
            _per_line(widths[rules.PLAN]),
            int(lines * _ROW_SHARE),
            int(lines * _PAGE_SHARE),
        )
    return None


def _per_line(width: int) -> int:
    """Half-em units of 五号 text a column `width` twips wide holds (cell margins off)."""
    return max(1, int((width - 2 * 57) / (_TEXT_TWIPS / 2) * 0.92))


def _twips(el: etree._Element, attr: str) -> int:
    try:
        return int(el.get(_W + attr, "0"))
    except ValueError:
        return 0


# ---------------------------------------------------------------- a project's own columns

_W = f"{{{W_NS}}}"
_TBL, _TR, _TC, _TCPR, _P, _T = (_W + n for n in ("tbl", "tr", "tc", "tcPr", "p", "t"))
_VMERGE, _GRID_SPAN, _VAL = _W + "vMerge", _W + "gridSpan", _W + "val"
# The project's own columns; any column the header does not name (the register's
# other columns) is the project's too, when all its rows show the same text.
_PROJECT_KEYS = {rules.ANNUAL_TARGET, rules.QUARTER_TARGET, rules.LEAD, rules.CO}
_LINE_KEYS = {rules.ID, rules.NAME, rules.PROGRESS, rules.PLAN, rules.EVALUATION}
_PARSER = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
# Children of w:tcPr that come before w:vMerge (ECMA-376 §17.4.66).
_BEFORE_VMERGE = {_W + "cnfStyle", _W + "tcW", _GRID_SPAN, _W + "hMerge"}


def merge_project_columns(document: bytes, joint: set[str]) -> bytes:
    """Merge the project's own columns over the consecutive rows of each joint project.

    A city's 一览表 has thousands of rows (tens of megabytes of XML): the
    table is found and its rows parsed one at a time, and only the rows of
    joint projects are written again; the rest of the document is kept as
    rendered. A table whose rows are not all its direct children (rows in a
    content control) is merged on the whole parsed document instead.
    """
    wrapper = _ROOT_TAG_RE.search(document)
    tables = _table_rows(document)
    if wrapper is None or tables is None:
        return _merge_in_tree(document, joint)
    opening, closing = wrapper.group(0), b"</" + wrapper.group(1) + b">"
    for spans in tables:
        merged: dict[int, bytes] = {}
        rows = (_parse_row(opening + document[a:b] + closing) for a, b in spans)
        if not _merge_rows(rows, joint, partial(_keep_row, merged, closing)):
            continue  # no header row: not the project table
        out, at = [], 0
        for n in sorted(merged):
            a, b = spans[n]
            out += [document[at:a], merged[n]]
            at = b
        out.append(document[at:])
        return b"".join(out)  # the first project table only
    return document


def _merge_in_tree(document: bytes, joint: set[str]) -> bytes:
    # The toolkit's own rendering, not a file from outside: parsed as it is, however large.
    root = etree.fromstring(document, _PARSER)
    for tbl in root.iter(_TBL):
        if _merge_rows((tr for tr in tbl if tr.tag == _TR), joint, lambda n, tr: None):
            return _serialise(root)  # the first project table only
    return document


def _merge_rows(
    rows: Iterable[etree._Element],
    joint: set[str],
    merged: Callable[[int, etree._Element], None],
) -> bool:
    """Merge the runs of joint projects among a table's rows, calling `merged(position, row)`
    for each row of a run merged; False when the table has no project header row."""
    header: dict[int, str | None] = {}
    id_col = 0
    run: list[tuple[int, etree._Element, dict[int, etree._Element]]] = []
    run_id = ""
    for n, tr in enumerate(chain(rows, [None])):
        if not header:
            if tr is not None and (header := _header_keys(tr)):
                id_col = next(c for c, k in header.items() if k == rules.ID)
            continue
        cells = _grid(tr) if tr is not None else {}
        pid = rules.normalize_id(_text(cells[id_col])) if id_col in cells else ""
        if run and pid == run_id:
            run.append((n, tr, cells))  # type: ignore[arg-type]
            continue
        if len(run) > 1 and _merge_run([c for _, _, c in run], header):
            for m, row, _ in run:
                merged(m, row)
        run, run_id = ([(n, tr, cells)], pid) if tr is not None and pid in joint else ([], "")
    return bool(header)


# The document's root start tag (its namespace declarations wrap each row parsed alone),
# and the start and end tags of tables and rows.
_ROOT_TAG_RE = re.compile(rb"<((?:\w+:)?document)\b[^>]*>")
_TABLE_TAG_RE = re.compile(rb"<(/?)w:(tbl|tr|sdt|customXml)(?=[\s>/])([^>]*?)(/?)>")


def _table_rows(document: bytes) -> list[list[tuple[int, int]]] | None:
    """Each table's rows (byte spans), tables in document order; None when some table has
    rows that are not its direct children, or the tags do not nest as expected."""
    tables: list[list[tuple[int, int]]] = []
    stack: list[tuple[str, int, int]] = []  # (tbl|tr|other, start, index in tables)
    for m in _TABLE_TAG_RE.finditer(document):
        closing, name, self_closing = m.group(1), m.group(2).decode(), m.group(4)
        if self_closing:
            continue
        if not closing:
            if name == "tbl":
                tables.append([])
                stack.append(("tbl", m.start(), len(tables) - 1))
            elif name == "tr":
                if not stack or stack[-1][0] != "tbl":
                    return None  # a row inside a content control or custom XML
                stack.append(("tr", m.start(), stack[-1][2]))
            else:
                stack.append((name, m.start(), -1))
            continue
        if not stack or stack[-1][0] != name:
            return None
        kind, start, table = stack.pop()
        if kind == "tr":
            tables[table].append((start, m.end()))
    return tables if not stack else None


def _parse_row(data: bytes) -> etree._Element:
    return etree.fromstring(data, _PARSER)[0]


def _keep_row(merged: dict[int, bytes], closing: bytes, n: int, tr: etree._Element) -> None:
    """Row `n` as written within the document: its namespaces declared by the root, not on it."""
    data = etree.tostring(tr.getparent(), encoding="unicode").encode()
    merged[n] = data[data.index(b">") + 1 : -len(closing)]


def _header_keys(tr: etree._Element) -> dict[int, str | None]:
    """Grid column -> column key, when `tr` is the project table's header row."""
    cells = _grid(tr)
    texts = [_text(tc) for tc in cells.values()]
    if not rules.is_project_header_row(texts):
        return {}
    return {c: rules.header_key(_text(tc)) for c, tc in cells.items()}


def _grid(tr: etree._Element) -> dict[int, etree._Element]:
    """Grid column -> cell, for the cells of a row."""
    out, col = {}, 0
    for tc in tr.iterchildren(_TC):
        out[col] = tc
        col += _span(tc)
    return out


def _text(tc: etree._Element) -> str:
    return "".join(t.text or "" for t in tc.iter(_T))


def _merge_run(run: list[dict[int, etree._Element]], keys: dict[int, str | None]) -> bool:
    """Merge the project's columns over the rows of one run; whether any cell changed."""
    changed = False
    for col, key in keys.items():
        cells = [row.get(col) for row in run]
        if key in _LINE_KEYS or any(tc is None or _merged(tc) for tc in cells):
            continue
        if key not in _PROJECT_KEYS and len({_text(tc) for tc in cells}) > 1:  # type: ignore[arg-type]
            continue  # a column the header does not name, that differs by unit
        for n, tc in enumerate(cells):
            assert tc is not None
            _set_vmerge(tc, "restart" if n == 0 else "continue")
            if n:
                _clear(tc)
        changed = True
    return changed


def _merged(tc: etree._Element) -> bool:
    return tc.find(f"{_TCPR}/{_VMERGE}") is not None


def _set_vmerge(tc: etree._Element, value: str) -> None:
    tcpr = tc.find(_TCPR)
    if tcpr is None:
        tcpr = etree.Element(_TCPR)
        tc.insert(0, tcpr)
    at = 0
    for n, child in enumerate(tcpr):
        if child.tag in _BEFORE_VMERGE:
            at = n + 1
    vmerge = etree.Element(_VMERGE)
    vmerge.set(_VAL, value)
    tcpr.insert(at, vmerge)


def _clear(tc: etree._Element) -> None:
    """Leave one empty paragraph (with its properties): Word wants a paragraph in a cell."""
    paragraphs = [p for p in tc if p.tag == _P]
    for p in paragraphs[1:]:
        tc.remove(p)
    if paragraphs:
        for child in list(paragraphs[0]):
            if child.tag != _W + "pPr":
                paragraphs[0].remove(child)


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
