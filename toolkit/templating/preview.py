"""`toolkit template preview`: render one sample document from a template.

With a register, the sample is what `generate` would send to one unit (the
form), or the 一览表 `merge` would write before any return came in (every row
未报送); a notice and a 督查通报 are previewed with sample data only (the
通报 with a chart drawn from it). Without one, the schema's sample context
fills the template, with a placeholder in each `row.extra['…']` column the
template uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import RegisterError, UsageError
from toolkit.forms import schema
from toolkit.forms.rendering import PreparedTemplate
from toolkit.register.model import RegisterOptions
from toolkit.templating.check import TemplateReport, check_template
from toolkit.templating.samples import drawn_sample_chart, sample_context


@dataclass
class Preview:
    kind: str
    path: Path
    unit: str | None  # the unit of a form preview
    source: str  # "register" or "sample"
    report: TemplateReport


def render_preview(
    template: Path,
    out: Path,
    *,
    kind: str | None = None,
    register: Path | None = None,
    quarter: int | None = None,
    year: int | None = None,
    unit: str | None = None,
    options: RegisterOptions | None = None,
) -> Preview:
    template, out = Path(template), Path(out)
    if out.resolve() == template.resolve():
        raise UsageError("输出文件不能是模板本身。", hint="用 -o 指定另一个文件名。")
    if register is None and (quarter is not None or year is not None):
        raise UsageError("--quarter / --year 只能与 --register 一起使用。")
    if register is not None and quarter is None:
        raise UsageError("使用 --register 时须同时给出 --quarter。")
    report = check_template(template, kind)
    kind = report.kind
    if unit and kind != schema.FORM:
        raise UsageError("--unit 只用于填报表模板。")
    if register is not None and kind in (schema.NOTICE, schema.REPORT):
        what = "通知" if kind == schema.NOTICE else "督查通报"
        raise UsageError(f"{what}模板的预览只用样例数据：去掉 --register 和 --quarter。")
    if register is not None:
        context, unit = _register_context(kind, register, quarter, year, unit, options)  # type: ignore[arg-type]
        source = "register"
    else:
        context = sample_context(kind, {k: f"（{k}）" for k in report.extra_keys})
        if kind == schema.FORM:
            unit = context["unit"] = unit or context["unit"]
        source = "sample"
    pictures = None
    if kind == schema.REPORT:
        context["chart"] = drawn_sample_chart(context)
        pictures = [context["chart"]]
    PreparedTemplate(template).render_bytes_to(out, context, pictures=pictures)
    return Preview(kind, out, unit if kind == schema.FORM else None, source, report)


def _register_context(
    kind: str,
    path: Path,
    quarter: int,
    year: int | None,
    unit: str | None,
    options: RegisterOptions | None,
) -> tuple[dict[str, Any], str | None]:
    from toolkit.forms.context import form_context
    from toolkit.forms.generate import select_units
    from toolkit.forms.identity import form_id
    from toolkit.register.model import resolve_period, rows_fingerprint
    from toolkit.register.reader import read_register
    from toolkit.returns.merging import MergeResult
    from toolkit.summary.document import summary_context

    register = read_register(path, options)
    period = resolve_period(register, quarter, year)
    if kind == schema.SUMMARY:
        return summary_context(MergeResult(register, period, [], [])), None
    if not register.has_quarter_target(quarter):
        raise RegisterError(
            f"缺少列“第{period.quarter_cn}季度目标”。",
            sheet="项目",
            hint=f"在表头中加上“第{period.quarter_cn}季度目标”列并填写本季度目标。",
        )
    chosen = select_units(register, [unit] if unit else None)
    if not chosen:
        raise RegisterError("登记表中没有任何主办单位。", sheet="项目")
    name = chosen[0]
    projects = register.projects_of(name)
    fid = form_id(period, name, rows_fingerprint(projects, quarter))
    return form_context(register, period, name, projects, fid), name
