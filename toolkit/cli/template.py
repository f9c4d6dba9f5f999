"""`toolkit template …`: commands for the people who keep the Word templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from toolkit.cli.base import (
    CONTEXT,
    QUARTER,
    Group,
    emit_json,
    help_option,
    register_options,
    say,
)
from toolkit.errors import UsageError


class KindType(click.ParamType):
    name = "类型"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        from toolkit.forms import schema

        text = str(value).strip().lower()
        aliases = {
            "填报表": schema.FORM,
            "一览表": schema.SUMMARY,
            "通知": schema.NOTICE,
            "通报": schema.REPORT,
            "督查通报": schema.REPORT,
        }
        text = aliases.get(text, text)
        if text not in schema.KINDS:
            self.fail(
                f"模板类型应为 form（填报表）、summary（一览表）、notice（通知）或 report（督查通报），"
                f"收到“{value}”。",
                param,
                ctx,
            )
        return text


_KIND_OPT = click.option(
    "--kind",
    "-k",
    type=KindType(),
    help="模板类型：form（填报表）、summary（一览表）、notice（工作台发给单位的通知）"
    "或 report（督查通报）；"
    "检查和预览时默认按内容判断。",
)


def _existing(path: str) -> Path:
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"找不到模板文件：{path}")
    return p


@click.group("template", cls=Group, context_settings=CONTEXT)
@help_option
def template() -> None:
    """维护 Word 模板：列出可用变量、检查模板、生成预览。

    模板的编辑方法见 toolkit docs 模板。

    \b
    示例：
      toolkit template fields --kind form
      toolkit template check templates/form.docx
      toolkit template check 模板/notice-return.docx
      toolkit template preview 一览表模板.docx -o 预览.docx
    """


@template.command("fields")
@_KIND_OPT
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（到标准输出）。")
@click.option(
    "--markdown", is_flag=True, help="输出模板维护指南（toolkit docs 模板）中的变量表（Markdown）。"
)
@help_option
def fields(kind: str | None, as_json: bool, markdown: bool) -> None:
    """列出模板中可以使用的全部变量：写法、类型、说明和示例值。

    \b
    示例：
      toolkit template fields
      toolkit template fields --kind summary --json
    """
    from toolkit.forms import schema

    if markdown:
        click.echo(schema.fields_markdown())
        return
    kinds = [kind] if kind else list(schema.KINDS)
    if as_json:
        emit_json(
            {
                k: [
                    {
                        "name": f.name,
                        "usage": schema.usage(f.name),
                        "type": f.type,
                        "description": f.description,
                        "sample": schema.display_sample(f.sample),
                    }
                    for f in schema.FIELDS[k]
                ]
                for k in kinds
            }
        )
        return
    for n, k in enumerate(kinds):
        if n:
            click.echo("")
        click.echo(f"{schema.KIND_LABELS[k]}：")
        for f in schema.FIELDS[k]:
            click.echo(f"  {schema.usage(f.name)}（{f.type}）：{f.description}")
            click.echo(f"      示例：{schema.display_sample(f.sample)}")
    say("写法中 row.、group.、item.、entry. 开头的变量只能写在对应的循环内，见 toolkit docs 模板。")


@template.command("check")
@click.argument("path", metavar="模板.docx")
@_KIND_OPT
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出检查结果（到标准输出）。")
@help_option
def check(path: str, kind: str | None, as_json: bool) -> None:
    """检查 Word 模板：标签写法、变量名、表格循环，并按样例数据试渲染一次。

    每个问题都指出位置（如“第1个表格第4行第2列”“正文第3段”）、附近文字，
    以及在 Word、WPS、LibreOffice 中的修改方法；结论（检查通过或错误数）写在最后一行。
    退出码：0 没有错误；1 有错误；2 命令用法错误。

    \b
    示例：
      toolkit template check templates/form.docx
      toolkit template check 一览表模板.docx --kind summary --json
    """
    from toolkit.forms import schema
    from toolkit.templating.check import LEVEL_LABELS, check_template

    report = check_template(_existing(path), kind)
    if not report.ok:
        verdict = f"未通过检查：发现 {len(report.errors)} 个错误、{len(report.warnings)} 个提示。"
    elif report.warnings:
        verdict = f"检查通过：没有错误，有 {len(report.warnings)} 个提示。"
    else:
        verdict = "检查通过：没有发现问题。"
    if as_json:
        emit_json(report.as_dict())
        say(verdict)
    else:
        how = "按内容判断" if report.kind_detected else "由 --kind 指定"
        click.echo(f"模板：{path}（{schema.KIND_LABELS[report.kind]}，{how}）")
        for p in report.problems:
            where = f"{p.location}：" if p.location else ""
            click.echo(f"[{LEVEL_LABELS[p.level]}] {where}{p.message}")
            if p.snippet:
                click.echo(f"    附近文字：“{p.snippet}”")
            if p.fix:
                click.echo(f"    修改方法：{p.fix}")
        click.echo(verdict)  # with the report: `> 结果.txt` keeps it
    if not report.ok:
        raise click.exceptions.Exit(1)


@template.command("preview")
@click.argument("path", metavar="模板.docx")
@click.option("--out", "-o", required=True, metavar="预览.docx", help="预览文件。")
@_KIND_OPT
@click.option(
    "--register", "-r", metavar="登记表.xlsx", help="用登记表中的真实项目；默认用样例数据。"
)
@click.option("--quarter", "-q", type=QUARTER, help="季度：1–4（与 --register 一起使用）。")
@register_options
@click.option("--unit", "-u", metavar="单位", help="填报表预览哪个单位的表；默认第一个单位。")
@help_option
def preview(
    path: str,
    out: str,
    kind: str | None,
    register: str | None,
    quarter: int | None,
    year: int | None,
    region: str | None,
    allow_new_units: bool,
    unit: str | None,
) -> None:
    """用模板生成一份预览：填报表为一个单位的表，一览表为尚未收到回收表时的样子。

    \b
    示例：
      toolkit template preview templates/form.docx -o 预览.docx
      toolkit template preview 填报表模板.docx -r 登记表.xlsx -q 3 --unit 民治街道 -o 预览.docx
      toolkit template preview 一览表模板.docx -r 登记表.xlsx -q 3 -o 一览表预览.docx
    """
    from toolkit.forms import schema
    from toolkit.register.model import RegisterOptions
    from toolkit.templating.preview import render_preview

    reg = Path(register) if register else None
    if reg is not None and not reg.is_file():
        raise UsageError(f"找不到登记表文件：{register}")
    result = render_preview(
        _existing(path),
        Path(out),
        kind=kind,
        register=reg,
        quarter=quarter,
        year=year,
        unit=unit,
        options=RegisterOptions(region, year, allow_new_units),
    )
    click.echo(str(result.path))
    data = "登记表" if result.source == "register" else "样例数据"
    who = f"（{result.unit}）" if result.unit else ""
    what = {
        schema.FORM: "填报表",
        schema.SUMMARY: "一览表",
        schema.NOTICE: "通知",
        schema.REPORT: "督查通报",
    }[result.kind]
    say(f"已用{data}生成{what}预览{who}：{result.path}")
    if result.report.problems:
        say(
            f"模板检查发现 {len(result.report.errors)} 个错误、{len(result.report.warnings)} 个提示，"
            f"运行 toolkit template check {path} 查看。"
        )
