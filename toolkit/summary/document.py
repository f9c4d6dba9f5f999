"""The 一览表 as a Word document: the summary template rendered with the merge's rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docxtpl import RichText

from toolkit.forms.context import period_context, row_context
from toolkit.forms.identity import OUTPUT_SUMMARY, PROP_OUTPUT
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


def evaluation_mark(evaluation: str, colors: dict[str, str], note: str = "") -> RichText:
    """The coloured ▋ (or the text), and under it the note of a partly reported joint row."""
    mark = (
        RichText(MARK, color=colors[evaluation]) if evaluation in colors else RichText(evaluation)
    )
    if note:
        mark.xml += "<w:r><w:br/></w:r>"
        mark.add(note)
    return mark


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
            "evaluation_mark": evaluation_mark(r.evaluation, colors, r.note),
            "status": r.status,
            "entries": [vars(p) for p in r.parts],
        }

    return {
        **period_context(register.region, period),
        "title": summary_title(register.region, period),
        "legend": [{"name": n, "mark": RichText(MARK, color=c)} for n, c in colors.items()],
        "stats": stats,
        "stats_text": statistics_text(stats),
        "groups": [
            {"matter": g.matter, "item": g.item, "rows": [row_ctx(r) for r in g.rows]}
            for g in group_rows(rows)
        ],
    }


def summary_docx(result: MergeResult, template: Path | None = None) -> bytes:
    """The 一览表 .docx, marked as the toolkit's own so that no merge takes it for a return."""
    prepared = PreparedTemplate(template or default_template("summary"))
    return prepared.render_bytes(summary_context(result), properties={PROP_OUTPUT: OUTPUT_SUMMARY})
