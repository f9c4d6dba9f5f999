"""Timeliness: when each unit's accepted return arrived, against the period's deadline.

The arrival is the merge's `UnitReturn.received`: the upload time for a
file the desk stored (its name begins with the moment it came in), else
the file's modification time; `received_from` says which. The deadline is
one date per period: given on the command line (`--deadline`) or on the
desk, else the register's 设置 (`第三季度报送截止日期`). A return that
arrived on the deadline day is on time; one after it is late; a unit
without a usable return is overdue once the deadline has passed.

Used by `check`/`merge --json`, the desk's board and the 督查通报, so the
three always agree.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from toolkit.core.period import Period
from toolkit.errors import RegisterError, UsageError
from toolkit.returns.merging import RETURNED, MergeResult, UnitReturn

ON_TIME, LATE, OVERDUE, PENDING = "on_time", "late", "overdue", "pending"
STATE_LABELS = {ON_TIME: "按时报送", LATE: "逾期报送", OVERDUE: "逾期未报送", PENDING: "未报送"}
RECEIVED_FROM_LABELS = {"upload": "上传时间", "file_time": "文件时间"}

_FULL_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_DAY_RE = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_PERIOD_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


def deadline_setting(period: Period) -> str:
    """The register 设置 that holds the period's deadline: `第三季度报送截止日期`."""
    return f"第{period.quarter_cn}季度报送截止日期"


def parse_deadline(text: str, period: Period) -> dt.date | None:
    """A deadline as offices write it: `2023-10-10`, `2023/10/10`, `2023年10月10日`,
    `20231010`, or `10月10日` (the first such day after the quarter's end). None when not a date.
    """
    text = unicodedata.normalize("NFKC", text).strip()
    found = _FULL_RE.match(text) or _COMPACT_RE.match(text)
    try:
        if found:
            return dt.date(int(found[1]), int(found[2]), int(found[3]))
        short = _MONTH_DAY_RE.match(text)
        if short:
            month, day = _PERIOD_END[period.quarter]
            end = dt.date(period.year, month, day)
            candidate = dt.date(period.year, int(short[1]), int(short[2]))
            return candidate if candidate > end else candidate.replace(year=period.year + 1)
    except ValueError:  # 2023-02-30
        return None
    return None


def given_deadline(text: str, period: Period) -> dt.date:
    """`--deadline` as typed; a usage error when it is not a date."""
    day = parse_deadline(text, period)
    if day is None:
        raise UsageError(
            f"报送截止日期“{text}”不是有效的日期。",
            hint="写成 2023-10-10 或 2023年10月10日。",
        )
    return day


def period_deadline(
    settings: dict[str, str], period: Period, given: dt.date | None = None
) -> dt.date | None:
    """The period's deadline: `given` (command line, desk), else the register's 设置."""
    if given is not None:
        return given
    name = deadline_setting(period)
    text = settings.get(name, "").strip()
    if not text:
        return None
    day = parse_deadline(text, period)
    if day is None:
        raise RegisterError(
            f"“{name}”的值“{text}”不是有效的日期。",
            sheet="设置",
            hint="写成 2023-10-10 或 2023年10月10日（也可设为 Excel 的日期格式）。",
        )
    return day


@dataclass(frozen=True)
class Timeliness:
    """One unit's return against the deadline."""

    unit: str
    state: str | None  # ON_TIME, LATE, OVERDUE, PENDING; None without a deadline
    received: dt.datetime | None  # when the accepted return arrived
    received_from: str | None  # "upload" or "file_time"
    deadline: dt.date | None
    days_late: int = 0  # after the deadline (returned late, or overdue until today)

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state] if self.state else ""

    @property
    def late(self) -> bool:
        return self.state in (LATE, OVERDUE)

    def as_dict(self) -> dict[str, object]:
        return {
            "state": self.state,
            "label": self.label,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "days_late": self.days_late,
        }


def judge(u: UnitReturn, deadline: dt.date | None, today: dt.date) -> Timeliness:
    """Whether `u`'s accepted return came by the deadline (a return not read counts as none)."""
    received = u.received if u.status == RETURNED else None
    return judge_arrival(u.unit, received, u.received_from, deadline, today)


def judge_arrival(
    unit: str,
    received: dt.datetime | None,
    source: str | None,
    deadline: dt.date | None,
    today: dt.date,
) -> Timeliness:
    """A unit's accepted return that arrived at `received` (None: none) against `deadline`."""
    source = source if received else None
    if deadline is None:
        return Timeliness(unit, None, received, source, None)
    if received is not None:
        late = (received.date() - deadline).days
        return Timeliness(
            unit, LATE if late > 0 else ON_TIME, received, source, deadline, max(0, late)
        )
    overdue = (today - deadline).days
    state = OVERDUE if overdue > 0 else PENDING
    return Timeliness(unit, state, None, None, deadline, max(0, overdue))


def timeliness(
    result: MergeResult, deadline: dt.date | None, today: dt.date | None = None
) -> dict[str, Timeliness]:
    """unit -> its timeliness, in the register's unit order."""
    today = today or dt.date.today()
    return {u.unit: judge(u, deadline, today) for u in result.units}
