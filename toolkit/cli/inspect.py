"""`toolkit inspect`: what a .docx or .xlsx carries besides what it shows."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.cli.base import CONTEXT, Command, emit_json, help_option, say
from toolkit.errors import ReturnError, ToolkitError, UsageError

_SUFFIXES = (".docx", ".docm", ".xlsx", ".xlsm")


@click.command("inspect", cls=Command, context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, metavar="文件.docx/.xlsx...")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（到标准输出）。")
@help_option
def inspect(paths: tuple[str, ...], as_json: bool) -> None:
    """列出 Word（.docx）或 Excel（.xlsx）文件中看不见的信息：作者、单位、自定义属性
    （包括 WPS 写入的 KSO 开头的属性）、批注、修订、隐藏文字、编辑记录等，公开前用来检查。

    标“！”的各项不宜公开，一览表的公开版（toolkit merge --public）都已去掉。
    退出码：0 没有不宜公开的信息；1 有（或文件无法读取）；2 命令用法错误。

    \b
    示例：
      toolkit inspect 一览表（公开版）.docx
      toolkit inspect 登记表.xlsx 通报.docx --json
    """
    from toolkit.office.metadata import inspect_package

    files = [Path(p) for p in paths]
    for path in files:
        if not path.is_file():
            raise UsageError(f"找不到文件：{path}")
        if path.suffix.lower() not in _SUFFIXES:
            raise UsageError(
                f"{path.name} 不是 .docx 或 .xlsx 文件。",
                hint="只能查看 Word（.docx、.docm）和 Excel（.xlsx、.xlsm）文件；"
                ".doc、.xls 请先另存为新格式。",
            )
    found = {}
    for path in files:
        try:
            found[path] = inspect_package(path)
        except ReturnError as exc:
            raise ToolkitError(f"{path.name} 无法读取：{exc.message}") from None
    private = sum(not item.public for items in found.values() for item in items)
    if as_json:
        emit_json(
            [
                {"file": str(path), "items": [item.as_dict() for item in items]}
                for path, items in found.items()
            ]
        )
    else:
        for n, (path, items) in enumerate(found.items()):
            if n:
                click.echo("")
            click.echo(f"{path}：")
            if not items:
                click.echo("  （没有文档属性和其他信息）")
            for item in items:
                mark = "  " if item.public else "！"
                click.echo(f"{mark}[{item.group}] {item.name}：{item.value}")
    if private:
        say(
            f"发现 {private} 项不宜公开的信息（标“！”的）。一览表的公开版用 toolkit merge --public 生成。"
        )
        raise click.exceptions.Exit(1)
    say("没有发现不宜公开的信息。")
