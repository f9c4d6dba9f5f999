"""Sample contexts: what `template check` and `template preview` render a template with.

Shaped exactly like the contexts `generate` and `merge` build, with a few
realistic rows from the seed 一览表.
"""

from __future__ import annotations

import copy
from typing import Any

from toolkit.core.period import Period
from toolkit.core.previous import FOUND, PreviousEntry, PreviousQuarter
from toolkit.forms.context import previous_context
from toolkit.forms.rendering import run_markup
from toolkit.forms.schema import FIELDS, FORM, NOTICE, REPORT
from toolkit.office import barchart
from toolkit.office.docx_picture import Picture, blank_png
from toolkit.summary import document, model

# (民生事项, 序号, 项目名称, 年度目标, 本季度目标, 主办单位, 协办单位)
_SAMPLE_PROJECTS = (
    (
        "打造一批就业驿站",
        "10-3",
        "星河传奇暖蜂驿站",
        "完工并正式投入运营，提升就业群体的获得感、幸福感和安全感。",
        "投入运营，预计服务900余人次。",
        "民治街道",
        "/",
    ),
    (
        "打造一批就业驿站",
        "10-4",
        "北站壹号楼宇党群服务中心",
        "完工。",
        "完成工程量80%。",
        "民治街道、区委组织部",
        "/",
    ),
    (
        "广泛实施社区民生微实事",
        "40",
        "社区民生微实事审核项目",
        "2023年审核完成各类社区民生微实事项目800个。",
        "全面推进民生微实事项目开展。",
        "民治街道",
        "/",
    ),
)
# (进展情况, 存在问题及下一步工作计划, 进度评价) of each sample project
_SAMPLE_RETURNS = (
    (
        "1.已完成总体形象进度80%，正开展竣工验收相关工作。\n2.已举办2次培训，参加人数达1000人次。",
        "1.暂无问题。\n2.下一步：10月底前完成竣工验收。",
        "正常推进",
    ),
    (
        "1.主体结构已完工。\n2.正开展装修工程。",
        "1.装修材料进场延迟。\n2.11月底前恢复正常进度。",
        "进度滞后",
    ),
    ("已审核完成民生微实事项目812个。", "", "已完成"),
)


# What a 退回修改意见 lists: one row's error, one row's warning.
_SAMPLE_FINDINGS = (
    {
        "no": 1,
        "id": "10-3",
        "kind": "超过字数上限",
        "level": "须修改",
        "message": "进展情况有 370 字，超过 300 字上限（不计空白）。",
    },
    {
        "no": 2,
        "id": "13-3",
        "kind": "条目编号不规范",
        "level": "请注意",
        "message": "进展情况的条目编号用了“1、”，应使用“1.”“2.”。",
    },
)


def _register_row(project: tuple[str, ...], extra: dict[str, str]) -> dict[str, Any]:
    matter, pid, name, annual, quarter, lead, co = project
    return {
        "matter": matter,
        "item": pid.split("-", 1)[0],
        "id": pid,
        "name": name,
        "annual_target": annual,
        "quarter_target": quarter,
        "lead": lead,
        "co": co,
        "extra": dict(extra),
    }


def _previous_row(project: tuple[str, ...], sent: tuple[str, str, str]) -> dict[str, str]:
    """A row's `previous`, as if the sample return had been sent the quarter before."""
    pid, unit = project[1], project[5]
    entries = {(pid, unit): PreviousEntry(*sent)}
    return previous_context(PreviousQuarter(Period(2023, 3), FOUND, entries), pid, unit)


