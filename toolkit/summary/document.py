"""The 一览表 as a Word document: the summary template rendered with the merge's rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docxtpl import RichText

from toolkit.forms.context import period_context, row_context
from toolkit.forms.rendering import PreparedTemplate
from toolkit.returns.merging import MergeResult
from toolkit.summary.model import (
    MARK,
    SummaryRow,
    build_rows,
    evaluation_colors,
    group_rows,
    statistics,
    statistics_text,
    summary_title,
)
from toolkit.templates import default_path as default_template


def evaluation_mark(evaluation: str, colors: dict[str, str]) -> RichText:
    if evaluation in colors:
        return RichText(MARK, color=colors[evaluation])
    return RichText(evaluation)


def summary_context(result: MergeResult) -> dict[str, Any]:
    register, period = result.register, result.period
    colors = evaluation_colors(register.settings)
    rows = build_rows(result)
    stats = statistics(rows)

    def row_ctx(r: SummaryRow) -> dict[str, Any]:
        return {
            **row_context(r.project, period.quarter),
            "extra": r.extra,
            "progress": r.progress,
            "plan": r.plan,
            "evaluation": r.evaluation,
            "evaluation_mark": evaluation_mark(r.evaluation, colors),
            "status": r.status,
            "entries": [vars(p) for p in r.parts],
        }

    return {
        **period_context(register.region, period),
        "title": summary_title(register.region, result),
        "legend": [{"name": n, "mark": RichText(MARK, color=c)} for n, c in colors.items()],
        "stats": stats,
        "stats_text": statistics_text(stats),
        "groups": [
            {"matter": g.matter, "item": g.item, "rows": [row_ctx(r) for r in g.rows]}
            for g in group_rows(rows)
        ],
    }


def write_summary_docx(result: MergeResult, target: Path, template: Path | None = None) -> None:
    prepared = PreparedTemplate(template or default_template("summary"))
    prepared.render_bytes_to(target, summary_context(result))
