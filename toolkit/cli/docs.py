"""`toolkit docs`: the user documentation, as installed with the toolkit."""

from __future__ import annotations

import click

from toolkit.cli.base import CONTEXT, Command, help_option
from toolkit.errors import UsageError


@click.command("docs", cls=Command, context_settings=CONTEXT)
@click.argument("topic", required=False, metavar="[主题]")
@click.option("--open", "open_file", is_flag=True, help="用电脑上的默认程序打开文档。")
@click.option("--path", "show_path", is_flag=True, help="只显示文档文件在本机的位置。")
@help_option
def docs(topic: str | None, open_file: bool, show_path: bool) -> None:
    """查看随工具安装的说明文档：登记表格式、检查规则、模板维护、工作台、退出码等。

    不写主题时列出全部文档；写主题时在屏幕上显示该文档（Markdown 文本）。
    主题可以写中文名称（如 模板、登记表）或文件名（如 templates）。

    \b
    示例：
      toolkit docs
      toolkit docs 模板
      toolkit docs 登记表 --open
    """
    from toolkit.docs import TOPICS, find

    if topic is None:
        for t in TOPICS:
            click.echo(f"{t.names[0]}\t{t.title}（toolkit docs {t.names[0]}）")
        return
    found = find(topic)
    if found is None:
        raise UsageError(
            f"没有主题为“{topic}”的文档。",
            hint=f"可用的主题：{'、'.join(t.names[0] for t in TOPICS)}。",
        )
    path = found.path()
    if show_path:
        click.echo(str(path))
    elif open_file:
        click.launch(str(path))
    else:
        click.echo(path.read_text(encoding="utf-8"))
