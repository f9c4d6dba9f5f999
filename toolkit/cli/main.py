"""The command line: parses arguments, calls the core, prints.

Data goes to stdout (file lists, --json), messages and progress to stderr.
The core never prints and never imports click; `toolkit.cli.base.run` is
the one place that turns errors into messages and exit codes
(docs/exit-codes.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from toolkit import __version__
from toolkit.cli.base import (
    CONTEXT,
    DEADLINE_OPTION,
    JOBS_OPTION,
    QUARTER,
    Group,
    emit_json,
    help_option,
    output_path,
    progress_bar,
    read_register,
    register_options,
    resolve_deadline,
    resolve_jobs,
    say,
)
from toolkit.cli.docs import docs
from toolkit.cli.history import (
    annual,
    history_file,
    history_options,
    previous_json,
    previous_of,
    record,
    tell_previous,
)
from toolkit.cli.history import history as history_command
from toolkit.cli.inspect import inspect
from toolkit.cli.register import register as register_group
from toolkit.cli.serve import serve
from toolkit.cli.template import template

if TYPE_CHECKING:
    import datetime as dt

    from toolkit.core.period import Period
    from toolkit.core.previous import PreviousQuarter
    from toolkit.office.fileset import Kept
    from toolkit.register.model import Register
    from toolkit.returns.merging import MergeResult

# ---------------------------------------------------------------- commands


@click.group(cls=Group, context_settings=CONTEXT)
@click.version_option(
    __version__, "-V", "--version", message="toolkit %(version)s", help="显示版本并退出。"
)
@click.option("--debug", is_flag=True, help="出错时显示完整的调用栈（报告问题时使用）。")
@help_option
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """民生实事季度报送工具：生成各单位填报表，汇总回收表为一览表。

    \b
    一个季度的流程：
      toolkit generate 登记表.xlsx --quarter 3          # 生成各单位填报表
      toolkit check 回收表文件夹 --register 登记表.xlsx --quarter 3
      toolkit merge 回收表文件夹 --register 登记表.xlsx --quarter 3
    """
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("register", metavar="登记表.xlsx")
@click.option("--quarter", "-q", type=QUARTER, required=True, help="季度：1–4。")
@register_options
@click.option(
    "--out", "-o", "out_dir", metavar="文件夹", help="输出文件夹；默认 输出/年度Q季度/填报表。"
)
@click.option("--template", "-t", metavar="模板.docx", help="自定义填报表模板；默认用内置模板。")
@click.option(
    "--unit",
    "-u",
    "units",
    multiple=True,
    metavar="单位",
    help="只生成这些单位的表（可多次使用）。",
)
@click.option("--force", "-f", is_flag=True, help="覆盖输出文件夹中已有的同名文件。")
@click.option(
    "--allow-empty-targets",
    is_flag=True,
    help="本季度目标列全部为空时也生成填报表（默认拒绝生成）。",
)
@history_options
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（到标准输出）。")
@JOBS_OPTION
@help_option
def generate(
    register: str,
    quarter: int,
    year: int | None,
    region: str | None,
    allow_new_units: bool,
    out_dir: str | None,
    template: str | None,
    units: tuple[str, ...],
    force: bool,
    allow_empty_targets: bool,
    history: str | None,
    no_history: bool,
    as_json: bool,
    jobs: int | None,
) -> None:
    """按登记表为每个主办单位生成一份预填的填报表（.docx）和分发清单。

    登记表可以是 .xlsx、.xls、.ods 或 WPS 表格，格式见 toolkit docs 登记表。
    本季度目标列有项目为空时给出提示；全部为空时不生成（退出码 1），除非加 --allow-empty-targets。
    第二季度起，每行附上本单位上季度填报的内容供参考（取自报送历史，见 toolkit docs 历史）。
    单位较多（40 个及以上）时默认用本机全部 CPU 核并行生成，可用 --jobs 指定进程数。

    \b
    示例：
      toolkit generate data/register.xlsx --quarter 3
      toolkit generate 登记表.xlsx -q 3 --unit 民治街道 --out 分发
      toolkit generate 2023年民生实事台账.xls -q 3 --region 龙华区
      toolkit generate 全市登记表.xlsx -q 3 --jobs 4
      toolkit generate 登记表.xlsx -q 1 --allow-empty-targets
    """
    from toolkit.forms import schema
    from toolkit.forms.generate import generate_forms
    from toolkit.register.model import resolve_period
    from toolkit.templating.gate import require_columns, require_passing

    template_path = _existing_file(template, "模板") if template else None
    checked = require_passing(template_path, schema.FORM)
    store = history_file(history, no_history)
    reg = read_register(register, year, region, allow_new_units, notify=False)
    require_columns(checked, reg)
    period = resolve_period(reg, quarter, year)
    previous = previous_of(store, reg, period)
    out = Path(out_dir) if out_dir else Path("输出") / period.key / "填报表"
    with progress_bar("生成填报表", len(units) or len(reg.unit_names())) as bar:
        result = generate_forms(
            reg,
            period,
            out,
            template=template_path,
            units=list(units) or None,
            force=force,
            progress=(lambda n, total, unit: bar.update(1)) if bar else None,
            jobs=resolve_jobs(jobs),
            allow_empty_targets=allow_empty_targets,
            previous=previous,
        )
    for w in result.warnings:  # the register's notices first, then the forms'
        say(f"提示：{w}")
    _say_kept(result.kept)
    if as_json:
        emit_json(
            {
                "period": period.key,
                "forms": [
                    {
                        "unit": f.unit,
                        "file": str(f.path),
                        "form_id": f.form_id,
                        "rows": f.project_ids,
                    }
                    for f in result.forms
                ],
                "distribution_list": str(result.distribution_list),
                "empty_targets": result.empty_targets,
                "warnings": result.warnings,
                "kept": _kept_json(result.kept),
                "previous": previous_json(previous),
            }
        )
    else:
        for f in result.forms:
            click.echo(str(f.path))
    tell_previous(previous, forms=True)
    say(
        f"已为 {len(result.forms)} 个单位生成{period.label}填报表，共 "
        f"{sum(len(f.project_ids) for f in result.forms)} 行，保存在 {out}；"
        f"分发清单：{result.distribution_list.name}"
    )


def _existing_file(path: str, what: str) -> Path:
    from toolkit.errors import UsageError

    p = Path(path)
    if not p.is_file():
        raise UsageError(f"找不到{what}文件：{path}")
    return p


_RETURNS_ARG = click.argument("paths", nargs=-1, required=True, metavar="回收表或文件夹...")
_REGISTER_OPT = click.option(
    "--register",
    "-r",
    required=True,
    metavar="登记表.xlsx",
    help="分发时使用的登记表（.xlsx、.xls、.ods 或 WPS 表格）。",
)


def _merge_inputs(
    paths: tuple[str, ...],
    reg: Register,
    period: Period,
    normalize: bool = False,
    jobs: int | None = None,
    columns: list[str] | None = None,
    previous: PreviousQuarter | None = None,
) -> MergeResult:
    from toolkit.returns.merging import merge_returns, require_returns

    result = merge_returns(
        reg,
        period,
        [Path(p) for p in paths],
        normalize_numbering=normalize,
        jobs=resolve_jobs(jobs),
        summary_columns=columns or (),
        previous=previous,
    )
    require_returns(result)
    return result


def _json_result(
    result: MergeResult, deadline: dt.date | None, outputs: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The merge as JSON; each unit with its timeliness against `deadline`."""
    from toolkit.returns.timeliness import timeliness

    timely = timeliness(result, deadline)
    data: dict[str, Any] = {
        "period": result.period.key,
        "deadline": deadline.isoformat() if deadline else None,
        "units": [{**u.as_dict(), "timeliness": timely[u.unit].as_dict()} for u in result.units],
        "findings": [f.as_dict() for f in result.findings],
        "skipped": [s.as_dict() for s in result.skipped],
    }
    if outputs is not None:
        data["outputs"] = outputs
    return data


