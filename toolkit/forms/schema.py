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
NOTICE = "notice"  # 退回修改意见, 催报通知, 报送材料不符合要求的通知: one template each
REPORT = "report"  # the 督查通报 draft
KINDS = (FORM, SUMMARY, NOTICE, REPORT)


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
    Field(
        "extra",
        "字典",
        "登记表「项目」中的其他列，按列名（去掉空格）取值，如 row.extra['责任人']",
        {"责任人": "张三"},
    ),
)
# In the 一览表, `extra` also carries the extra columns of the returns.
_SUMMARY_EXTRA = Field(
    "extra",
    "字典",
    "登记表「项目」中的其他列，以及回收表中多出的列（按表头文字，登记表已有的列以登记表为准），"
    "如 row.extra['责任人']",
    {"责任人": "张三"},
)

# The quarter before's texts of the unit, from the history: the 上季度填报（供参考） column.
_PREVIOUS_TEXT = (
    "进展情况：1.主体结构已完工。\n问题及计划：9月底前完成竣工验收。\n进度评价：正常推进"
)
_PREVIOUS_FIELDS = (
    Field(
        "rows[].previous",
        "字典",
        "本单位该项目上季度的填报，供填写时参考（来自报送历史，汇总时不读取这一列）",
        {"label": "第二季度", "text": _PREVIOUS_TEXT},
    ),
    Field("rows[].previous.label", "文本", "上一季度的名称（第一季度为空）", "第二季度"),
    Field("rows[].previous.progress", "文本", "上季度的进展情况", "1.主体结构已完工。"),
    Field(
        "rows[].previous.plan", "文本", "上季度的存在问题及下一步工作计划", "9月底前完成竣工验收。"
    ),
    Field("rows[].previous.evaluation", "文本", "上季度的进度评价", "正常推进"),
    Field(
        "rows[].previous.text",
        "文本",
        "参考栏的文字：上季度的进展情况、问题及计划（各最多 80 字，多的以“…”省略）、进度评价各占一行；"
        "没有上季度内容时为原因（如“第一季度，无上季度内容”“二季度未报送此项”）",
        _PREVIOUS_TEXT,
    ),
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
    Field("previous_label", "文本", "上一季度的名称（第一季度为空）", "第二季度"),
    Field(
        "previous_note",
        "文本",
        "没有上季度内容时的说明（没有报送历史、上季度未汇总、第一季度等）；有内容时为空",
        "",
    ),
    Field("rows", "列表", "本单位主办的项目，按登记表顺序", []),
    *(Field(f"rows[].{f.name}", f.type, f.description, f.sample) for f in _ROW_REGISTER_FIELDS),
    *_PREVIOUS_FIELDS,
)

