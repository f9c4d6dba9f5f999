"""`toolkit register …`: commands about the register itself."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.cli.base import CONTEXT, QUARTER, Group, emit_json, help_option, say
from toolkit.errors import OutputError


@click.group("register", cls=Group, context_settings=CONTEXT)
@help_option
def register() -> None:
    """登记表：从上一季度的一览表建立登记表。

    登记表的格式见 toolkit docs 登记表。

    \b
    示例：
      toolkit register from-summary 一览表.docx -o 登记表.xlsx
    """


@register.command("from-summary")
@click.argument("summary", metavar="一览表.docx")
@click.option(
    "--out",
    "-o",
    metavar="登记表.xlsx",
    help="要建立的登记表；默认为一览表所在文件夹中的 登记表.xlsx。",
)
@click.option(
    "--quarter", "-q", type=QUARTER, help="一览表是哪个季度的；默认按标题或“第N季度目标”列判断。"
)
@click.option("--region", metavar="地区", help="地区，如 龙华区；默认取一览表标题中的地区。")
@click.option("--force", "-f", is_flag=True, help="覆盖已有的同名登记表。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（到标准输出）。")
@help_option
def from_summary(
    summary: str,
    out: str | None,
    quarter: int | None,
    region: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """用已有的一览表（Word）建立登记表：没有 Excel 登记表时，从上一季度的一览表开始。

    一览表可以是各单位报送后汇总的原表，也可以是本工具生成的一览表。
    民生事项（包括纵向合并的）、序号、项目名称、年度目标、本季度目标、主办单位
    （多个单位、“各街道”、“民治街道（工务）”这样的科室标注照原样）、协办单位和其他列
    都写入登记表的「项目」工作表；主办单位中的单位写入「单位」工作表，地区和年度写入「设置」。
    没有序号、项目名称或主办单位的行不写入，逐行列出。

    \b
    示例：
      toolkit register from-summary 一览表.docx -o 登记表.xlsx
      toolkit register from-summary 三季度一览表.docx -o 登记表.xlsx --quarter 3 --region 龙华区
    """
    from toolkit.core.rules import QUARTER_CN
    from toolkit.register.from_summary import read_summary, write_register

    source = Path(summary)
    target = Path(out) if out else source.with_name("登记表.xlsx")
    if target.exists() and not force:
        raise OutputError(
            f"{target} 已存在，未做任何改动。", hint="换一个 --out，或加 --force 覆盖。"
        )
    found = read_summary(source, quarter=quarter)
    if region:
        found.region = region.strip()
    write_register(found, target)
    for line in found.skipped:
        say(f"未写入：{line}")
    for notice in found.notices:
        say(f"提示：{notice}")
    if not found.region:
        say("提示：一览表标题中没有地区，请在登记表「设置」中填写“地区”，或使用时加上 --region。")
    if as_json:
        emit_json(
            {
                "register": str(target),
                "region": found.region,
                "year": found.year,
                "quarter": found.quarter,
                "projects": [r["id"] for r in found.rows],
                "units": [name for name, _, _ in found.units],
                "skipped": found.skipped,
                "notices": found.notices,
            }
        )
    else:
        click.echo(str(target))
    say(
        f"已从 {source.name} 建立登记表 {target.name}：{len(found.rows)} 个项目、"
        f"{len(found.units)} 个单位，第{QUARTER_CN[found.quarter]}季度目标已填入"
        + (f"；{len(found.skipped)} 行未写入（见上）。" if found.skipped else "。")
    )
