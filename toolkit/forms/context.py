"""The values a Word template is rendered with, for one form or one 一览表 row.

The variables themselves, their types and descriptions are toolkit.forms.schema.
"""

from __future__ import annotations

from typing import Any

from toolkit.core import rules
from toolkit.core.period import Period
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


def form_context(
    register: Register, period: Period, unit: str, projects: list[Project], fid: str
) -> dict[str, Any]:
    return {
        **period_context(register.region, period),
        "title": form_title(register.region, period),
        "unit": unit,
        "form_id": fid,
        "evaluations": list(rules.EVALUATIONS),
        "evaluations_text": " / ".join(rules.EVALUATIONS),
        "max_chars": rules.MAX_CHARS,
        "rows": [row_context(p, period.quarter) for p in projects],
    }
