"""A quarter that makes the 一览表 long: many joint projects, every unit reporting at length.

The seed's nine projects (40 is led by 区委组织部、民政局、各街道: eight
units) and thirty more: ten led by 各街道 or two departments, 序号 such as
`31-11` and `10-3-2`, long names and targets. Every unit returns its form
with a progress of 200–290 characters in numbered items and a plan of
100–240, so that a joint project's text runs over several pages.
"""

from __future__ import annotations

import random
from pathlib import Path

from support import seed
from support.cli import invoke
from support.fill import fill_form
from support.registers import seed_rows, write_register

PHRASES = (
    "已完成项目立项和可行性研究报告编制",
    "完成施工图设计并通过专家评审",
    "主体结构施工完成工程量的百分之八十",
    "组织社区居民召开意见征集会三场",
    "累计服务辖区群众一千二百余人次",
    "与区住建局、街道办协调解决用地问题",
    "完成招标采购程序并签订施工合同",
    "开展安全生产专项检查两次，整改隐患十五处",
    "配套道路管网迁改工作同步推进",
    "受雨季影响，室外工程进度有所滞后",
    "资金拨付进度偏慢，已申请追加预算",
    "下一步将加快推进设备安装调试",
    "计划于十月底前完成竣工验收并投入使用",
    "加强与协办单位的沟通，形成工作合力",
    "持续做好宣传引导，提升群众知晓率和满意度",
    "建立周调度机制，倒排工期、挂图作战",
)
EVALUATIONS = ("已完成", "正常推进", "正常推进", "进度滞后", "严重滞后")


def numbered(rng: random.Random, low: int, high: int) -> str:
    """Numbered items (`1.…`), `low`–`high` characters in all."""
    target = rng.randint(low, high)
    items: list[str] = []
    while sum(len(i) + 1 for i in items) < target - 25:
        items.append(f"{len(items) + 1}.{rng.choice(PHRASES)}，{rng.choice(PHRASES)}。")
    return "\n".join(items)


def extra_rows() -> list[list[str]]:
    """Thirty more projects: every third a joint one, some 序号 of three parts."""
    rng = random.Random(17)
    rows = []
    leads = seed.UNITS
    for n in range(30):
        item = 50 + n // 3
        pid = f"{item}-{n % 3 + 1}" if n % 7 else f"{item}-{n % 3 + 1}-2"
        if n % 3 == 0:
            lead = "各街道" if n % 2 == 0 else "区委组织部、民政局"
        else:
            lead = leads[n % len(leads)]
        matter = f"民生事项第{item}件：{rng.choice(PHRASES)}" if n % 3 == 0 else ""
        name = f"{rng.choice(PHRASES)}（{pid}）"
        annual = "。".join(rng.choice(PHRASES) for _ in range(2)) + "。"
        rows.append([matter, pid, name, annual, "", "", rng.choice(PHRASES) + "。", "", lead, "/"])
    return rows


def write_long_register(path: Path) -> Path:
    return write_register(path, [*seed_rows(), *extra_rows()])


def long_quarter(root: Path, *, defects: bool = False) -> tuple[Path, Path]:
    """(register, folder of returns): every unit's form generated and filled at length.

    With `defects`, about half the rows have what the checks report: items
    numbered `1、`, no 进度评价, a progress over 300 characters.
    """
    register = write_long_register(root / "登记表.xlsx")
    done = invoke("generate", register, "-q", "3", "-o", root / "forms")
    assert done.exit_code == 0, done.stderr
    returns = root / "returns"
    returns.mkdir()
    rng = random.Random(3)
    for form in sorted((root / "forms").glob("*.docx")):
        unit = next(u for u in seed.UNITS if f"（{u}）" in form.name)
        fills = {
            pid: {
                "进展情况": numbered(rng, 200, 290),
                "存在问题及下一步工作计划": numbered(rng, 100, 240),
                "进度评价": rng.choice(EVALUATIONS),
            }
            for pid in _form_ids(form)
        }
        for row in fills.values() if defects else ():
            roll = rng.random()
            if roll < 0.2:
                row["进展情况"] = row["进展情况"].replace(".", "、")
            elif roll < 0.35:
                row["进度评价"] = ""
            elif roll < 0.5:
                row["进展情况"] += "\n" + numbered(rng, 120, 160)
        fill_form(form, returns / f"{unit}-回收.docx", fills)
    return register, returns


def _form_ids(form: Path) -> list[str]:
    from toolkit.returns.reader import read_return

    return [row.id for row in read_return(form).rows]
