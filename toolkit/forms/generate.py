"""Distribution: one pre-filled form per unit, and the 分发清单.

The office runs this once a quarter. Each form holds exactly the rows its
unit leads and carries string custom document properties (form id, unit,
period, rows sent, fingerprint) that identify it when it comes back: these
survive a LibreOffice or WPS save, content-control tags do not. The forms
and the 分发清单 are written as one set (toolkit.office.fileset): all of
them replace the previous ones, or none does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from toolkit.core import parallel, rules
from toolkit.core.period import Period
from toolkit.core.previous import PreviousQuarter
from toolkit.errors import OutputError, RegisterError, UsageError
from toolkit.forms.context import form_context
from toolkit.forms.identity import (
    OUTPUT_DISTRIBUTION,
    PROP_FINGERPRINT,
    PROP_FORM_ID,
    PROP_OUTPUT,
    PROP_QUARTER,
    PROP_ROWS,
    PROP_UNIT,
    PROP_YEAR,
    form_file_names,
    form_id,
)
from toolkit.forms.rendering import PreparedTemplate
from toolkit.office import ooxml
from toolkit.office.fileset import FileSet, Kept, write_staged
from toolkit.office.xlsx_out import Workbook
from toolkit.register.model import Project, Register, rows_fingerprint
from toolkit.templates import default_path as default_template

DISTRIBUTION_LIST = "分发清单.xlsx"

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class GeneratedForm:
    unit: str
    path: Path
    form_id: str
    project_ids: list[str]


@dataclass
class Generation:
    period: Period
    forms: list[GeneratedForm]
    distribution_list: Path
    warnings: list[str] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)  # changed files kept in 历史/ before replacing
    empty_targets: list[str] = field(default_factory=list)  # 序号 sent without the quarter's target


def select_units(register: Register, wanted: list[str] | None) -> list[str]:
    names = register.unit_names()
    if not wanted:
        return names
    chosen = []
    for w in wanted:
        name = register.directory.canonical(w.strip())
        if name not in names:
            import difflib

            close = difflib.get_close_matches(name, names, n=3, cutoff=0.4)
            hint = f"是否指：{'、'.join(close)}？" if close else "用 toolkit units 查看单位名单。"
            raise UsageError(f"登记表中没有主办项目的单位“{w}”。", hint=hint)
        if name not in chosen:
            chosen.append(name)
    return chosen


def generate_forms(
    register: Register,
    period: Period,
    out_dir: Path,
    *,
    template: Path | None = None,
    units: list[str] | None = None,
    force: bool = False,
    progress: Progress | None = None,
    jobs: int = 1,
    allow_empty_targets: bool = False,
    previous: PreviousQuarter | None = None,
) -> Generation:
    """Write one form per unit and the distribution list into `out_dir`.

    Refuses when the quarter's target is empty for every project sent, unless
    `allow_empty_targets`; when it is empty for some, says which. `jobs` > 1
    renders on that many processes when there are enough forms to pay for
    them (toolkit.core.parallel); the forms are the same either way.
    `previous`: the quarter before's texts, shown on each row for reference.
    """
    if not register.has_quarter_target(period.quarter):
        raise RegisterError(
            f"缺少列“第{period.quarter_cn}季度目标”。",
            sheet="项目",
            hint=f"在表头中加上“第{period.quarter_cn}季度目标”列并填写本季度目标。",
        )
    chosen = select_units(register, units)
    empty, empty_warning = empty_targets(register, period, chosen, allow_empty_targets)
    out_dir = Path(out_dir)
    names = form_file_names(register, period)
    targets = {u: out_dir / names[u] for u in chosen}
    listing = out_dir / DISTRIBUTION_LIST
    if not force:
        existing = [p for p in [*targets.values(), listing] if p.exists()]
        if existing:
            raise OutputError(
                f"输出文件夹中已有 {len(existing)} 个同名文件（如 {existing[0].name}），未做任何改动。",
                hint="换一个 --out 文件夹，或加 --force 覆盖。",
            )
    template_path = template or default_template("form")
    prepared = PreparedTemplate(template_path)  # a broken template fails here, before any work
    warnings = list(register.warnings) + empty_warning
    with FileSet([*targets.values(), listing]) as files:
        write = partial(write_staged, files.temps)
        if parallel.worth_it(len(chosen), jobs):
            with parallel.process_pool(
                jobs,
                _init_worker,
                (register, period, template_path, targets, files.temps, previous),
            ) as pool:
                batches = pool.map(_render_batch, parallel.chunks(chosen, jobs))
                # While the workers render: the list needs only what each form will be.
                planned = [_planned(register, period, u, targets[u])[0] for u in chosen]
                write(listing, distribution_workbook(register, period, planned).data())
                rendered = (done for batch in batches for done in batch)
                forms = _collect(rendered, len(chosen), warnings, progress)
        else:
            with parallel.BackgroundWriter(write=write) as writer:
                forms = _collect(
                    (
                        _render_one(
                            prepared, register, period, unit, targets[unit], writer, previous
                        )
                        for unit in chosen
                    ),
                    len(chosen),
                    warnings,
                    progress,
                )
            write(listing, distribution_workbook(register, period, forms).data())
    return Generation(period, forms, listing, warnings, files.kept, empty)


def empty_targets(
    register: Register, period: Period, units: list[str], allow: bool
) -> tuple[list[str], list[str]]:
    """(序号 whose quarter's target is empty, the warning saying so).

    Raises when every project sent has none: the forms would ask units to
    report against nothing, most often because the register's column for
    this quarter has not been filled in yet.
    """
    sent = list({p.id: p for u in units for p in register.projects_of(u)}.values())
    empty = [p.id for p in sent if not p.quarter_target(period.quarter).strip()]
    column = f"第{period.quarter_cn}季度目标"
    if not empty:
        return [], []
    if len(empty) == len(sent) and not allow:
        raise RegisterError(
            f"“{column}”列是空的：要生成的 {len(sent)} 个项目都没有本季度目标，未生成填报表。",
            sheet="项目",
            hint=f"在登记表中填写“{column}”后重新生成；确要生成目标为空的填报表，"
            "加 --allow-empty-targets。",
        )
    shown_ids = "、".join(empty[:10]) + ("等" if len(empty) > 10 else "")
    warning = (
        f"登记表“{column}”列有 {len(empty)} 个项目为空（序号 {shown_ids}），"
        "这些项目的填报表中本季度目标为空。"
    )
    return empty, [warning]


def _collect(
    rendered: Iterable[tuple[GeneratedForm, list[str]]],
    total: int,
    warnings: list[str],
    progress: Progress | None,
) -> list[GeneratedForm]:
    forms = []
    for n, (form, form_warnings) in enumerate(rendered, start=1):
        forms.append(form)
        warnings.extend(form_warnings)
        if progress:
            progress(n, total, form.unit)
    return forms


def _planned(
    register: Register, period: Period, unit: str, target: Path
) -> tuple[GeneratedForm, str, list[Project]]:
    """What the unit's form will be (its id, rows), its rows' fingerprint and projects."""
    projects = register.projects_of(unit)
    fingerprint = rows_fingerprint(projects, period.quarter)
    form = GeneratedForm(unit, target, form_id(period, unit, fingerprint), [p.id for p in projects])
    return form, fingerprint, projects


def _render_one(
    prepared: PreparedTemplate,
    register: Register,
    period: Period,
    unit: str,
    target: Path,
    writer: parallel.BackgroundWriter,
    previous: PreviousQuarter | None,
) -> tuple[GeneratedForm, list[str]]:
    form, fingerprint, projects = _planned(register, period, unit, target)
    context = form_context(register, period, unit, projects, form.form_id, previous)
    properties = {
        PROP_FORM_ID: form.form_id,
        PROP_UNIT: unit,
        PROP_YEAR: str(period.year),
        PROP_QUARTER: str(period.quarter),
        PROP_ROWS: ",".join(form.project_ids),
        PROP_FINGERPRINT: fingerprint,
    }
    writer.write(target, prepared.render_bytes(context, properties=properties))
    return form, _unstorable_text_warnings(unit, context["rows"])


# A worker process's share of the run, set once per process by _init_worker.
_worker: dict[str, Any] = {}


def _init_worker(
    register: Register,
    period: Period,
    template: Path,
    targets: dict[str, Path],
    temps: dict[Path, Path],
    previous: PreviousQuarter | None,
) -> None:
    _worker.update(
        register=register,
        period=period,
        prepared=PreparedTemplate(template),
        targets=targets,
        temps=temps,
        previous=previous,
    )


def _render_batch(units: list[str]) -> list[tuple[GeneratedForm, list[str]]]:
    w = _worker
    with parallel.BackgroundWriter(write=partial(write_staged, w["temps"])) as writer:
        return [
            _render_one(
                w["prepared"], w["register"], w["period"], u, w["targets"][u], writer, w["previous"]
            )
            for u in units
        ]


def _unstorable_text_warnings(unit: str, rows: list[dict[str, Any]]) -> list[str]:
    out = []
    for row in rows:
        for key in ("name", "annual_target", "quarter_target", "lead", "co", "matter"):
            bad = ooxml.xml_forbidden(row[key])
            if bad:
                out.append(
                    f"登记表序号 {row['id']} 的“{rules.COLUMN_LABELS.get(key, key)}”含有 Word 无法保存的"
                    f"不可见控制字符 {ooxml.describe_chars(bad)}（多由复制粘贴带入），{unit}的填报表中"
                    "已省略这些字符，其余文字不变；请在登记表中删除它们。"
                )
    return out


def distribution_workbook(
    register: Register, period: Period, forms: list[GeneratedForm]
) -> Workbook:
    wb = Workbook({PROP_OUTPUT: OUTPUT_DISTRIBUTION})
    rows = []
    for f in forms:
        info = register.unit(f.unit)
        rows.append(
            [
                f.unit,
                info.kind if info else "",
                info.contact if info else "",
                info.phone if info else "",
                info.email if info else "",
                f.path.name,
                len(f.project_ids),
                "、".join(f.project_ids),
                f.form_id,
            ]
        )
    sheet = wb.add_sheet("分发清单")
    title = f"{register.region}{period.label}民生实事项目进展情况表分发清单"
    sheet.heading(1, title, 9)
    sheet.footer_title = title
    sheet.table(
        ["单位", "类型", "联系人", "联系电话", "邮箱", "文件", "项目数", "序号", "表单编号"],
        rows,
        widths=[14, 8, 8, 13, 18, 38, 6, 22, 16],
        start_row=2,
    )
    return wb
