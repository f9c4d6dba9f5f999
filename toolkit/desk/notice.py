"""The per-unit feedback notice (退回修改意见): that unit's findings, as .docx.

Rendered like every other document: the core's PreparedTemplate (docxtpl
preprocessing, sandboxed Jinja with autoescape and StrictUndefined). The
shipped template is `toolkit/desk/templates/notice.docx`; a workspace may
override it with `模板/notice.docx`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from toolkit.desk.status import sorted_views
from toolkit.desk.workspace import display_name
from toolkit.errors import UsageError
from toolkit.forms.context import period_context
from toolkit.forms.identity import PROP_OUTPUT, form_title
from toolkit.forms.rendering import PreparedTemplate
from toolkit.office.fileset import FileSet
from toolkit.office.folder import shown
from toolkit.returns.merging import BLANK, MISSING, UNREADABLE, MergeResult

NOTICE_TEMPLATE = Path(__file__).with_name("templates") / "notice.docx"

# The variables notice.docx may use (kept here, next to the one place that fills them).
NOTICE_FIELDS = (
    "region",
    "year",
    "quarter",
    "quarter_cn",
    "period_label",
    "period_end",
    "title",
    "unit",
    "form_title",
    "file",
    "intro",
    "findings",  # list of {no, id, level, kind, message}
    "closing",
    "date",
)


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def notice_title(status: str) -> str:
    """A unit that sent nothing gets a reminder, the others a request to correct."""
    return "催报通知" if status == MISSING else "退回修改意见"


def notice_context(result: MergeResult, unit: str, today: dt.date | None = None) -> dict[str, Any]:
    status = next((u for u in result.units if u.unit == unit), None)
    if status is None:
        raise UsageError(f"登记表中没有主办项目的单位“{unit}”。")
    register, period = result.register, result.period
    today = today or dt.date.today()
    title = form_title(register.region, period)
    # Stored as `<时间>-<原文件名>`: the unit knows the file by its own name.
    file = display_name(shown(status.file.name)) if status.file else ""
    if status.status == MISSING:
        intro = f"截至{chinese_date(today)}，尚未收到你单位的《{title}》，请尽快报送。"
    elif status.status == BLANK:
        intro = f"你单位报送的《{title}》（文件：{file}）是未填写的空白表，请填写后重新报送。"
    elif status.status == UNREADABLE:
        intro = f"你单位报送的《{title}》（文件：{file}）无法读取，请按以下说明处理后重新报送。"
    else:
        intro = f"你单位报送的《{title}》（文件：{file}）经审核，存在以下问题，请修改后重新报送。"
    findings = [
        {"no": n, "id": f.id or "—", "level": f.level_label, "kind": f.kind, "message": f.message}
        for n, f in enumerate(sorted_views(result.findings_of(unit)), start=1)
    ]
    return {
        **period_context(register.region, period),
        "title": notice_title(status.status),
        "unit": unit,
        "form_title": title,
        "file": file,
        "intro": intro,
        "findings": findings,
        "closing": "请在原填报表上逐项修改（勿改动序号、项目名称和目标），保存为 .docx 后重新报送。",
        "date": chinese_date(today),
    }


def write_notice(
    result: MergeResult,
    unit: str,
    target: Path,
    template: Path | None = None,
    today: dt.date | None = None,
) -> Path:
    """Write the notice (marked as the toolkit's own); a notice someone edited is kept in 历史/."""
    context = notice_context(result, unit, today)
    data = PreparedTemplate(template or NOTICE_TEMPLATE).render_bytes(
        context, properties={PROP_OUTPUT: context["title"]}
    )
    with FileSet([target]) as files:
        files.write(target, data)
    return target