SUMMARY_FIELDS: tuple[Field, ...] = (
    *_PERIOD_FIELDS,
    Field("title", "文本", "表名", "龙华区2023年第三季度民生实事项目进展情况一览表"),
    Field("legend", "列表", "进度评价图例，每项有 name、mark（着色的▋或文字）", []),
    Field("legend[].name", "文本", "评价名称", "正常推进"),
    Field("legend[].mark", "富文本", "图例标记，用 {{r item.mark }} 插入", "▋"),
    Field(
        "stats",
        "字典",
        "统计项数：total（合计）、已完成、正常推进、进度滞后、严重滞后、未报送、未评价，"
        "以及 部分报送（多个主办单位中有的未报送，不计入各评价），"
        "如 stats['未报送']",
        {
            "total": 9,
            "已完成": 2,
            "正常推进": 6,
            "进度滞后": 0,
            "严重滞后": 0,
            "未报送": 1,
            "未评价": 0,
            "部分报送": 0,
        },
    ),
    Field(
        "stats_text",
        "文本",
        "统计行",
        "共9项：已完成3项，正常推进5项，进度滞后0项，严重滞后0项，部分单位未报送1项，未报送0项",
    ),
    Field("groups", "列表", "按民生事项分组的项目，按登记表顺序；用外层循环实现纵向合并", []),
    Field("groups[].matter", "文本", "民生事项", "广泛实施社区民生微实事"),
    Field("groups[].item", "文本", "件号", "40"),
    Field(
        "groups[].rows",
        "列表",
        "该民生事项下表格的各行：一个主办单位的项目一行；多个主办单位的项目每个单位一行，"
        "每行都有序号和项目名称，项目自己的列（年度目标、季度目标、主办单位、协办单位、"
        "登记表的其他列）在这几行间纵向合并；一行的文字在一页放不下时接续到下一行，"
        "项目名称后注“（续）”",
        [],
    ),
    *(
        Field(f"groups[].rows[].{f.name}", f.type, f.description, f.sample)
        for f in (*_ROW_REGISTER_FIELDS[:-1], _SUMMARY_EXTRA)
    ),
    Field(
        "groups[].rows[].unit",
        "文本",
        "该行是谁的填报：多个主办单位的项目为该行的单位（含科室标注），否则同主办单位",
        "民治街道（工务）",
    ),
    Field(
        "groups[].rows[].progress",
        "文本",
        "进展情况；多个主办单位的项目以“单位：”开头，未报送的写“单位：未报送”",
        "……",
    ),
    Field("groups[].rows[].plan", "文本", "该行单位的存在问题及下一步工作计划", "……"),
    Field(
        "groups[].rows[].evaluation",
        "文本",
        "该行单位的进度评价（未报送为“未报送”）",
        "正常推进",
    ),
    Field(
        "groups[].rows[].evaluation_mark",
        "富文本",
        "进度评价标记：已完成、未报送写文字，其余为着色▋。用 {{r row.evaluation_mark }} 插入",
        "▋",
    ),
    Field("groups[].rows[].status", "文本", "该行单位的报送状态：已报送 / 未报送", "已报送"),
    Field(
        "groups[].rows[].first",
        "真假",
        "是否为项目的第一行（多个主办单位的项目只有第一行为真）",
        True,
    ),
    Field(
        "groups[].rows[].entries",
        "列表",
        "各主办单位的填报，按登记表单位顺序",
        [],
    ),
    Field("groups[].rows[].entries[].unit", "文本", "单位", "民治街道"),
    Field(
        "groups[].rows[].entries[].label",
        "文本",
        "登记表中的写法（含科室标注）",
        "民治街道（工务）",
    ),
    Field("groups[].rows[].entries[].status", "文本", "已报送 / 未报送", "已报送"),
    Field("groups[].rows[].entries[].progress", "文本", "该单位填写的进展情况", "……"),
    Field("groups[].rows[].entries[].plan", "文本", "该单位填写的存在问题及下一步工作计划", "……"),
    Field(
        "groups[].rows[].entries[].evaluation",
        "文本",
        "该单位的进度评价（未报送为“未报送”）",
        "正常推进",
    ),
)

# Who signs a notice or a 督查通报.
_ISSUER = Field(
    "issuer",
    "文本",
    "发文单位（登记表「设置」中的 发文单位，或工作台中填写的；都没有时为空）",
    "龙华区民生实事工作领导小组办公室",
)
NOTICE_FIELDS: tuple[Field, ...] = (
    *_PERIOD_FIELDS,
    Field("title", "文本", "通知的标题", "退回修改意见"),
    Field("unit", "文本", "主送单位（收到通知的单位）", "民治街道"),
    Field("form_title", "文本", "填报表的表名", "龙华区2023年第三季度民生实事项目进展情况表"),
    Field(
        "intro",
        "文本",
        "正文第一段：收到了什么、为什么发这份通知",
        "你单位报送的《龙华区2023年第三季度民生实事项目进展情况表》经审核，有以下问题需要修改：",
    ),
    Field(
        "findings",
        "列表",
        "该单位需要修改或注意的问题（退回修改意见），或报送不符合要求的原因；催报通知为空",
        [],
    ),
    Field("findings[].no", "整数", "编号，从 1 起", 1),
    Field("findings[].id", "文本", "项目序号（不针对某个项目时为“—”）", "10-3"),
    Field("findings[].kind", "文本", "问题类型", "超过字数上限"),
    Field("findings[].level", "文本", "须修改 / 请注意", "须修改"),
    Field(
        "findings[].message",
        "文本",
        "具体说明",
        "进展情况有 370 字，超过 300 字上限（不计空白）。",
    ),
    Field(
        "request",
        "文本",
        "要求（含截止日期，已设置时）",
        "请在原填报表上逐项修改后，于2023年10月10日前重新报送。",
    ),
    Field("deadline", "文本", "报送截止日期（未设置时为空）", "2023年10月10日"),
    _ISSUER,
    Field("date", "文本", "成文日期", "2023年10月8日"),
)