def _say_kept(kept: list[Kept]) -> None:
    for k in kept:
        say(f"提示：{k.note()}")


def _kept_json(kept: list[Kept]) -> list[dict[str, str]]:
    from toolkit.office.folder import shown

    return [{"file": shown(str(k.target)), "kept_as": shown(str(k.copy))} for k in kept]


@cli.command()
@_RETURNS_ARG
@_REGISTER_OPT
@click.option("--quarter", "-q", type=QUARTER, required=True, help="季度：1–4。")
@register_options
@click.option(
    "--template",
    "-t",
    metavar="模板.docx",
    help="汇总时要用的一览表模板（与 merge 的 --template 相同）；模板用到的附加列不报“未汇总的列”。",
)
@DEADLINE_OPTION
@history_options
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出检查结果（到标准输出）。")
@JOBS_OPTION
@help_option
def check(
    paths: tuple[str, ...],
    register: str,
    quarter: int,
    year: int | None,
    region: str | None,
    allow_new_units: bool,
    template: str | None,
    deadline: str | None,
    history: str | None,
    no_history: bool,
    as_json: bool,
    jobs: int | None,
) -> None:
    """检查回收的填报表：逐个单位列出缺报、错漏和不合规之处，不写任何文件。

    退出码：0 无错误；1 有错误级问题，或给出的位置没有任何回收表；2 命令用法错误。

    回收表较多（40 份及以上）时默认用本机全部 CPU 核并行读取，可用 --jobs 指定进程数。

    \b
    示例：
      toolkit check 回收表/ --register data/register.xlsx --quarter 3
      toolkit check 民治街道.docx -r 登记表.xlsx -q 3 --json
      toolkit check 回收表/ -r 登记表.xlsx -q 3 --deadline 2023-10-10 --json
      toolkit check 全市回收表/ -r 全市登记表.xlsx -q 3 --jobs 4
      toolkit check 回收表/ -r 登记表.xlsx -q 3 -t 一览表模板.docx
    """
    from toolkit.forms import schema
    from toolkit.register.model import resolve_period
    from toolkit.summary.checklist import checklist_lines
    from toolkit.templating.gate import require_passing

    template_path = _existing_file(template, "模板") if template else None
    # The same template check as merge: the same columns count as in the 一览表.
    checked = require_passing(template_path, schema.SUMMARY)
    store = history_file(history, no_history)
    reg = read_register(register, year, region, allow_new_units)
    period = resolve_period(reg, quarter, year)
    due = resolve_deadline(reg, period, deadline)
    previous = previous_of(store, reg, period)
    result = _merge_inputs(
        paths, reg, period, jobs=jobs, columns=checked.extra_keys, previous=previous
    )
    if as_json:
        emit_json(_json_result(result, due))
    else:
        for line in checklist_lines(result):
            click.echo(line)
    tell_previous(previous, forms=False)
    if result.has_errors:
        raise click.exceptions.Exit(1)


