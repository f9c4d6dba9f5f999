"""The reviewer's hints: evaluations against the targets, texts against the quarter before.

Each rule fires on its example and stays quiet on the ones next to it; the
register's 设置 switches rules off and changes their words and threshold.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.registers import write_register

from toolkit.core.period import Period
from toolkit.core.previous import FOUND, PreviousEntry, PreviousQuarter
from toolkit.errors import RegisterError
from toolkit.register.model import RegisterOptions
from toolkit.register.reader import read_register
from toolkit.returns.checks import Entry
from toolkit.returns.review import DEFAULT_THRESHOLD, review_return, review_settings

UNIT = "民治街道"
# (序号, 年度目标, 第一..第四季度目标)
PROJECTS = [
    (
        "1-1",
        "12月底前建成并投入使用。",
        "完成立项。",
        "完成施工招标。",
        "完成主体结构。",
        "投入使用。",
    ),
    ("1-2", "完工。", "完成前期工作。", "完成工程量50%。", "完成工程量80%。", "完工。"),
    ("1-3", "完工。", "开展前期工作。", "完成工程量60%。", "完工并投入使用。", "完成结算。"),
]
PROGRESS = (
    "1.已完成主体结构施工，正开展装饰装修工程，累计完成投资1200万元。\n"
    "2.组织召开现场推进会2次，协调解决材料进场问题。"
)
NEW_PROGRESS = (
    "1.装饰装修工程全面铺开，外立面脚手架已拆除。\n2.消防、电梯等专项验收材料已报送主管部门审查。"
)


def register(tmp_path: Path, settings: dict[str, str] | None = None):
    rows = [
        ["民生事项", pid, f"项目{pid}", annual, *targets, UNIT, "/"]
        for pid, annual, *targets in PROJECTS
    ]
    path = write_register(
        tmp_path / "register.xlsx",
        rows,
        settings={"地区": "龙华区", "年度": "2023", **(settings or {})},
    )
    return read_register(path, RegisterOptions())


def entry(pid: str, progress: str, evaluation: str | None, plan: str = "") -> Entry:
    return Entry(UNIT, pid, progress, plan, evaluation, evaluation or "")


def hints(
    tmp_path: Path,
    quarter: int,
    entries: list[Entry],
    before: dict[str, PreviousEntry] | None = None,
    settings: dict[str, str] | None = None,
) -> list[tuple[str, str, str]]:
    reg = register(tmp_path, settings)
    period = Period(2023, quarter)
    previous = PreviousQuarter(period, FOUND, {(pid, UNIT): e for pid, e in (before or {}).items()})
    found = review_return(
        reg, period, UNIT, {e.id: e for e in entries}, previous, review_settings(reg), "x.docx"
    )
    return [(f.code, f.id or "", f.message) for f in found]


def codes(found: list[tuple[str, str, str]]) -> list[str]:
    return [c for c, _, _ in found]


# ---------------------------------------------------------------- against the targets


def test_completed_with_words_of_unfinished_work(tmp_path: Path) -> None:
    found = hints(tmp_path, 4, [entry("1-2", "已完工，正在办理竣工结算。", "已完成")])
    assert codes(found) == ["completed_but_unfinished"]
    assert "“正在”" in found[0][2] and "正在办理竣工结算" in found[0][2]
    assert hints(tmp_path, 4, [entry("1-2", "已完工并通过竣工验收。", "已完成")]) == []
    # The same words under another evaluation are no contradiction.
    assert "completed_but_unfinished" not in codes(
        hints(tmp_path, 3, [entry("1-2", "正在办理竣工结算。", "进度滞后")])
    )


def test_the_words_of_unfinished_work_come_from_the_settings(tmp_path: Path) -> None:
    settings = {"未完成用语": "尚未、待"}
    done = [entry("1-2", "已完工，尚未结算。", "已完成")]
    assert codes(hints(tmp_path, 4, done, settings=settings)) == ["completed_but_unfinished"]
    going = [entry("1-2", "已完工，正在办理结算。", "已完成")]
    assert hints(tmp_path, 4, going, settings=settings) == []


def test_completed_before_the_annual_targets_milestone(tmp_path: Path) -> None:
    found = hints(tmp_path, 2, [entry("1-1", "已完成施工招标。", "已完成")])
    assert codes(found) == ["completed_before_milestone"]
    assert "12月" in found[0][2]
    assert hints(tmp_path, 4, [entry("1-1", "已建成并投入使用。", "已完成")]) == []
    assert hints(tmp_path, 2, [entry("1-2", "已完工。", "已完成")]) == []  # 完工。 names no month


@pytest.mark.parametrize("evaluation", ["正常推进", "进度滞后", "严重滞后"])
def test_the_fourth_quarter_not_completed(tmp_path: Path, evaluation: str) -> None:
    found = hints(tmp_path, 4, [entry("1-2", "主体已完工，正在装修。", evaluation)])
    assert codes(found) == ["q4_not_completed"]
    assert ("如实评价" in found[0][2]) == (evaluation == "正常推进")


def test_not_completed_before_the_fourth_quarter_is_no_q4_hint(tmp_path: Path) -> None:
    assert hints(tmp_path, 3, [entry("1-2", "完成工程量80%。", "正常推进")]) == []
    assert hints(tmp_path, 4, [entry("1-2", "已完工。", "已完成")]) == []
    assert hints(tmp_path, 4, [entry("1-2", "", None)]) == []  # no evaluation: its own error


def test_a_target_due_this_quarter_rated_on_track(tmp_path: Path) -> None:
    found = hints(tmp_path, 2, [entry("1-1", "招标文件已挂网。", "正常推进")])
    assert codes(found) == ["target_due_on_track"]
    assert "完成施工招标" in found[0][2] and "没有说明“施工招标”的完成情况" in found[0][2]
    # The progress says how the target went: the reviewer can judge from it.
    assert hints(tmp_path, 2, [entry("1-1", "施工招标已于6月完成。", "正常推进")]) == []
    # A share of the work is a step, not the end.
    assert hints(tmp_path, 2, [entry("1-2", "完成工程量50%。", "正常推进")]) == []
    assert hints(tmp_path, 2, [entry("1-1", "已完成施工招标。", "进度滞后")]) == []
    # In the fourth quarter the fourth-quarter hint says it, once.
    assert codes(hints(tmp_path, 4, [entry("1-1", "正在装修。", "正常推进")])) == [
        "q4_not_completed"
    ]


def test_a_target_that_is_the_projects_end_rated_on_track(tmp_path: Path) -> None:
    found = hints(tmp_path, 3, [entry("1-3", "已完工，正办理竣工验收。", "正常推进")])
    assert codes(found) == ["target_due_on_track"]
    assert "本季度应全部完成" in found[0][2]


def test_the_words_of_a_finishing_target_come_from_the_settings(tmp_path: Path) -> None:
    settings = {"完成用语": "招标"}
    assert codes(hints(tmp_path, 2, [entry("1-1", "挂网。", "正常推进")], settings=settings)) == [
        "target_due_on_track"
    ]
    assert hints(tmp_path, 3, [entry("1-1", "结构施工中。", "正常推进")], settings=settings) == []


# ---------------------------------------------------------------- against the quarter before


def before(progress: str, evaluation: str = "正常推进", plan: str = "") -> dict:
    return {"1-2": PreviousEntry(progress, plan, evaluation)}


def test_an_unchanged_copy_is_flagged_quoting_both(tmp_path: Path) -> None:
    found = hints(tmp_path, 3, [entry("1-2", PROGRESS, "正常推进")], before(PROGRESS))
    assert codes(found) == ["unchanged_text"]
    assert "完全相同" in found[0][2] and "上季度（第二季度）" in found[0][2]
    assert found[0][2].count("已完成主体结构施工") == 2  # this quarter's and last quarter's


def test_a_lightly_edited_copy_with_the_same_facts_is_near_identical(tmp_path: Path) -> None:
    edited = (
        "（1）主体结构施工已完成，正在开展装饰装修工程，累计完成投资1200万元；\n"
        "（2）召开现场推进会2次，协调解决材料进场问题"
    )
    found = hints(tmp_path, 3, [entry("1-2", edited, "正常推进")], before(PROGRESS))
    assert codes(found) == ["unchanged_text"]
    assert "几乎相同（相似度" in found[0][2]


def test_a_new_text_or_new_figures_are_not_copies(tmp_path: Path) -> None:
    assert hints(tmp_path, 3, [entry("1-2", NEW_PROGRESS, "正常推进")], before(PROGRESS)) == []
    updated = PROGRESS.replace("1200万元", "1800万元").replace("2次", "3次")
    assert hints(tmp_path, 3, [entry("1-2", updated, "正常推进")], before(PROGRESS)) == []


def test_the_threshold_both_sides(tmp_path: Path) -> None:
    from test_texts import HUNDRED, replaced

    assert DEFAULT_THRESHOLD == 0.85
    seven, eight = replaced(HUNDRED, 7), replaced(HUNDRED, 8)
    assert codes(hints(tmp_path, 3, [entry("1-2", seven, "正常推进")], before(HUNDRED))) == [
        "unchanged_text"
    ]
    assert hints(tmp_path, 3, [entry("1-2", eight, "正常推进")], before(HUNDRED)) == []
    # A stricter threshold in 设置: seven replaced characters no longer count as a copy.
    strict = {"相同文字阈值": "90%"}
    assert hints(tmp_path, 3, [entry("1-2", seven, "正常推进")], before(HUNDRED), strict) == []


def test_short_texts_and_finished_projects_are_not_compared(tmp_path: Path) -> None:
    assert hints(tmp_path, 3, [entry("1-2", "已完工。", "正常推进")], before("已完工。")) == []
    both_done = hints(tmp_path, 3, [entry("1-2", PROGRESS, "已完成")], before(PROGRESS, "已完成"))
    assert "unchanged_text" not in codes(both_done)


def test_a_due_commitment_not_mentioned(tmp_path: Path) -> None:
    plan = "1.材料进场延迟。\n2.下一步：9月底前完成雨污管网改造，12月底前完成竣工验收。"
    found = hints(
        tmp_path, 3, [entry("1-2", NEW_PROGRESS, "正常推进")], before(PROGRESS, plan=plan)
    )
    assert codes(found) == ["commitment_not_mentioned"]
    assert "9月底前完成雨污管网改造" in found[0][2]
    assert "竣工验收" not in found[0][2]  # due in December: not yet


def test_a_commitment_mentioned_again_or_not_yet_due(tmp_path: Path) -> None:
    plan = "下一步：9月底前完成雨污管网改造。"
    said = NEW_PROGRESS + "\n3.雨污管网改造已于9月25日完成。"
    assert hints(tmp_path, 3, [entry("1-2", said, "正常推进")], before(PROGRESS, plan=plan)) == []
    later = "下一步：12月底前完成雨污管网改造。"
    assert (
        hints(tmp_path, 3, [entry("1-2", NEW_PROGRESS, "正常推进")], before(PROGRESS, plan=later))
        == []
    )
    # Without the quarter before there is nothing to compare with.
    assert hints(tmp_path, 3, [entry("1-2", NEW_PROGRESS, "正常推进")]) == []


def test_a_raised_evaluation_with_the_same_text(tmp_path: Path) -> None:
    found = hints(tmp_path, 3, [entry("1-2", PROGRESS, "正常推进")], before(PROGRESS, "进度滞后"))
    assert sorted(codes(found)) == ["evaluation_raised_same_text", "unchanged_text"]
    raised = next(m for c, _, m in found if c == "evaluation_raised_same_text")
    assert "“进度滞后”提高为“正常推进”" in raised
    # The same, or a lower, evaluation; or new text: no hint of this kind.
    for prev_eval, now_eval, text in [
        ("正常推进", "正常推进", PROGRESS),
        ("正常推进", "进度滞后", PROGRESS),
        ("进度滞后", "正常推进", NEW_PROGRESS),
    ]:
        got = hints(tmp_path, 3, [entry("1-2", text, now_eval)], before(PROGRESS, prev_eval))
        assert "evaluation_raised_same_text" not in codes(got)


# ---------------------------------------------------------------- settings


def test_rules_are_switched_off_by_code_or_name(tmp_path: Path) -> None:
    rows = [entry("1-2", PROGRESS, "正常推进")]
    off = {"不提示": "unchanged_text、第四季度未完成"}
    assert hints(tmp_path, 4, rows, before(PROGRESS), off) == []  # and no target hint in Q4
    assert sorted(codes(hints(tmp_path, 4, rows, before(PROGRESS)))) == [
        "q4_not_completed",
        "unchanged_text",
    ]


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("不提示", "too_long", "不是可以关闭的提示"),
        ("不提示", "unchanged", "不是可以关闭的提示"),
        ("相同文字阈值", "很高", "50% 到 100%"),
        ("相同文字阈值", "30%", "50% 到 100%"),
    ],
)
def test_a_setting_that_cannot_be_used_is_a_register_error(
    tmp_path: Path, key: str, value: str, said: str
) -> None:
    with pytest.raises(RegisterError) as caught:
        review_settings(register(tmp_path, {key: value}))
    assert said in str(caught.value) and "设置" in str(caught.value)


@pytest.mark.parametrize(("value", "share"), [("90%", 0.9), ("0.9", 0.9), ("90", 0.9), ("", 0.85)])
def test_the_threshold_is_written_as_a_share_or_a_percentage(
    tmp_path: Path, value: str, share: float
) -> None:
    assert review_settings(register(tmp_path, {"相同文字阈值": value})).threshold == share


# ---------------------------------------------------------------- the reference cell


def with_reference(text: str) -> Entry:
    e = entry("1-2", NEW_PROGRESS, "正常推进")
    return Entry(e.unit, e.id, e.progress, e.plan, e.evaluation, e.evaluation_typed, reference=text)


@pytest.mark.parametrize(
    ("typed", "fires"),
    [
        ("", False),  # emptied: nothing lost
        (f"进展情况：{PROGRESS}\n进度评价：正常推进", False),  # as the form showed it
        ("进度评价：正常推进", False),  # part of it deleted
        ("二季度未报送此项", False),  # the note of a row not reported last quarter
        ("本季度新增：完成外立面施工。", True),  # the unit's new text, in the wrong column
    ],
)
def test_the_reference_cell_holds_only_what_the_form_showed(
    tmp_path: Path, typed: str, fires: bool
) -> None:
    found = hints(tmp_path, 3, [with_reference(typed)], before(PROGRESS))
    assert ("reference_changed" in codes(found)) == fires
    if fires:
        assert "本季度新增：完成外立面施工。" in found[0][2]
