"""A year of quarters: the seed register with a target for every quarter, and what two
units report each quarter, different every time (so no copied-text hint fires)."""

from __future__ import annotations

from pathlib import Path

from support import seed
from support.registers import seed_rows, write_register

# Units that report every quarter; the others never do (their rows read 未报送).
REPORTING = ("民治街道", "民政局")
EVALUATIONS = {1: "正常推进", 2: "进度滞后", 3: "正常推进", 4: "已完成"}
TARGETS = {1: "开展前期工作。", 2: "完成工程量50%。", 4: "完工并投入使用。"}


def year_register(path: Path) -> Path:
    """The seed's projects with a target in every quarter (the seed's own in the third)."""
    rows = []
    for row in seed_rows():
        q3 = row[6] or "完成工程量80%。"
        rows.append([*row[:4], TARGETS[1], TARGETS[2], q3, TARGETS[4], *row[8:]])
    return write_register(path, rows)


def progress(quarter: int, unit: str, pid: str) -> str:
    n = seed.IDS.index(pid) + 1
    text = (
        f"1.第{quarter}季度{unit}推进序号{pid}，累计完成投资{quarter * 100 + n}万元。\n"
        f"2.召开协调会{quarter * 10 + n}次，解决问题{quarter + n}项。"
    )
    # Last quarter's plan promised the next batch: say it is done.
    return text + (f"\n3.第{quarter}批验收已完成。" if quarter > 1 else "")


def plan(quarter: int, unit: str, pid: str) -> str:
    month = quarter * 3 + 2 if quarter < 4 else 12
    return f"1.资金拨付进度偏慢。\n2.下一步：{month}月底前完成第{quarter + 1}批验收。"


def evaluation(quarter: int, pid: str) -> str:
    # Row 40 stays on track all year; the others follow EVALUATIONS.
    return "正常推进" if pid == "40" and quarter == 4 else EVALUATIONS[quarter]


def fills(quarter: int, unit: str) -> dict[str, dict[str, str]]:
    """What `unit` types into its form of `quarter`: row -> column -> text."""
    ids = seed.IDS if unit == "民治街道" else ["40"]
    return {
        pid: {
            "进展情况": progress(quarter, unit, pid),
            "存在问题及下一步工作计划": plan(quarter, unit, pid),
            "进度评价": evaluation(quarter, pid),
        }
        for pid in ids
    }