@cli.command()
@_RETURNS_ARG
@_REGISTER_OPT
@click.option("--quarter", "-q", type=QUARTER, required=True, help="季度：1–4。")
@register_options
@click.option(
    "--out",
    "-o",
    metavar="一览表.docx",
    help="一览表 Word 文件（可省略 .docx）；默认 输出/年度Q季度/ 下。",
)
@click.option("--xlsx", metavar="一览表.xlsx", help="一览表 Excel 文件；默认与 --out 同名 .xlsx。")
@click.option("--report", metavar="问题清单.xlsx", help="问题清单；默认与 --out 同一文件夹。")
@click.option("--template", "-t", metavar="模板.docx", help="自定义一览表模板；默认用内置模板。")
@click.option(
    "--normalize-numbering",
    is_flag=True,
    help="把“1、”“（1）”“①”等条目编号统一改为“1.”，并在问题清单中注明。",
)
@click.option(
    "--pdf",
    "with_pdf",
    is_flag=True,
    help="同时用 LibreOffice 把一览表转为 PDF（与 --out 同名 .pdf），供打印和公开；需安装 LibreOffice。",
)
@click.option(
    "--public",
    is_flag=True,
    help="同时生成一览表的公开版（与 --out 同名加“（公开版）”的 .docx 和 .pdf）：不含存在问题及下一步"
    "工作计划和联系方式等列（可在登记表「设置」的“公开版不公开的列”中指定），不含作者、单位、批注、"
    "修订等文档信息；需安装 LibreOffice。",
)
@click.option(
    "--update-register",
    is_flag=True,
    help="把本季度结果写入登记表（先自动备份）；登记表中有图片、图表、宏等时，改为另存在登记表旁边。",
)
@DEADLINE_OPTION
@history_options
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出汇总结果（到标准输出）。")
@JOBS_OPTION
@help_option
def merge(
    paths: tuple[str, ...],
    register: str,
    quarter: int,
    year: int | None,
    region: str | None,
    allow_new_units: bool,
    out: str | None,
    xlsx: str | None,
    report: str | None,
    template: str | None,
    normalize_numbering: bool,
    with_pdf: bool,
    public: bool,
    update_register: bool,
    deadline: str | None,
    history: str | None,
    no_history: bool,
    as_json: bool,
    jobs: int | None,
) -> None:
    """汇总回收的填报表，生成全区一览表（Word 和 Excel，加 --pdf 时还有 PDF）和问题清单。

    有单位未报送时照样生成一览表，其项目标为“未报送”。toolkit 自己生成的文件（一览表、问题清单、
    分发清单、退回修改意见）和未填写的空白填报表不会当作回收表；一份回收表也没有时报错，不写文件。

    这些文件一起写出：要么全部换成新的，要么都不动。要替换的文件与 toolkit 上次写出的不同
    （如被手工修改过）时，先把它保留到同一文件夹的“历史”文件夹中。

    汇总结果记入报送历史（默认 输出/报送历史.sqlite）：重新汇总同一季度时新增一版，之前的版本
    保留；各单位的填报与上季度对照（内容雷同、承诺事项未提及等提示），见 toolkit docs 历史。

    回收表较多（40 份及以上）时默认用本机全部 CPU 核并行读取，可用 --jobs 指定进程数。

    \b
    示例：
      toolkit merge data/returns/2023Q3 --register data/register.xlsx --quarter 3
      toolkit merge 回收表/ -r 登记表.xlsx -q 3 --out 一览表.docx --json
      toolkit merge 回收表/ -r 登记表.xlsx -q 3 --pdf
      toolkit merge 回收表/ -r 登记表.xlsx -q 3 --public
      toolkit merge 全市回收表/ -r 全市登记表.xlsx -q 3 --jobs 4
    """
    from toolkit.forms import schema
    from toolkit.office.fileset import check_targets
    from toolkit.register.model import resolve_period
    from toolkit.summary.checklist import summary_lines
    from toolkit.summary.model import public_withheld, summary_file_name
    from toolkit.summary.outputs import PublicEdition, write_merge_outputs
    from toolkit.templating.gate import require_columns, require_passing

    template_path = _existing_file(template, "模板") if template else None
    checked = require_passing(template_path, schema.SUMMARY)
    jobs = resolve_jobs(jobs)
    store = history_file(history, no_history)
    reg = read_register(register, year, region, allow_new_units)
    period = resolve_period(reg, quarter, year)
    due = resolve_deadline(reg, period, deadline)
    default_docx = Path("输出") / period.key / summary_file_name(reg.region, period, ".docx")
    out_docx = output_path(out, default_docx, ".docx", "--out")
    out_xlsx = output_path(xlsx, out_docx.with_suffix(".xlsx"), ".xlsx", "--xlsx")
    out_report = output_path(
        report, out_docx.with_name(f"问题清单（{period.label}）.xlsx"), ".xlsx", "--report"
    )
    out_pdf = out_docx.with_suffix(".pdf") if with_pdf else None
    public_paths = PublicEdition.paths(out_docx) if public else ()
    targets = [out_docx, out_xlsx, out_report]
    named = [Path(register), *([template_path] if template_path else [])]
    every = [*targets, *([out_pdf] if out_pdf else [])]
    every += public_paths
    check_targets(every, named)  # before the returns are read: a mistake shows at once
    previous = previous_of(store, reg, period)  # a broken history stops here too
    result = _merge_inputs(
        paths, reg, period, normalize_numbering, jobs, checked.extra_keys, previous
    )
    require_columns(checked, result)
    check_targets(every, result.inputs())
    edition = None
    if public_paths:
        withheld, notices = public_withheld(result)
        edition = PublicEdition(*public_paths, withheld)
        for notice in notices:
            say(f"提示：{notice}")
    kept = write_merge_outputs(
        result, *targets, template_path, jobs=jobs, pdf=out_pdf, public=edition
    )
    _say_kept(kept)
    outputs: dict[str, Any] = {
        "docx": str(out_docx),
        "xlsx": str(out_xlsx),
        "report": str(out_report),
        "pdf": str(out_pdf) if out_pdf else None,
        "public": (
            {
                "docx": str(edition.docx),
                "pdf": str(edition.pdf),
                "withheld_columns": edition.withheld.names,
            }
            if edition
            else None
        ),
        "kept": _kept_json(kept),
    }
    recorded = record(store, result)  # the merge's result; the register's copy is an export
    if update_register:
        from toolkit.summary.register_sheet import update_register_file  # openpyxl: only here

        update = update_register_file(result)
        if update.backup is None:
            outputs["register_results"] = str(update.path)
            say(
                f"登记表 {reg.path.name} 含有{'、'.join(update.kept)}，改写会丢失这些内容，未改动；"
                f"{period.label}结果另存为 {update.path.name}（在登记表旁边）。"
            )
        else:
            outputs["register_backup"] = str(update.backup)
            say(f"已把{period.label}结果写入登记表，原文件备份为 {update.backup.name}")
    if as_json:
        emit_json({**_json_result(result, due, outputs), "history": recorded})
    else:
        for path in every:
            click.echo(str(path))
    tell_previous(previous, forms=False)
    for line in summary_lines(result):
        say(line)


