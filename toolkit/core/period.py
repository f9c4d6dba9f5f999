"""A reporting period: one quarter of one year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from toolkit.core.rules import QUARTER_CN
from toolkit.errors import UsageError

_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int

    def __post_init__(self) -> None:
        if self.quarter not in QUARTER_CN:
            raise UsageError(f"季度应为 1 到 4，收到 {self.quarter}。")
        if not 1900 < self.year < 3000:
            raise UsageError(f"年度 {self.year} 不像一个年份。")

    @property
    def quarter_cn(self) -> str:
        return QUARTER_CN[self.quarter]

    @property
    def label(self) -> str:
        """`2023年第三季度`"""
        return f"{self.year}年第{self.quarter_cn}季度"

    @property
    def key(self) -> str:
        """`2023Q3`, used in folder names and document properties."""
        return f"{self.year}Q{self.quarter}"

    @property
    def end_date(self) -> str:
        """`2023年9月30日`"""
        month, day = _QUARTER_END[self.quarter]
        return f"{self.year}年{month}月{day}日"

    @property
    def previous(self) -> Period | None:
        """The quarter before, within the year (a year's projects and targets are its own)."""
        return Period(self.year, self.quarter - 1) if self.quarter > 1 else None

    @classmethod
    def parse_key(cls, text: str) -> Period | None:
        text = text.strip().upper()
        if len(text) == 6 and text[4] == "Q" and text[:4].isdigit() and text[5].isdigit():
            return cls(int(text[:4]), int(text[5]))
        return None


def chinese_date(day: dt.date) -> str:
    """`2023年10月8日`, as official documents write a date."""
    return f"{day.year}年{day.month}月{day.day}日"
