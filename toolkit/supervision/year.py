"""What a 通报 takes from the year's earlier periods: repeat laggards and 报送及时率.

A PeriodRecord keeps, of one merged period, what each unit rated 进度滞后
or 严重滞后 (by 序号 and unit) and each unit's timeliness against that
period's deadline. The desk builds them from its own period folders
(`period_record`), the command line from the history of merged periods
(`history_records`, toolkit.history). Without records, the 通报 says it
could not judge, rather than guess.

A repeat laggard is a line lagging this quarter whose unit also rated it
lagging in the quarter before (within the year). A unit's 报送及时率 is its
periods reported on time over the periods it had to report by a deadline
that has passed (returned, late or overdue; a period without a deadline,
or one still open, does not count).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.core import rules
from toolkit.core.period import Period
from toolkit.history.records import Content
from toolkit.history.store import HistoryStore
from toolkit.register.model import Register
from toolkit.returns.merging import RETURNED, MergeResult
from toolkit.returns.timeliness import (
    LATE,
    ON_TIME,
    OVERDUE,
    Timeliness,
    judge_arrival,
    period_deadline,
)
from toolkit.summary.model import SummaryLine, share

LAGGING = (rules.BEHIND, rules.SEVERELY_BEHIND)
_JUDGED = (ON_TIME, LATE, OVERDUE)


@dataclass(frozen=True)
class PeriodRecord:
    """One merged period, as far as a later 通报 needs it."""

    period: Period
    lagging: Mapping[tuple[str, str], str]  # (序号, unit) -> 进度滞后 / 严重滞后
    timeliness: Mapping[str, Timeliness]  # unit -> its return against that period's deadline


def reporting_unit(line: SummaryLine) -> str:
    """The registered unit whose report a 一览表 line shows (its label may name a sub-office)."""
    return line.part.unit if line.part else line.row.parts[0].unit


def period_record(result: MergeResult, timeliness: Mapping[str, Timeliness]) -> PeriodRecord:
    """The record of a merge as it stands."""
    lagging = {key: e.evaluation for key, e in result.entries.items() if e.evaluation in LAGGING}
    return PeriodRecord(result.period, lagging, dict(timeliness))


def stored_record(content: Content, deadline: dt.date | None, today: dt.date) -> PeriodRecord:
    """The record of a merge the history keeps (its returns' file times as arrivals)."""
    lagging = {
        (e.project_id, e.unit): e.evaluation for e in content.entries if e.evaluation in LAGGING
    }
    timely = {
        r.unit: judge_arrival(
            r.unit,
            dt.datetime.fromisoformat(r.received) if r.status == RETURNED and r.received else None,
            None,
            deadline,
            today,
        )
        for r in content.returns
    }
    return PeriodRecord(content.period, lagging, timely)


def history_records(
    path: Path, register: Register, period: Period, today: dt.date
) -> list[PeriodRecord]:
    """The year's periods before `period` that the history at `path` holds (current
    versions), each against its deadline in the register's 设置; none without a history."""
    if not Path(path).is_file():
        return []
    out = []
    with HistoryStore(path) as store:
        store.require_region(register.region)
        for version in store.periods(period.year):
            if version.period >= period:
                continue
            kept = store.record(version.period)
            if kept is not None:
                due = period_deadline(register.settings, version.period)
                out.append(stored_record(kept.content, due, today))
    return out


@dataclass(frozen=True)
class TimelyRate:
    """One unit's 报送及时率 over the year's periods up to the current one."""

    unit: str
    due: int  # periods whose deadline has passed
    on_time: int
    late: int  # returned after the deadline
    overdue: int  # not returned, deadline passed

    @property
    def rate(self) -> str:
        """`75.0%`, or empty when no period counted."""
        return share(self.on_time, self.due) if self.due else ""

    def as_dict(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "due": self.due,
            "on_time": self.on_time,
            "late": self.late,
            "overdue": self.overdue,
            "rate": self.rate or None,
        }


def timely_rates(units: Iterable[str], records: Sequence[PeriodRecord]) -> list[TimelyRate]:
    """Each unit's rate over `records` (the year's periods, the current one included)."""
    out = []
    for unit in units:
        states = [r.timeliness[unit].state for r in records if unit in r.timeliness]
        judged = [s for s in states if s in _JUDGED]
        out.append(
            TimelyRate(
                unit, len(judged), judged.count(ON_TIME), judged.count(LATE), judged.count(OVERDUE)
            )
        )
    return out


def year_records(current: PeriodRecord, earlier: Iterable[PeriodRecord]) -> list[PeriodRecord]:
    """The current period and the earlier ones of its year, in order (one record per period)."""
    by_period = {r.period: r for r in earlier if r.period.year == current.period.year}
    by_period[current.period] = current
    return [by_period[p] for p in sorted(by_period) if p <= current.period]
