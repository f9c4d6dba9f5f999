"""The values a Word template is rendered with, for one form or one 一览表 row.

The variables themselves, their types and descriptions are toolkit.forms.schema.
"""

from __future__ import annotations

from typing import Any

from toolkit.core import rules
from toolkit.core.period import Period
from toolkit.core.previous import NOT_USED, PreviousQuarter, no_previous
from toolkit.forms.identity import form_title
from toolkit.register.model import Project, Register


def row_context(project: Project, quarter: int) -> dict[str, Any]:
    return {
        "matter": project.matter,
        "item": project.item,
        "id": project.id,
        "name": project.name,
        "annual_target": project.annual_target,
        "quarter_target": project.quarter_target(quarter),
        "lead": project.lead,
        "co": project.co,
        "extra": dict(project.extra),
    }


def period_context(region: str, period: Period) -> dict[str, Any]:
    return {
        "region": region,
        "year": period.year,
        "quarter": period.quarter,
        "quarter_cn": period.quarter_cn,
        "period_label": period.label,
        "period_end": period.end_date,
    }


# Characters of last quarter's progress and of its plan the reference cell shows: with the
# labels, a cell no taller than the 进展情况 cell a unit fills to the limit.
REFERENCE_CHARS = 80


def _clipped(text: str) -> str:
    text = text.strip()
    return text if len(text) <= REFERENCE_CHARS else text[:REFERENCE_CHARS] + "…"


def previous_context(previous: PreviousQuarter, project_id: str, unit: str) -> dict[str, str]:
    """A row's `previous`: what the unit reported for it the quarter before, for reference.

    `text` is the reference cell: each part on its line, progress and plan
    cut at REFERENCE_CHARS; the parts themselves are whole.
    """
    entry = previous.entry(project_id, unit)
    before = previous.before
    label = f"第{before.quarter_cn}季度" if before else ""
    if entry is None:
        return {"label": label, "progress": "", "plan": "", "evaluation": "", "text": previous.note}
    lines = [
        f"{name}：{text}"
        for name, text in (
            ("进展情况", _clipped(entry.progress)),
            ("问题及计划", _clipped(entry.plan)),
            ("进度评价", entry.evaluation or ""),
        )
        if text.strip()
    ]
    return {
        "label": label,
        "progress": entry.progress,
        "plan": entry.plan,
        "evaluation": entry.evaluation or "",
        "text": "\n".join(lines) or f"{label}未填写",
    }


def form_context(
    register: Register,
    period: Period,
    unit: str,
    projects: list[Project],
    fid: str,
    previous: PreviousQuarter | None = None,
) -> dict[str, Any]:
    """A unit's form; `previous` holds the quarter before's texts (none: the history was not used)."""
    previous = previous or no_previous(period, NOT_USED)
    before = previous.before
    return {
        **period_context(register.region, period),
        "previous_label": f"第{before.quarter_cn}季度" if before else "",
        "previous_note": "" if previous.entries else previous.note,
        "title": form_title(register.region, period),
        "unit": unit,
        "form_id": fid,
        "evaluations": list(rules.EVALUATIONS),
        "evaluations_text": " / ".join(rules.EVALUATIONS),
        "max_chars": rules.MAX_CHARS,
        "rows": [
            {**row_context(p, period.quarter), "previous": previous_context(previous, p.id, unit)}
            for p in projects
        ],
    }
