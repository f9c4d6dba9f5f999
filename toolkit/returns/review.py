"""The reviewer's hints on a return: its evaluations against the targets
(toolkit.returns.targets) and its texts against the quarter before
(toolkit.returns.continuity). All are hints (提示), none changes what was
reported; each can be switched off in the register's 设置 (docs/history.md).

设置 (sheet of the register, A: name, B: value):

* `不提示`: codes (or their Chinese names) of the hints below not to give;
* `相同文字阈值`: from which similarity texts count as copied, `85%` by default;
* `未完成用语`: words of unfinished work, `正在、推进中、预计、拟` by default;
* `完成用语`: words of a finishing target, `完成、完工、建成、投入使用` by default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from toolkit.core.findings import CODES, Finding, finding
from toolkit.core.period import Period
from toolkit.core.previous import (
    FIRST_QUARTER,
    FOUND,
    NO_HISTORY,
    NOT_RECORDED,
    NOT_USED,
    PreviousQuarter,
    no_previous,
)
from toolkit.errors import RegisterError
from toolkit.forms.context import previous_context
from toolkit.register.model import Register
from toolkit.returns.checks import Entry
from toolkit.returns.continuity import Compared, check_continuity, check_reference
from toolkit.returns.targets import check_targets

REVIEW_CODES = (
    "unchanged_text",
    "commitment_not_mentioned",
    "evaluation_raised_same_text",
    "completed_but_unfinished",
    "completed_before_milestone",
    "q4_not_completed",
    "target_due_on_track",
    "reference_changed",
)

OFF, THRESHOLD, UNFINISHED, COMPLETION = "不提示", "相同文字阈值", "未完成用语", "完成用语"
DEFAULT_THRESHOLD = 0.85
DEFAULT_UNFINISHED = ("正在", "推进中", "预计", "拟")
DEFAULT_COMPLETION = ("完成", "完工", "建成", "投入使用")
_NOTED = (FOUND, NO_HISTORY, NOT_RECORDED, NOT_USED)  # a FOUND note: "未报送此项"
_LIST_SPLIT_RE = re.compile(r"[、，,；;\s/]+")


@dataclass(frozen=True)
class ReviewSettings:
    off: frozenset[str] = frozenset()
    threshold: float = DEFAULT_THRESHOLD
    unfinished_words: tuple[str, ...] = DEFAULT_UNFINISHED
    completion_words: tuple[str, ...] = DEFAULT_COMPLETION

    def enabled(self, code: str) -> bool:
        return code not in self.off


def review_settings(register: Register) -> ReviewSettings:
    """The hints' settings from the register's 设置; a value that cannot be used is refused."""
    s = register.settings
    return ReviewSettings(
        off=_codes_off(s.get(OFF, "")),
        threshold=_threshold(s.get(THRESHOLD, "")),
        unfinished_words=_words(s.get(UNFINISHED, "")) or DEFAULT_UNFINISHED,
        completion_words=_words(s.get(COMPLETION, "")) or DEFAULT_COMPLETION,
    )


def _words(value: str) -> tuple[str, ...]:
    return tuple(w for w in _LIST_SPLIT_RE.split(value.strip()) if w)


def _codes_off(value: str) -> frozenset[str]:
    by_name = {CODES[c][1]: c for c in REVIEW_CODES}
    off = set()
    for word in _words(value):
        code = word if word in REVIEW_CODES else by_name.get(word)
        if code is None:
            raise RegisterError(
                f"“{OFF}”中的“{word}”不是可以关闭的提示。",
                sheet="设置",
                hint="可以写：" + "、".join(f"{c}（{CODES[c][1]}）" for c in REVIEW_CODES) + "。",
            )
        off.add(code)
    return frozenset(off)


def _threshold(value: str) -> float:
    text = value.strip().removesuffix("%").removesuffix("％").strip()
    if not text:
        return DEFAULT_THRESHOLD
    try:
        number = float(text)
    except ValueError:
        number = -1.0
    share = number / 100 if number > 1 else number
    if not 0.5 <= share <= 1.0:
        raise RegisterError(
            f"“{THRESHOLD}”应为 50% 到 100% 之间的百分数，现为“{value}”。",
            sheet="设置",
            hint="如 85%（默认）；数值越小，越多的文字算作与上季度相同。",
        )
    return share


def review_return(
    register: Register,
    period: Period,
    unit: str,
    entries: dict[str, Entry],
    previous: PreviousQuarter | None,
    settings: ReviewSettings,
    file: str,
) -> list[Finding]:
    """The hints on one unit's rows (`entries` by 序号), in row order."""
    found: list[Finding] = []
    before = previous.before if previous else None
    label = f"上季度（第{before.quarter_cn}季度）" if before else ""
    for pid, entry in entries.items():

        def add(code: str, message: str, pid: str = pid) -> None:
            found.append(finding(code, message, unit=unit, id=pid, file=file))

        project = register.project(pid)
        if project is not None:
            check_targets(
                entry,
                project,
                period,
                add,
                settings.enabled,
                unfinished_words=settings.unfinished_words,
                completion_words=settings.completion_words,
            )
        last = previous.entry(pid, unit) if previous else None
        if last is not None:
            compared = Compared(entry, last, label, settings.threshold)
            check_continuity(compared, period, add, settings.enabled)
        # Only when what the form showed can be known: from the history as it is now.
        if (
            previous is not None
            and previous.status in (FOUND, FIRST_QUARTER)
            and settings.enabled("reference_changed")
        ):
            check_reference(entry.reference, _shown_for_reference(previous, pid, unit), add)
    return found


def _shown_for_reference(previous: PreviousQuarter, project_id: str, unit: str) -> list[str]:
    """What a form's reference cell may have shown: the texts, whole or cut, or a note why
    there were none (the history may have changed since the form was made)."""
    shown = previous_context(previous, project_id, unit)
    notes = [no_previous(previous.period, status).note for status in _NOTED]
    return [shown["text"], shown["progress"], shown["plan"], shown["evaluation"], *notes]
