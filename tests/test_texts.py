"""Comparing texts units typed: similarity, new numbers, dates, the readable diff."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.core.dates import month_mentions
from toolkit.core.texts import (
    DELETED,
    INSERTED,
    SAME,
    comparable,
    diff,
    mentions,
    new_numbers,
    similarity,
)

EXAMPLES = int(os.environ.get("TOOLKIT_HYPOTHESIS_EXAMPLES", "25"))

# 100 characters, every pair of neighbours different (the opening of the 千字文).
HUNDRED = (
    "天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏闰余成岁律吕调阳云腾致雨露结为霜"
    "金生丽水玉出昆冈剑号巨阙珠称夜光果珍李柰菜重芥姜海咸河淡鳞潜羽翔龙师火帝鸟官人皇"
    "始制文字乃服衣裳推位让国有虞陶唐吊民伐罪周发殷汤坐朝问道垂拱平章"
)[:100]


def replaced(text: str, k: int) -> str:
    """`text` with `k` characters, twelve apart, replaced by one that is nowhere in it."""
    chars = list(text)
    for i in range(k):
        chars[5 + 12 * i] = "鑫"
    return "".join(chars)


def test_the_documented_scale_seven_and_eight_replaced_characters() -> None:
    assert len(HUNDRED) == 100 and "鑫" not in HUNDRED
    assert len({HUNDRED[i : i + 2] for i in range(99)}) == 99
    assert similarity(HUNDRED, replaced(HUNDRED, 7)) >= 0.85
    assert similarity(HUNDRED, replaced(HUNDRED, 8)) < 0.85


def test_markers_punctuation_spaces_and_width_do_not_count() -> None:
    a = "1.已完成前期工作，正开展施工招标。\n2.已召开协调会3次。"
    b = "（1）已完成前期工作,正开展施工招标;\n（2）已召开协调会３次"
    assert comparable(a) == comparable(b)
    assert similarity(a, b) == 1.0


def test_moving_an_item_keeps_the_text_alike() -> None:
    a = "1.已完成前期工作，正开展施工招标。\n2.已召开协调会3次。"
    b = "1.已召开协调会3次。\n2.已完成前期工作，正开展施工招标。"
    assert similarity(a, b) > 0.9


def test_a_new_text_on_the_same_project_is_far_apart() -> None:
    a = "1.已完成前期工作，正开展施工招标。\n2.已召开协调会3次。"
    b = "1.主体结构施工完成60%，累计投入资金500万元。\n2.组织安全检查2次，整改隐患5处。"
    assert similarity(a, b) < 0.2


def test_new_numbers_are_news_but_the_as_of_date_is_not() -> None:
    assert new_numbers("完成80%，培训5次", "完成80%，培训2次") == ["5"]
    assert new_numbers("截至9月底，已完成80%", "截至6月底，已完成80%") == []
    assert new_numbers("截至2023年9月30日，已完成80%", "截至6月30日，已完成80%") == []
    assert new_numbers("已于9月20日召开会议", "已于6月20日召开会议") == ["9"]
    assert new_numbers("完成80%，完成80%", "完成80%") == ["80"]  # counted, not a set


def test_dates_as_written() -> None:
    months = [
        (m.year, m.month)
        for m in month_mentions("9月底前完成验收，十一月投用，年底前结算，2024年3月审计", 2023)
    ]
    assert months == [(2023, 9), (2023, 11), (2023, 12), (2024, 3)]
    # A duration, a starting point, a quarter: no due date.
    assert month_mentions("历时3个月；12月份以来持续开展；第三季度", 2023) == []


def test_the_diff_reads_as_a_replaced_number() -> None:
    segments = diff("已完成80%，正开展验收。", "已完成90%，正开展验收。")
    assert [(s.kind, s.text) for s in segments] == [
        (SAME, "已完成"),
        (DELETED, "8"),
        (INSERTED, "9"),
        (SAME, "0%，正开展验收。"),
    ]


_TEXT = st.text(
    st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40), st.sampled_from("12。，\n ")
    ),
    max_size=40,
)


@settings(max_examples=EXAMPLES, deadline=None)
@given(before=_TEXT, after=_TEXT)
def test_the_diff_holds_both_texts_exactly(before: str, after: str) -> None:
    segments = diff(before, after)
    assert "".join(s.text for s in segments if s.kind != INSERTED) == before
    assert "".join(s.text for s in segments if s.kind != DELETED) == after
    assert all(s.text for s in segments)


@settings(max_examples=EXAMPLES, deadline=None)
@given(a=_TEXT, b=_TEXT)
def test_similarity_is_symmetric_bounded_and_one_for_the_same_text(a: str, b: str) -> None:
    s = similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == similarity(b, a)
    assert similarity(a, a) == 1.0


_PLAN = st.text(
    st.one_of(
        st.sampled_from(list("0123456789年月日底前末初中旬份以来起，。；、\n：1.（）十一二三")),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x4E20),
    ),
    max_size=60,
)


@settings(max_examples=EXAMPLES, deadline=None)
@given(plan=_PLAN, now=_PLAN)
def test_any_plan_gives_months_of_the_year_and_commitments_that_can_be_looked_for(
    plan: str, now: str
) -> None:
    from toolkit.core.period import Period
    from toolkit.returns.continuity import due_commitments

    for m in month_mentions(plan, 2023):
        assert 1 <= m.month <= 12 and 0 <= m.start < m.end
    for c in due_commitments(plan, Period(2023, 3)):
        assert len(c.subject) >= 2 and c.subject == comparable(c.subject)
        assert mentions(comparable(c.text), c.subject)  # a promise always speaks of itself
        mentions(comparable(now), c.subject)