def sample_context(kind: str, extra: dict[str, str] | None = None) -> dict[str, Any]:
    """A full, realistic context of the kind, shaped exactly like the renderer's.

    `extra` becomes each row's `row.extra` (register columns a template uses).
    """
    ctx = {f.name: copy.deepcopy(f.sample) for f in FIELDS[kind] if "." not in f.name}
    extra = dict(extra or {})
    if kind == FORM:
        ctx["rows"] = [
            {**_register_row(p, extra), "previous": _previous_row(p, r)}
            for p, r in zip(_SAMPLE_PROJECTS, _SAMPLE_RETURNS, strict=True)
        ]
        return ctx
    if kind == NOTICE:
        ctx["findings"] = [dict(f) for f in _SAMPLE_FINDINGS]
        return ctx
    if kind == REPORT:
        return _report_context(ctx)
    colors = model.DEFAULT_COLORS
    groups: list[dict[str, Any]] = []
    for project, (progress, plan, evaluation) in zip(
        _SAMPLE_PROJECTS, _SAMPLE_RETURNS, strict=True
    ):
        units = project[5].split("、")
        # The first unit reported; a joint project's other unit did not: a line each.
        entries = [
            {
                "unit": unit,
                "label": unit,
                "status": "已报送" if n == 0 else "未报送",
                "progress": progress if n == 0 else "",
                "plan": plan if n == 0 else "",
                "evaluation": evaluation if n == 0 else "未报送",
            }
            for n, unit in enumerate(units)
        ]
        joint = len(units) > 1
        lines = []
        for n, entry in enumerate(entries):
            line = _register_row(project, extra)
            label = entry["label"]
            line.update(
                unit=label if joint else project[5],
                progress=(f"{label}：\n{progress}" if n == 0 else f"{label}：未报送")
                if joint
                else progress,
                plan=entry["plan"],
                evaluation=entry["evaluation"],
                evaluation_mark=document.evaluation_mark(entry["evaluation"], colors),
                status=entry["status"],
                first=n == 0,
                entries=entries,
            )
            lines.append(line)
        if groups and groups[-1]["matter"] == project[0]:
            groups[-1]["rows"].extend(lines)
        else:
            groups.append({"matter": project[0], "item": lines[0]["item"], "rows": lines})
    stats = {
        "total": 3,
        "已完成": 1,
        "正常推进": 1,
        "进度滞后": 1,
        "严重滞后": 0,
        "未报送": 0,
        "未评价": 0,
        "部分报送": 0,
    }
    ctx.update(
        legend=[{"name": n, "mark": run_markup(model.MARK, c)} for n, c in colors.items()],
        stats=stats,
        stats_text=model.statistics_text(stats),
        groups=groups,
    )
    return ctx


# What a sample 督查通报 lists: 10-4 is behind (民治街道 reported it so), 观湖街道 late.
_SAMPLE_STANDINGS = (
    {
        "no": 1,
        "unit": "观湖街道",
        "situation": "逾期报送、退回修改",
        "date": "2023年10月12日",
        "note": "截止日期后2天报送；3处须修改",
    },
    {
        "no": 2,
        "unit": "福城街道",
        "situation": "逾期未报送",
        "date": "",
        "note": "截至2023年10月16日未收到",
    },
)
SAMPLE_CHART = "（样例图表）"


def sample_chart(width_cm: float = 15.6) -> Picture:
    """A blank picture where the chart goes: what `template check` renders with."""
    return Picture(blank_png(160, 60), "chart1.png", SAMPLE_CHART, width_cm)


def drawn_sample_chart(ctx: dict[str, Any], width_cm: float = 15.6) -> Picture:
    """The chart of a sample 通报's matters, drawn as `report` draws it (for a preview);
    the blank picture where this machine has no Chinese font."""
    looks = model.bucket_looks({})
    keys = [k for k in model.STATISTICS_ORDER if any(m["stats"][k] for m in ctx["matters"])]
    series = [
        barchart.Series(
            model.STATISTICS_LABELS[k], [m["stats"][k] for m in ctx["matters"]], *looks[k]
        )
        for k in keys
    ]
    try:
        png = barchart.stacked_bars([m["name"] for m in ctx["matters"]], series)
    except barchart.NoFont:
        return sample_chart(width_cm)
    return Picture(png, "chart1.png", SAMPLE_CHART, width_cm)


def _report_context(ctx: dict[str, Any]) -> dict[str, Any]:
    def stats(done: int, on_track: int, behind: int) -> dict[str, int]:
        counts = dict.fromkeys(ctx["stats"], 0)
        counts.update({"已完成": done, "正常推进": on_track, "进度滞后": behind})
        counts["total"] = done + on_track + behind
        return counts

    progress, plan, _ = _SAMPLE_RETURNS[1]
    matters = [
        {"name": "打造一批就业驿站", "item": "10", "stats": stats(0, 1, 1)},
        {"name": "广泛实施社区民生微实事", "item": "40", "stats": stats(1, 0, 0)},
    ]
    ctx.update(
        stats={k: sum(m["stats"][k] for m in matters) for k in ctx["stats"]},
        matters=matters,
        chart=sample_chart(),
        lagging=[
            {
                "no": 1,
                "id": "10-4",
                "name": "北站壹号楼宇党群服务中心",
                "matter": "打造一批就业驿站",
                "unit": "民治街道",
                "evaluation": "进度滞后",
                "progress": progress,
                "problem": plan,
                "before": "进度滞后",
            }
        ],
        standings=[dict(s) for s in _SAMPLE_STANDINGS],
        rates=[
            {
                "no": n,
                "unit": unit,
                "due": 3,
                "on_time": on_time,
                "late": 3 - on_time,
                "overdue": 0,
                "rate": rate,
            }
            for n, (unit, on_time, rate) in enumerate(
                (("民治街道", 3, "100.0%"), ("观湖街道", 2, "66.7%")), start=1
            )
        ],
    )
    ctx["repeats"] = [dict(line) for line in ctx["lagging"] if line["before"]]
    return ctx