_STATS_SAMPLE = {
    "total": 9,
    "已完成": 2,
    "正常推进": 5,
    "进度滞后": 1,
    "严重滞后": 0,
    "未报送": 0,
    "未评价": 0,
    "部分报送": 1,
    "其他": 1,
}
REPORT_FIELDS: tuple[Field, ...] = (
    *_PERIOD_FIELDS,
    Field("title", "文本", "通报的标题", "关于龙华区2023年第三季度民生实事项目进展情况的通报"),
    _ISSUER,
    Field("date", "文本", "成文日期（生成通报的日期）", "2023年10月16日"),
    Field("deadline", "文本", "本季度报送截止日期（未设置时为空）", "2023年10月10日"),
    Field(
        "stats",
        "字典",
        "统计项数，与一览表相同：total（合计）、已完成、正常推进、进度滞后、严重滞后、未报送、"
        "未评价、部分报送，以及 其他（部分报送、未报送、未评价之和），如 stats['进度滞后']",
        _STATS_SAMPLE,
    ),
    Field(
        "stats_text",
        "文本",
        "统计行，与一览表的统计行相同",
        "共9项：已完成2项，正常推进5项，进度滞后1项，严重滞后0项，部分单位未报送1项，未报送0项",
    ),
    Field(
        "shares",
        "字典",
        "各项占合计的百分比（保留一位小数），键同 stats，如 shares['已完成']",
        {
            "已完成": "22.2%",
            "正常推进": "55.6%",
            "进度滞后": "11.1%",
            "严重滞后": "0.0%",
            "未报送": "0.0%",
            "未评价": "0.0%",
            "部分报送": "11.1%",
            "其他": "11.1%",
        },
    ),
    Field(
        "overall_text",
        "文本",
        "总体情况的一段话：项目总数，各评价的项数和占比",
        "龙华区2023年第三季度共有民生实事项目9项，其中已完成2项，占22.2%；……",
    ),
    Field("matters", "列表", "按民生事项的统计，按登记表顺序", []),
    Field("matters[].name", "文本", "民生事项（登记表中为空时写“第N件”）", "打造一批就业驿站"),
    Field("matters[].item", "文本", "件号", "10"),
    Field("matters[].stats", "字典", "该民生事项的统计项数，键同 stats", _STATS_SAMPLE),
    Field(
        "chart",
        "图片",
        "各民生事项进度评价的条形图（黑白打印也能分清：每种评价有各自的底纹，并标出项数），"
        "单独占一段，写 {{ chart }}；本机没有中文字体时为空",
        "（图片）",
    ),
    Field(
        "unit_counts",
        "字典",
        "单位报送情况的个数：应报送、已报送、按时报送、逾期报送、未报送、逾期未报送、"
        "报送材料不符合要求、退回修改，如 unit_counts['逾期报送']",
        {
            "应报送": 8,
            "已报送": 7,
            "按时报送": 6,
            "逾期报送": 1,
            "未报送": 1,
            "逾期未报送": 1,
            "报送材料不符合要求": 0,
            "退回修改": 1,
        },
    ),
    Field(
        "returns_text",
        "文本",
        "报送情况的一段话（设置了截止日期时含按时、逾期的个数）",
        "应报送单位8个，已报送7个（其中按时报送6个，逾期报送1个），未报送1个。",
    ),
    Field(
        "lagging",
        "列表",
        "附件1：进度评价为进度滞后、严重滞后的一览表各行（多个主办单位的项目按单位各一行）",
        [],
    ),
    Field("lagging[].no", "整数", "编号，从 1 起", 1),
    Field("lagging[].id", "文本", "序号", "10-4"),
    Field("lagging[].name", "文本", "项目名称", "北站壹号楼宇党群服务中心"),
    Field("lagging[].matter", "文本", "民生事项", "打造一批就业驿站"),
    Field("lagging[].unit", "文本", "主办单位（该行的单位）", "民治街道"),
    Field("lagging[].evaluation", "文本", "进度评价", "进度滞后"),
    Field("lagging[].progress", "文本", "该单位填写的进展情况", "1.主体结构已完工。"),
    Field(
        "lagging[].problem",
        "文本",
        "该单位填写的存在问题及下一步工作计划",
        "1.装修材料进场延迟。\n2.11月底前恢复正常进度。",
    ),
    Field(
        "lagging[].before",
        "文本",
        "上一季度该单位对该项目的评价也是进度滞后、严重滞后时为该评价（连续滞后），否则为空",
        "进度滞后",
    ),
    Field(
        "lagging_text",
        "文本",
        "进度滞后情况的一句话",
        "进度滞后1项、严重滞后0项，涉及1个单位（项目名单及存在问题见附件1）。",
    ),
    Field("standings", "列表", "附件2：未报送、逾期报送、需退回修改的单位，按登记表单位顺序", []),
    Field("standings[].no", "整数", "编号，从 1 起", 1),
    Field("standings[].unit", "文本", "单位", "观湖街道"),
    Field(
        "standings[].situation",
        "文本",
        "情况：未报送、逾期未报送、逾期报送、报送材料不符合要求、退回修改（可有几项，以顿号分隔）",
        "逾期报送、退回修改",
    ),
    Field("standings[].date", "文本", "收到回收表或发出通知的日期（没有时为空）", "2023年10月12日"),
    Field("standings[].note", "文本", "说明", "截止日期后2天报送；3处须修改"),
    Field("previous_label", "文本", "上一季度（第一季度时为空）", "2023年第二季度"),
    Field(
        "repeats",
        "列表",
        "上一季度和本季度连续进度滞后、严重滞后的行（附件1 中的行，同一单位的同一项目），"
        "没有上一季度的汇总结果时为空",
        [],
    ),
    Field("repeats[].no", "整数", "编号，从 1 起", 1),
    Field("repeats[].id", "文本", "序号", "10-4"),
    Field("repeats[].name", "文本", "项目名称", "北站壹号楼宇党群服务中心"),
    Field("repeats[].matter", "文本", "民生事项", "打造一批就业驿站"),
    Field("repeats[].unit", "文本", "主办单位（该行的单位）", "民治街道"),
    Field("repeats[].before", "文本", "上一季度的进度评价", "进度滞后"),
    Field("repeats[].evaluation", "文本", "本季度的进度评价", "严重滞后"),
    Field("repeats[].progress", "文本", "本季度填写的进展情况", "1.主体结构已完工。"),
    Field(
        "repeats[].problem", "文本", "本季度填写的存在问题及下一步工作计划", "装修材料进场延迟。"
    ),
    Field(
        "repeats_text",
        "文本",
        "连续滞后情况的一句话（没有上一季度的汇总结果时说明未判断）",
        "2023年第二季度和本季度连续进度滞后、严重滞后的项目1项次，涉及1个单位。",
    ),
    Field(
        "rates",
        "列表",
        "附件3：各单位本年度到本季度为止的报送及时率，按登记表单位顺序；"
        "没有已过截止日期的季度时为空",
        [],
    ),
    Field("rates[].no", "整数", "编号，从 1 起", 1),
    Field("rates[].unit", "文本", "单位", "观湖街道"),
    Field("rates[].due", "整数", "应按时报送的次数（已过截止日期的季度数）", 3),
    Field("rates[].on_time", "整数", "按时报送的次数", 2),
    Field("rates[].late", "整数", "逾期报送的次数", 1),
    Field("rates[].overdue", "整数", "逾期未报送的次数", 0),
    Field(
        "rates[].rate",
        "文本",
        "报送及时率（按时报送次数÷应按时报送次数；无从计算时为“—”）",
        "66.7%",
    ),
    Field(
        "rates_text",
        "文本",
        "本年度报送及时率的一句话",
        "2023年第一季度、第二季度、第三季度，各单位应按时报送24次，按时报送22次，报送及时率91.7%；"
        "6个单位全部按时报送（各单位情况见附件3）。",
    ),
)

