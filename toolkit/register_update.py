"""`merge --update-register`: write the quarter's results back into the register.

The register is the office's own file, so: refuse while Excel holds it open,
make a timestamped backup first, write a new sheet per period (replacing
only that period's sheet), and save atomically.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl

from toolkit.errors import OutputError
from toolkit.merging import MergeResult
from toolkit.summary import build_rows
from toolkit.xlsx_out import save_workbook, write_table


def results_sheet_name(result: MergeResult) -> str:
    return f"{result.period.key}进展"


def update_register_file(result: MergeResult) -> Path:
    """Returns the backup's path."""
    path = result.register.path
    lock = path.with_name("~$" + path.name)
    if lock.exists():
        raise OutputError(
            f"登记表 {path.name} 正在 Excel 中打开（发现 {lock.name}），未写入。",
            hint="关闭 Excel 中的登记表后重新运行。",
        )
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.stem}.备份-{stamp}{path.suffix}")
    shutil.copy2(path, backup)
    wb = openpyxl.load_workbook(path)
    name = results_sheet_name(result)
    if name in wb.sheetnames:
        del wb[name]
    ws = wb.create_sheet(name)
    write_table(
        ws,
        [
            "序号",
            "项目名称",
            "主办单位",
            "进展情况",
            "存在问题及下一步工作计划",
            "进度评价",
            "报送状态",
        ],
        (
            [
                r.project.id,
                r.project.name,
                r.project.lead,
                r.progress,
                r.plan,
                r.evaluation,
                r.status,
            ]
            for r in build_rows(result)
        ),
        widths=[8, 30, 20, 60, 40, 10, 10],
    )
    save_workbook(wb, path)
    return backup
