"""The template context, defined once.

Each variable a template may use, with its type, a Chinese description and a
sample value. The renderer builds contexts with exactly these names,
`toolkit template check` accepts exactly these names, `toolkit template
fields` lists them and docs/templates.md is generated from them, so the
four cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FORM = "form"
SUMMARY = "summary"
KINDS = (FORM, SUMMARY)


@dataclass(frozen=True)
class Field:
    name: str  # dotted path; `rows[].id` is an attribute of each item of `rows`
    type: str  # in Chinese, for maintainers
    description: str
    sample: Any


_PERIOD_FIELDS = (
    Field("region", "文本", "地区（登记表「设置」中的 地区）", "龙华区"),
    Field("year", "整数", "年度", 2023),
    Field("quarter", "整数", "季度（1–4）", 3),
    Field("quarter_cn", "文本", "季度的中文数字", "三"),
    Field("period_label", "文本", "报送期", "2023年第三季度"),
    Field("period_end", "文本", "季末日期", "2023年9月30日"),
)

_ROW_REGISTER_FIELDS = (
    Field("matter", "文本", "民生事项（同一件的各行相同）", "广泛实施社区民生微实事"),
    Field("item", "文本", "件号（序号中横线前的部分）", "40"),
    Field("id", "文本", "序号，与登记表完全一致", "40"),
    Field("name", "文本", "项目名称", "社区民生微实事审核项目"),
    Field("annual_target", "文本", "年度目标", "2023年审核完成各类社区民生微实事项目800个。"),
    Field(
        "quarter_target",
        "文本",
        "本季度目标（登记表中对应季度的目标）",
        "全面推进民生微实事项目开展。",
    ),
    Field("lead", "文本", "主办单位（登记表原文）", "区委组织部、民政局、各街道"),
    Field("co", "文本", "协办单位（登记表原文）", "/"),
    Field("extra", "字典", "登记表「项目」中的其他列，按列名取值，如 row.extra['责任人']", {}),
)

FORM_FIELDS: tuple[Field, ...] = (
    *_PERIOD_FIELDS,
    Field("title", "文本", "表名", "龙华区2023年第三季度民生实事项目进展情况表"),
    Field("unit", "文本", "填报单位", "民治街道"),
    Field(
        "form_id",
        "文本",
        "表单编号（同时写入文档属性，用于识别回收表）",
        "2023Q3-民治街道-1a2b3c4d",
    ),
    Field("evaluations", "列表", "进度评价可选值", ["已完成", "正常推进", "进度滞后", "严重滞后"]),
    Field(
        "evaluations_text",
        "文本",
        "进度评价可选值，以“ / ”连接",
        "已完成 / 正常推进 / 进度滞后 / 严重滞后",
    ),
    Field("max_chars", "整数", "每格字数上限（不计空白）", 300),
    Field("rows", "列表", "本单位主办的项目，按登记表顺序", []),
    *(Field(f"rows[].{f.name}", f.type, f.description, f.sample) for f in _ROW_REGISTER_FIELDS),
)

SUMMARY_FIELDS: tuple[Field, ...] = (
    *_PERIOD_FIELDS,
    Field("title", "文本", "表名", "龙华区2023年第三季度民生实事项目进展情况一览表"),
    Field("legend", "列表", "进度评价图例，每项有 name、mark（着色的▋或文字）", []),
    Field("legend[].name", "文本", "评价名称", "正常推进"),
    Field("legend[].mark", "富文本", "图例标记，用 {{r item.mark }} 插入", "▋"),
    Field("stats", "字典", "统计：total、已完成、正常推进、进度滞后、严重滞后、未报送 的项数", {}),
    Field(
        "stats_text",
        "文本",
        "统计行",
        "共9项：已完成2项，正常推进6项，进度滞后0项，严重滞后0项，未报送1项",
    ),
    Field("groups", "列表", "按民生事项分组的项目，按登记表顺序；用外层循环实现纵向合并", []),
    Field("groups[].matter", "文本", "民生事项", "广泛实施社区民生微实事"),
    Field("groups[].item", "文本", "件号", "40"),
    Field("groups[].rows", "列表", "该民生事项下的项目", []),
    *(
        Field(f"groups[].rows[].{f.name}", f.type, f.description, f.sample)
        for f in _ROW_REGISTER_FIELDS
    ),
    Field(
        "groups[].rows[].progress",
        "文本",
        "进展情况；多个主办单位时按单位分段，未报送的写“未报送”",
        "……",
    ),
    Field("groups[].rows[].plan", "文本", "存在问题及下一步工作计划（分段同上）", "……"),
    Field(
        "groups[].rows[].evaluation",
        "文本",
        "进度评价（多个单位取最落后的一项；未报送为“未报送”）",
        "正常推进",
    ),
    Field(
        "groups[].rows[].evaluation_mark",
        "富文本",
        "进度评价标记：已完成写文字，其余为着色▋，用 {{r row.evaluation_mark }} 插入",
        "▋",
    ),
    Field("groups[].rows[].status", "文本", "报送状态：已报送 / 部分报送 / 未报送", "已报送"),
    Field(
        "groups[].rows[].entries",
        "列表",
        "各主办单位的填报，按登记表单位顺序：unit、label、status、progress、plan、evaluation",
        [],
    ),
)

FIELDS = {FORM: FORM_FIELDS, SUMMARY: SUMMARY_FIELDS}


def top_level_names(kind: str) -> set[str]:
    return {f.name for f in FIELDS[kind] if "." not in f.name}


def attribute_names(kind: str, path: str) -> set[str]:
    """Attributes of the items of a list variable, e.g. ('summary', 'groups[].rows')."""
    prefix = path + "[]."
    return {
        f.name[len(prefix) :].split(".", 1)[0] for f in FIELDS[kind] if f.name.startswith(prefix)
    }
