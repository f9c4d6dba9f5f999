"""The structure each kind of template needs, beyond tags that render.

A notice must name the unit it is for; a 督查通报 should keep its parts. A form must keep the table `toolkit merge` reads back: a header row naming
序号 and 进展情况 (found by rules.is_project_header_row, as the return reader
does), the three columns units fill in, and a `{%tr for row in rows %}` loop
whose 序号 cell holds exactly `{{ row.id }}`. A summary must keep the same
columns, show what the merge fills in (`row.progress`, `row.plan`, the
evaluation), group its rows with `groups` / `group.rows` loops and should
explain its colours (`legend`).
"""

from __future__ import annotations

import re

from lxml import etree

from toolkit.core import rules
from toolkit.forms import schema
from toolkit.templating.document import TC, TR, Part, nearest
from toolkit.templating.report import ERROR, WARNING, Problem
from toolkit.templating.tags import Tag, container_text
from toolkit.templating.variables import Analysis

# ---------------------------------------------------------------- form and summary structure


def kind_problems(
    kind: str, part: Part, analyses: dict[str, Analysis], pairs: list[tuple[Tag, Tag]]
) -> list[Problem]:
    """Problems of the body `part`; `analyses` of every part, `pairs` the body's blocks."""
    analysis = analyses[part.name]
    if kind == schema.FORM:
        row_loops = {}
        for loop in analysis.loops:
            marker = part.marker_at(loop.lineno)
            if loop.path == "rows" and marker and marker[0] == "r":
                row_loops[marker[1]] = loop.target
        return form_table_rules(part, pairs, row_loops)
    if kind == schema.NOTICE:
        return notice_rules(analyses)
    if kind == schema.REPORT:
        return report_rules(analyses)
    return summary_rules(part, analyses)


def notice_rules(analyses: dict[str, Analysis]) -> list[Problem]:
    """A notice says whom it is for, and who sends it when (the 落款)."""
    used = set().union(*(a.names for a in analyses.values()))
    out = []
    if "unit" not in used:
        out.append(
            Problem(
                "notice_no_unit",
                ERROR,
                "通知模板没有用到 {{ unit }}：通知发给哪个单位（主送单位）不会出现在通知中。",
                "正文",
            )
        )
    missing = [name for name in ("issuer", "date") if name not in used]
    if missing:
        tags = "、".join(f"{{{{ {name} }}}}" for name in missing)
        out.append(
            Problem(
                "notice_no_signature",
                WARNING,
                f"通知模板没有用到 {tags}：通知末尾的落款（发文单位和日期）不完整。"
                "可在正文末尾加两段右对齐的 {{ issuer }} 和 {{ date }}。",
                "正文",
            )
        )
    return out


# The parts of a 督查通报, and the variables that show each.
_REPORT_PARTS = (
    ("统计（总体情况）", ("stats", "stats_text", "overall_text", "matters")),
    ("各民生事项的图表", ("chart",)),
    ("报送情况", ("returns_text", "unit_counts", "standings")),
    ("附件1 进度滞后项目名单", ("lagging",)),
    ("附件2 未报送、逾期和退回修改的单位", ("standings",)),
    ("连续滞后的项目", ("repeats", "repeats_text")),
    ("报送及时率", ("rates", "rates_text")),
    ("落款", ("issuer", "date")),
)


def report_rules(analyses: dict[str, Analysis]) -> list[Problem]:
    """A 督查通报 should keep each of its parts; an office may drop one on purpose."""
    used = set().union(*(a.names for a in analyses.values()))
    missing = [label for label, names in _REPORT_PARTS if not used & set(names)]
    if not missing:
        return []
    return [
        Problem(
            "report_missing_part",
            WARNING,
            f"通报模板没有{'、'.join(missing)}：通报中不会有这些内容。"
            "如非有意删除，可对照内置模板（toolkit template fields --kind report 列出可用变量）补上。",
            "正文",
        )
    ]


# What the merge fills into each row of the 一览表, and the variables that show it.
_MERGED = (
    (rules.PROGRESS, ("progress", "entries[].progress")),
    (rules.PLAN, ("plan", "entries[].plan")),
    (rules.EVALUATION, ("evaluation", "evaluation_mark", "entries[].evaluation")),
)


def summary_rules(part: Part, analyses: dict[str, Analysis]) -> list[Problem]:
    out = []
    header = project_header(part)
    if header is None:
        out.append(
            Problem(
                "summary_no_table",
                ERROR,
                "找不到一览表的项目表：需要一个表头行同时含“序号”和“进展情况”的表格"
                "（表格被删除，或表头被改了）。",
                "正文",
            )
        )
    else:
        why = "一览表在这一列列出各单位填写的内容。"
        out += _missing_columns(part, header, "summary_missing_column", why)
    analysis = analyses[part.name]
    paths = {loop.path for loop in analysis.loops}
    if "groups" not in paths:
        out.append(
            Problem(
                "summary_no_groups_loop",
                ERROR,
                "一览表模板缺少按民生事项分组的外层循环：在表头下方加一行，第一格只写 "
                "{%tr for group in groups %}；最后加一行，第一格只写 {%tr endfor %}。",
                "正文",
            )
        )
    elif "groups[].rows" not in paths:
        out.append(
            Problem(
                "summary_no_rows_loop",
                ERROR,
                "一览表模板缺少逐项目的内层循环：在外层循环内加一行，第一格只写 "
                "{%tr for row in group.rows %}；项目行之后加一行，第一格只写 {%tr endfor %}。",
                "正文",
            )
        )
    used = set().union(*(a.paths for a in analyses.values()))
    for key, names in _MERGED:
        if not any(f"groups[].rows[].{n}" in used for n in names):
            label = rules.COLUMN_LABELS[key]
            out.append(
                Problem(
                    "summary_missing_value",
                    ERROR,
                    f"一览表模板没有用到 {{{{ row.{names[0]} }}}}：汇总时各单位填写的“{label}”"
                    f"不会出现在一览表中。请在“{label}”列的项目行中写 {{{{ row.{names[0]} }}}}。",
                    "正文",
                )
            )
    if not any("legend" in a.names for a in analyses.values()):
        out.append(
            Problem(
                "summary_no_legend",
                WARNING,
                "一览表模板没有进度评价图例（legend）：表中的彩色▋没有说明。"
                "可在表格上方加一段：{% for item in legend %}{{r item.mark }}{{ item.name }} {% endfor %}。",
                "正文",
            )
        )
    return out