@cli.command("report")
@_RETURNS_ARG
@_REGISTER_OPT
@click.option("--quarter", "-q", type=QUARTER, required=True, help="季度：1–4。")
@register_options
@DEADLINE_OPTION
@click.option(
    "--out",
    "-o",
    metavar="通报.docx",
    help="督查通报 Word 文件（可省略 .docx）；默认 输出/年度Q季度/ 下。",
)
@click.option("--template", "-t", metavar="模板.docx", help="自定义督查通报模板；默认用内置模板。")
@click.option(
    "--pdf",
    "with_pdf",
    is_flag=True,
    help="同时用 LibreOffice 把通报转为 PDF（与 --out 同名 .pdf）；需安装 LibreOffice。",
)
@history_options
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出通报的内容（到标准输出）。")
@JOBS_OPTION
@help_option
def report_command(
    paths: tuple[str, ...],
    register: str,
    quarter: int,
    year: int | None,
    region: str | None,
    allow_new_units: bool,
    deadline: str | None,
    history: str | None,
    no_history: bool,
    out: str | None,
    template: str | None,
    with_pdf: bool,
    as_json: bool,
    jobs: int | None,
) -> None:
    """生成本季度的督查通报草稿（Word）：总体情况和占比、各民生事项的统计和图表、
    进度滞后项目名单（附件1），未报送、逾期报送和需退回修改的单位（附件2）。

    通报中的数字、名单和日期都来自与 toolkit merge 相同的汇总，与一览表一致；文字可在 Word 中修改后印发。
    是否按时报送按截止日期判断（--deadline，或登记表「设置」中的“第三季度报送截止日期”）；
    收到时间取回收表的文件时间，工作台保存的文件取上传时间。
    连续两个季度滞后的项目和各单位本年度的报送及时率，取报送历史（默认 输出/报送历史.sqlite）
    中本年度之前各季度的汇总结果；之前各季度的截止日期取登记表「设置」。

    \b
    示例：
      toolkit report 回收表/ -r 登记表.xlsx -q 3
      toolkit report 回收表/ -r 登记表.xlsx -q 3 --deadline 2023-10-10 --pdf
      toolkit report 报送工作/2023Q3/回收表 -r 报送工作/登记表.xlsx -q 3 -o 通报.docx --json
      toolkit report 回收表/ -r 登记表.xlsx -q 3 --history 输出/报送历史.sqlite
    """
    from datetime import date

    from toolkit.forms import schema
    from toolkit.office.fileset import check_targets
    from toolkit.register.model import resolve_period
    from toolkit.supervision.document import report_file_name, write_report
    from toolkit.supervision.model import build_report
    from toolkit.supervision.year import history_records
    from toolkit.templating.gate import require_passing

    template_path = _existing_file(template, "模板") if template else None
    require_passing(template_path, schema.REPORT)
    store = history_file(history, no_history)
    reg = read_register(register, year, region, allow_new_units)
    period = resolve_period(reg, quarter, year)
    due = resolve_deadline(reg, period, deadline)
    today = date.today()
    earlier = history_records(store, reg, period, today) if store else []
    previous = previous_of(store, reg, period)
    default = Path("输出") / period.key / report_file_name(reg.region, period, ".docx")
    out_docx = output_path(out, default, ".docx", "--out")
    out_pdf = out_docx.with_suffix(".pdf") if with_pdf else None
    every = [out_docx, *([out_pdf] if out_pdf else [])]
    check_targets(every, [Path(register), *([template_path] if template_path else [])])
    result = _merge_inputs(paths, reg, period, jobs=jobs, previous=previous)
    check_targets(every, result.inputs())
    facts = build_report(result, deadline=due, today=today, earlier=earlier)
    files = write_report(facts, out_docx, template_path, pdf=out_pdf)
    _say_kept(files.kept)
    for w in files.warnings:
        say(f"提示：{w}")
    if as_json:
        data = _json_result(
            result,
            due,
            {
                "docx": str(out_docx),
                "pdf": str(out_pdf) if out_pdf else None,
                "kept": _kept_json(files.kept),
            },
        )
        data["report"] = _report_json(facts)
        emit_json(data)
    else:
        for path in every:
            click.echo(str(path))
    c = facts.counts
    say(
        f"已生成{period.label}督查通报草稿：共{facts.stats['total']}个项目，"
        f"进度滞后、严重滞后 {len(facts.lagging)} 行（附件1）；应报送单位{c['应报送']}个，"
        f"附件2列出 {len(facts.standings)} 个单位。"
    )


def _report_json(facts: Any) -> dict[str, Any]:
    """What the 通报 says, as data: the statistics, the lagging lines and the units listed."""
    return {
        "statistics": facts.stats,
        "matters": [
            {"name": m.label, "item": m.item, "statistics": m.stats} for m in facts.matters
        ],
        "lagging": [vars(line) for line in facts.lagging],
        "unit_counts": facts.counts,
        "standings": [
            {
                "unit": s.unit,
                "situations": list(s.situations),
                "date": s.day.isoformat() if s.day else None,
                "note": s.note,
            }
            for s in facts.standings
        ],
        "previous_period": facts.previous.key if facts.previous else None,
        # None: no record of the quarter before, so repeat laggards were not judged.
        "repeats": [vars(line) for line in facts.repeats] if facts.previous_known else None,
        "timeliness_periods": [p.key for p in facts.periods],
        "timeliness_rates": [r.as_dict() for r in facts.rates],
    }


cli.add_command(serve)
cli.add_command(template)
cli.add_command(register_group)
cli.add_command(docs)
cli.add_command(inspect)
cli.add_command(history_command)
cli.add_command(annual)


def main() -> None:
    """Console entry point (`toolkit`, `python -m toolkit`)."""
    cli()