FIELDS = {FORM: FORM_FIELDS, SUMMARY: SUMMARY_FIELDS, NOTICE: NOTICE_FIELDS, REPORT: REPORT_FIELDS}


def top_level_names(kind: str) -> set[str]:
    return {f.name for f in FIELDS[kind] if "." not in f.name}


def attribute_names(kind: str, path: str) -> set[str]:
    """Attributes of the items of a list variable, e.g. ('summary', 'groups[].rows')."""
    return children(kind, path + "[]")


def field(kind: str, path: str) -> Field | None:
    """The field at a schema path such as 'rows' or 'groups[].rows[].id'."""
    return next((f for f in FIELDS[kind] if f.name == path), None)


def children(kind: str, path: str) -> set[str]:
    """Names directly below `path` ('rows[]' -> {'id', 'name', ...}); empty for a leaf."""
    prefix = path + "."
    return {
        f.name[len(prefix) :].split(".", 1)[0].removesuffix("[]")
        for f in FIELDS[kind]
        if f.name.startswith(prefix)
    }


# The loop variable each list is written with in the shipped templates and the docs.
LOOP_NAMES = {
    "rows": "row",
    "groups": "group",
    "legend": "item",
    "entries": "entry",
    "findings": "f",
    "matters": "m",
    "lagging": "lag",
    "standings": "s",
}


