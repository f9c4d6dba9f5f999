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

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docxtpl import RichText
from lxml import etree

from toolkit.core import rules
from toolkit.forms.context import period_context, row_context
from toolkit.forms.identity import OUTPUT_SUMMARY, PROP_OUTPUT
from toolkit.forms.places import DOCUMENT_PART
from toolkit.forms.rendering import PreparedTemplate
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


def evaluation_mark(evaluation: str, colors: dict[str, str]) -> RichText:
    """The coloured ▋, or the evaluation as text (已完成, 未报送, what a unit typed)."""
    if evaluation in colors:
        return RichText(MARK, color=colors[evaluation])
    return RichText(evaluation)


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
        "legend": [{"name": n, "mark": RichText(MARK, color=c)} for n, c in colors.items()],
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
                    item[name] = RichText("") if name == "evaluation_mark" else ""
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
    """Merge the project's own columns over the consecutive rows of each joint project."""
    # The toolkit's own rendering, not a file from outside: parsed as it is, however large.
    root = etree.fromstring(document, _PARSER)
    for tbl in root.iter(_TBL):
        rows = [tr for tr in tbl if tr.tag == _TR]
        header = next((i for i, tr in enumerate(rows) if _header_keys(tr)), None)
        if header is None:
            continue
        keys = _header_keys(rows[header])
        id_col = next(c for c, k in keys.items() if k == rules.ID)
        run: list[dict[int, etree._Element]] = []
        for tr in [*rows[header + 1 :], None]:
            cells = _grid(tr) if tr is not None else {}
            pid = rules.normalize_id(_text(cells[id_col])) if id_col in cells else ""
            if run and pid == rules.normalize_id(_text(run[0][id_col])):
                run.append(cells)
                continue
            if len(run) > 1:
                _merge_run(run, keys)
            run = [cells] if pid in joint else []
        return _serialise(root)  # the first project table only
    return document


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


def _merge_run(run: list[dict[int, etree._Element]], keys: dict[int, str | None]) -> None:
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