# ---------------------------------------------------------------- the project table


def _cells(tr: etree._Element) -> list[tuple[int, int, etree._Element]]:
    """(first grid column, span, cell) of a row's cells."""
    w = TC.split("}")[0] + "}"
    before = tr.find(f"{w}trPr/{w}gridBefore")
    col = int(before.get(w + "val", "0")) if before is not None else 0
    out = []
    for tc in tr.iter(TC):
        if nearest(tc, TR) is not tr:  # a cell of a table nested in this row
            continue
        span_el = tc.find(f"{w}tcPr/{w}gridSpan")
        span = int(span_el.get(w + "val", "1")) if span_el is not None else 1
        out.append((col, span, tc))
        col += span
    return out


def project_header(part: Part) -> tuple[int, dict[str | None, int]] | None:
    """The header row of the project table: (index in part.rows, column key -> grid column).

    The row naming 序号 and 进展情况, as the return reader finds it; failing that
    a row naming 序号 and two more known columns, whose missing columns are
    then reported by name.
    """
    likely = None
    for i, tr in enumerate(part.rows):
        texts = [container_text(part, "cell", tc) for _, _, tc in _cells(tr)]
        if not any("号" in t for t in texts):
            continue
        columns = {rules.header_key(t): c for (c, _, _), t in zip(_cells(tr), texts, strict=True)}
        if rules.is_project_header_row(texts):
            return i, columns
        if likely is None and rules.ID in columns and len(columns.keys() - {None}) >= 3:
            likely = i, columns
    return likely


def _missing_columns(
    part: Part, header: tuple[int, dict[str | None, int]], code: str, why: str
) -> list[Problem]:
    at, columns = header
    return [
        Problem(
            code,
            ERROR,
            f"项目表表头缺少“{rules.COLUMN_LABELS[key]}”列：{why}",
            part.places[("r", at)],
        )
        for key in rules.FILLED_KEYS
        if key not in columns
    ]


def form_table_rules(
    part: Part, pairs: list[tuple[Tag, Tag]], row_loops: dict[int, str]
) -> list[Problem]:
    """The table `toolkit merge` reads back: header with 序号 and 进展情况, 序号 = {{ row.id }}.

    `row_loops` maps the index (in part.rows) of each `{%tr for x in rows %}` row to `x`.
    """
    found = project_header(part)
    if found is None:
        return [
            Problem(
                "form_no_table",
                ERROR,
                "找不到项目表：需要一个表头行同时含“序号”和“进展情况”的表格，"
                "汇总时靠这两个表头识别回收表中的项目表。",
                "正文",
            )
        ]
    header_at, columns = found
    header = part.rows[header_at]
    place = part.places[("r", header_at)]
    why = "各单位在这一列填写，汇总时按表头文字找到它。"
    out = _missing_columns(part, found, "form_missing_column", why)
    table = header.getparent()
    loops = [(i, var) for i, var in row_loops.items() if part.rows[i].getparent() is table]
    if not loops:
        out.append(
            Problem(
                "form_no_loop",
                ERROR,
                "项目表中没有逐行填入项目的循环：在表头下方加一行，第一格只写 "
                "{%tr for row in rows %}；项目行之后加一行，第一格只写 {%tr endfor %}。",
                place,
            )
        )
        return out
    closes = {id(o.para.row): c.para.row for o, c in pairs if o.level == "tr"}
    for i, var in loops:
        end = closes.get(id(part.rows[i]))
        body = part.rows[i + 1 : part.rows.index(end)] if end is not None else []
        out.extend(_id_cells(part, body, columns.get(rules.ID), var))
    return out


def _id_cells(
    part: Part, body: list[etree._Element], id_col: int | None, var: str
) -> list[Problem]:
    out = []
    want = re.compile(r"\{\{\s*" + re.escape(var) + r"\.id\s*\}\}")
    for tr in body:
        cells = {c: tc for c, _, tc in _cells(tr)}
        tc = cells.get(id_col) if id_col is not None else None
        text = container_text(part, "cell", tc).strip() if tc is not None else ""
        if "{%tr" in text or want.fullmatch(text):
            continue
        place = part.places[("r", part.rows.index(tr))]
        paras = [p for p in part.paragraphs if p.cell is tc] if tc is not None else []
        out.append(
            Problem(
                "form_id_cell",
                ERROR,
                f"项目行“序号”列的单元格应只含 {{{{ {var}.id }}}}（现在是“{text}”）："
                "汇总时按序号识别每一行。",
                paras[0].location if paras else place,
                text,
            )
        )
    return out