def usage(name: str) -> str:
    """How a template writes a field: 'groups[].rows[].id' -> 'row.id'."""
    if "[]." not in name:
        return name
    head, attr = name.rsplit("[].", 1)
    return f"{LOOP_NAMES.get(head.rsplit('.', 1)[-1], 'item')}.{attr}"


def display_sample(value: Any) -> str:
    """A sample value as one line of text, for `toolkit template fields` and the docs."""
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items()) if value else "（字典）"
    if isinstance(value, list):
        return "、".join(map(str, value)) if value else "（列表，每项见下）"
    return str(value).replace("\n", " ")


# ---------------------------------------------------------------- documentation

KIND_LABELS = {
    FORM: "填报表模板（form.docx）",
    SUMMARY: "一览表模板（summary.docx）",
    NOTICE: "通知模板（notice-return.docx、notice-reminder.docx、notice-nonconforming.docx）",
    REPORT: "督查通报模板（report.docx）",
}
FIELDS_START = "<!-- fields:start -->"
FIELDS_END = "<!-- fields:end -->"


def fields_markdown() -> str:
    """The variable tables of docs/templates.md (between the fields markers)."""
    out = [FIELDS_START, "<!-- 本节由 toolkit template fields --markdown 生成，请勿手改。 -->"]
    for kind in KINDS:
        out += ["", f"### {KIND_LABELS[kind]}", ""]
        out += ["| 写法 | 类型 | 说明 | 示例 |", "|---|---|---|---|"]
        for f in FIELDS[kind]:
            cells = (f"`{usage(f.name)}`", f.type, f.description, display_sample(f.sample))
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    out += ["", FIELDS_END]
    return "\n".join(out)
