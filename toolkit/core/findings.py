"""Findings: what is missing or wrong in the returns, one stable code each.

Codes are part of the interface (`--json`, 问题清单.xlsx, docs/checks.md):
never rename one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"
LEVEL_LABELS = {ERROR: "错误", WARNING: "提示"}

# code -> (default level, Chinese name)
CODES: dict[str, tuple[str, str]] = {
    "missing_return": (ERROR, "未报送"),
    "unreadable": (ERROR, "文件无法读取"),
    "duplicate_return": (WARNING, "重复报送"),
    "wrong_period": (ERROR, "报送期不符"),
    "unknown_unit": (ERROR, "无法识别填报单位"),
    "no_table": (ERROR, "找不到项目表"),
    "unknown_row": (WARNING, "登记表中没有的序号"),
    "foreign_row": (WARNING, "其他单位主办的项目"),
    "duplicate_row": (WARNING, "同一序号出现多次"),
    "missing_row": (ERROR, "缺少项目行"),
    "prefilled_changed": (WARNING, "改动了预填内容"),
    "empty_progress": (ERROR, "未填进展情况"),
    "too_long": (ERROR, "超过字数上限"),
    "numbering": (WARNING, "条目编号不规范"),
    "numbering_normalized": (WARNING, "已统一条目编号"),
    "missing_evaluation": (ERROR, "未填进度评价"),
    "invalid_evaluation": (ERROR, "进度评价不规范"),
    "register_changed": (WARNING, "登记表在分发后有改动"),
    "blank_form": (ERROR, "只交了空白表"),
    "identity_conflict": (WARNING, "身份信息不一致"),
    "skipped_file": (ERROR, "文件未读取"),
    "external_link": (WARNING, "引用了文件以外的内容"),
    "continuation_row": (WARNING, "无序号的行已并入上一行"),
    "summary_row": (WARNING, "合计行未汇总"),
    "split_column": (WARNING, "一列分成了几列"),
    "unused_column": (WARNING, "未汇总的列"),
    "struck_text": (WARNING, "删除线文字未汇总"),
    "unread_content": (WARNING, "图片等内容未汇总"),
    # Hints of the reviewer (toolkit.returns.review): against the targets and last quarter.
    "unchanged_text": (WARNING, "与上季度内容相同"),
    "commitment_not_mentioned": (WARNING, "上季度承诺事项未提及"),
    "evaluation_raised_same_text": (WARNING, "评价提高但进展未变"),
    "completed_but_unfinished": (WARNING, "已完成但仍有未完成说法"),
    "completed_before_milestone": (WARNING, "已完成早于年度目标节点"),
    "q4_not_completed": (WARNING, "第四季度未完成"),
    "target_due_on_track": (WARNING, "本季度应完成却评价为正常推进"),
    "reference_changed": (WARNING, "改动了上季度参考栏"),
}


@dataclass(frozen=True)
class Finding:
    code: str
    level: str
    unit: str | None
    id: str | None  # the 序号, when the finding is about one row
    file: str | None
    message: str

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


def finding(
    code: str,
    message: str,
    *,
    unit: str | None = None,
    id: str | None = None,
    file: str | None = None,
    level: str | None = None,
) -> Finding:
    default_level, _ = CODES[code]
    return Finding(code, level or default_level, unit, id, file, message)
