"""The district's rules, defined once in toolkit.core.rules and shared by every command."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.seed import MINZHI_Q3

from toolkit.core import rules
from toolkit.office import ooxml


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("10-3", "10-3"),
        ("１０－３", "10-3"),
        ("10—3", "10-3"),
        ("10–3", "10-3"),
        (" 10 - 3 ", "10-3"),
        ("４０", "40"),
        ("31-11", "31-11"),
    ],
)
def test_normalize_id(typed, canonical):
    assert rules.normalize_id(typed) == canonical


def test_id_sort_is_natural():
    assert sorted(["2-10", "10-1", "2-9", "40"], key=rules.id_sort_key) == [
        "2-9",
        "2-10",
        "10-1",
        "40",
    ]


def test_id_sort_takes_any_text():
    ids = ["合计", "（一）", "1-a", "10-3", "", "2-9", "共9项", "1-10", "1-2", "x" + "9" * 5000]
    ordered = sorted(ids, key=rules.id_sort_key)
    assert (
        ordered.index("1-2") < ordered.index("1-10") < ordered.index("1-a") < ordered.index("2-9")
    )


@given(st.lists(st.text(max_size=12)))
def test_id_sort_never_compares_a_number_with_a_word(ids):
    ordered = sorted(ids, key=rules.id_sort_key)
    keys = [rules.id_sort_key(i) for i in ordered]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    ("header", "quarter", "match"),
    [
        ("第三季度进展情况", 3, (rules.PROGRESS, 3)),
        ("本季度进展情况", 3, (rules.PROGRESS, 3)),
        ("进展情况（300字以内）", 3, (rules.PROGRESS, 2)),
        ("第二季度进展情况", 3, (None, 0)),
        ("上季度进展情况", 3, (None, 0)),
        ("第2季度进展情况", None, (rules.PROGRESS, 3)),
        ("存在问题及下一步工作计划", 3, (rules.PLAN, 2)),
        ("存在问题", 3, (rules.PLAN, 1)),
        ("下一步工作计划", 3, (rules.PLAN, 1)),
        ("第二季度目标", 3, (None, 0)),
        ("第三季度目标", 3, (rules.QUARTER_TARGET, 2)),
        ("备注", 3, (None, 0)),
    ],
)
def test_column_match_ranks_headers_for_the_quarter(header, quarter, match):
    assert rules.column_match(header, quarter) == match


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        ("合计", True),
        ("合 计", True),
        ("小计：", True),
        ("总计（9项）", True),
        ("共9项", True),
        ("共九个", True),
        ("共3个社区完成改造", False),
        ("合计完成投资", False),
        ("10-3", False),
    ],
)
def test_summary_labels(text, summary):
    assert rules.is_summary_label(text) is summary


def test_example_label_is_exact():
    assert all(rules.is_example_label(t) for t in ("示例", "示  例", "例", "示例："))
    assert not any(rules.is_example_label(t) for t in ("例外", "案例1", "示例项目", ""))


def test_return_header_row_survives_a_renamed_progress_column():
    assert rules.is_return_header_row(["序号", "项目名称", "工作进展", "进度评价"])
    assert not rules.is_project_header_row(["序号", "项目名称", "工作进展", "进度评价"])
    assert not rules.is_return_header_row(["序号", "姓名", "联系电话"])


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("序  号", rules.ID),
        ("第三季度目标", rules.QUARTER_TARGET),
        ("本季度目标", rules.QUARTER_TARGET),
        ("第三季度进展情况", rules.PROGRESS),
        ("存在问题及下一步工作计划", rules.PLAN),
        ("进度\n评价", rules.EVALUATION),
        ("主办单位", rules.LEAD),
        ("协办单位", rules.CO),
        ("年度目标", rules.ANNUAL_TARGET),
        ("责任人", None),
    ],
)
def test_header_key(header, key):
    assert rules.header_key(header) == key


def test_quarter_of_target_header():
    assert [rules.quarter_target_of(f"第{q}季度目标") for q in "一二三四"] == [1, 2, 3, 4]
    assert rules.quarter_target_of("年度目标") is None


def test_character_count_ignores_whitespace_only():
    assert rules.count_chars("1.已完成 80%。\n2.ok\t") == len("1.已完成80%。2.ok")
    assert rules.count_chars(MINZHI_Q3["10-3"][0]) == 370  # the seed's real defect
    assert rules.count_chars("字" * 300) == rules.MAX_CHARS


def test_character_count_skips_exactly_what_python_calls_whitespace():
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert rules.count_chars(every) == sum(not ch.isspace() for ch in every)
    # U+3000 and U+00A0 are whitespace, the zero-width space U+200B is not.
    assert rules.count_chars("\u3000全角空格\u00a0不换行空格\u200b零宽空格") == 14


@pytest.mark.parametrize(
    ("typed", "value", "kind"),
    [
        ("正常推进", "正常推进", "exact"),
        (" 已完成。", "已完成", "exact"),
        ("▋正常推进", "正常推进", "exact"),
        ("完成", "已完成", "synonym"),
        ("滞后", "进度滞后", "synonym"),
        ("严重延误", "严重滞后", "synonym"),
        ("", None, "empty"),
        ("良好", None, "invalid"),
    ],
)
def test_parse_evaluation(typed, value, kind):
    ev = rules.parse_evaluation(typed)
    assert (ev.value, ev.kind) == (value, kind)


def test_least_advanced():
    assert rules.least_advanced(["已完成", "进度滞后", "正常推进"]) == "进度滞后"
    assert rules.least_advanced(["良好"]) is None


@pytest.mark.parametrize(
    ("text", "kind", "example"),
    [
        ("1、第一条\n2、第二条", "wrong_marker", "1、"),
        ("（1）第一条\n（2）第二条", "wrong_marker", "（1）"),
        ("①第一条\n②第二条", "wrong_marker", "①"),
        ("1．第一条\n2．第二条", "wrong_marker", "1．"),
        ("第一条\n第二条", "unnumbered", "第一条"),
    ],
)
def test_numbering_issues(text, kind, example):
    issue = rules.check_numbering(text)
    assert issue is not None and (issue.kind, issue.example) == (kind, example)


@pytest.mark.parametrize(
    "text", ["1.第一条\n2.第二条", "一段话，没有分条。", "1.5万人参加。\n1.第二行", ""]
)
def test_numbering_fine(text):
    assert rules.check_numbering(text) is None


def test_normalize_numbering_touches_only_markers():
    text = "1、第一条，共2、3项\n（2）第二条\n③第三条\n  4）第四条\n1.5万人"
    assert (
        rules.normalize_numbering(text)
        == "1.第一条，共2、3项\n2.第二条\n3.第三条\n  4.第四条\n1.5万人"
    )


def test_xml_forbidden_characters():
    text = "a\x00b\x07c\td\ne\x1f"
    assert ooxml.xml_forbidden(text) == ["\x00", "\x07", "\x1f"]
    assert ooxml.strip_xml_forbidden(text) == "abc\td\ne"
    assert ooxml.describe_chars(["\x07", "\x00"]) == "U+0000、U+0007"
