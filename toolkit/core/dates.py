"""Dates as units and offices write them in targets and plans: `9月底前`, `10月15日`,
`十一月`, `2024年3月`, `年底前`. Only the month matters to the checks: which
quarter a commitment or a milestone falls in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CN_MONTHS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}
_MONTH = r"(?:(?P<year>\d{4})年)?(?P<month>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月"
_DAY = r"(?:\d{1,2}日|底|末|初|份|中旬|上旬|下旬|中)?"
_BEFORE = r"(?:之?前|以前)?"
_DATE_RE = re.compile(
    rf"(?<![\d年])(?:{_MONTH}{_DAY}|(?P<end>年底|年末|年内))(?P<before>{_BEFORE})"
)
# `3月` in `3个月` or `12月份以来` is a duration or a starting point, not a due date.
_NOT_A_DUE_DATE_RE = re.compile(r"以来|起|开始|至今")


@dataclass(frozen=True)
class Mention:
    year: int
    month: int
    start: int  # where the date is written in the text
    end: int


def month_mentions(text: str, year: int) -> list[Mention]:
    """The months a text names, in order; `year` is the year of a date written without one."""
    text = unicodedata.normalize("NFKC", text)
    out = []
    for m in _DATE_RE.finditer(text):
        if _NOT_A_DUE_DATE_RE.match(text, m.end()):
            continue
        if m.group("end"):
            out.append(Mention(year, 12, m.start(), m.end()))
            continue
        month_text = m.group("month")
        month = int(month_text) if month_text.isdigit() else _CN_MONTHS[month_text]
        written_year = int(m.group("year")) if m.group("year") else year
        out.append(Mention(written_year, month, m.start(), m.end()))
    return out


def quarter_end_month(quarter: int) -> int:
    return quarter * 3
