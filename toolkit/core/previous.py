"""The previous quarter's texts, as plain data.

`generate` shows them on next quarter's forms and the checks compare a
return with them. Neither knows where they come from: the edges (command
line, desk) read them from the history (toolkit.history) and pass them in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from toolkit.core.period import Period

# Why there are (or are no) texts of the quarter before.
FOUND = "found"
FIRST_QUARTER = "first_quarter"  # the first quarter has none within its year
NO_HISTORY = "no_history"  # no history file yet
NOT_RECORDED = "not_recorded"  # the history holds no merge of that quarter
NOT_USED = "not_used"  # --no-history


@dataclass(frozen=True)
class PreviousEntry:
    """What one unit reported for one row in the quarter before."""

    progress: str
    plan: str
    evaluation: str | None  # canonical value, None when it was empty or not valid


@dataclass(frozen=True)
class PreviousQuarter:
    """A unit's previous-quarter entries by (序号, unit), and why there may be none."""

    period: Period  # the quarter these texts are compared with (the one after them)
    status: str
    entries: Mapping[tuple[str, str], PreviousEntry] = field(default_factory=dict)
    source: str = ""  # the history file, as shown to the person

    @property
    def before(self) -> Period | None:
        return self.period.previous

    def entry(self, project_id: str, unit: str) -> PreviousEntry | None:
        return self.entries.get((project_id, unit))

    @property
    def note(self) -> str:
        """Why a row shows no previous texts, in a few words for a form cell."""
        before = self.before
        if self.status == FIRST_QUARTER or before is None:
            return "第一季度，无上季度内容"
        if self.status == NO_HISTORY:
            return f"没有报送历史记录，无法列出{before.quarter_cn}季度内容"
        if self.status == NOT_RECORDED:
            return f"{before.label}尚未汇总，无上季度内容"
        if self.status == NOT_USED:
            return "未使用报送历史"
        return f"{before.quarter_cn}季度未报送此项"


def notice(previous: PreviousQuarter, *, forms: bool) -> str:
    """What to tell the person about the quarter before (for `forms` or for the checks); "" if nothing."""
    before = previous.before
    if before is None or previous.status == NOT_USED:
        return ""
    where = f"报送历史 {previous.source}" if previous.source else "报送历史"
    if previous.status == FOUND:
        return (
            f"填报表中列出了各单位{before.label}的填报内容，供填写时参考（来自{where}）。"
            if forms
            else ""
        )
    if previous.status == NO_HISTORY:
        missing = f"还没有{where}（每次汇总时写入）"
    else:
        missing = f"{where}中没有{before.label}的汇总"
    if forms:
        return f"{missing}：填报表的“上季度填报”一栏只注明无上季度内容。"
    return f"{missing}：本次不与上季度的填报内容对照。"


def no_previous(period: Period, status: str, source: str = "") -> PreviousQuarter:
    """No texts to compare with: the first quarter, or `status` says why."""
    return PreviousQuarter(period, FIRST_QUARTER if period.previous is None else status, {}, source)
