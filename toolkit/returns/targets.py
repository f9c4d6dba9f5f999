"""A row's 进度评价 against its targets and its own text (docs/history.md).

Hints for the reviewer, never changes: the evaluation is reported as the
unit wrote it.

* `completed_but_unfinished`: 已完成, while the progress text speaks of
  work still going on (正在、推进中、预计、拟 …, 设置 `未完成用语`);
* `completed_before_milestone`: 已完成, while the annual target names a
  month after this quarter (`12月底前投入使用` in the second quarter);
* `q4_not_completed`: the fourth quarter, and not 已完成;
* `target_due_on_track`: this quarter's target is to finish something
  (完成、完工、建成、投入使用 …, 设置 `完成用语`; not a share like
  `完成工程量80%`), the progress text does not speak of it, and the
  evaluation is 正常推进 (the first three quarters: the fourth has
  `q4_not_completed`). A target that is the project's end (`完工。`) is
  never spoken of enough: 正常推进 is then always a contradiction.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from toolkit.core import rules, texts
from toolkit.core.dates import month_mentions, quarter_end_month
from toolkit.core.period import Period
from toolkit.register.model import Project
from toolkit.returns.checks import Entry
from toolkit.returns.continuity import subject_of

# A target that is a share of the work (`完成工程量80%`, `完成三成`) is a step, not the end.
_SHARE_RE = re.compile(r"\d+(?:\.\d+)?\s*[%％]|百分之|[一二三四五六七八九]成")
_CONTEXT = 12

Add = Callable[[str, str], None]  # (code, message)


def check_targets(
    entry: Entry,
    project: Project,
    period: Period,
    add: Add,
    enabled: Callable[[str], bool],
    *,
    unfinished_words: tuple[str, ...],
    completion_words: tuple[str, ...],
) -> None:
    evaluation = entry.evaluation
    if evaluation == rules.COMPLETED:
        if enabled("completed_but_unfinished"):
            _unfinished(entry.progress, unfinished_words, add)
        if enabled("completed_before_milestone"):
            _before_milestone(project.annual_target, period, add)
    elif evaluation is not None and period.quarter == 4 and enabled("q4_not_completed"):
        add(
            "q4_not_completed",
            f"第四季度的进度评价为“{evaluation}”：年底时年度目标尚未完成。"
            + (
                "正常推进不能说明年度目标未完成的情况，请如实评价为进度滞后或严重滞后，"
                if evaluation == rules.ON_TRACK
                else ""
            )
            + "请在下一步工作计划中写明完成时限。",
        )
    elif evaluation == rules.ON_TRACK and period.quarter < 4 and enabled("target_due_on_track"):
        target = project.quarter_target(period.quarter)
        _due_on_track(target, entry.progress, period, completion_words, add)


def _unfinished(progress: str, words: tuple[str, ...], add: Add) -> None:
    found = [(progress.find(w), w) for w in words if w and w in progress]
    if not found:
        return
    at, word = min(found)
    start, end = max(0, at - _CONTEXT), min(len(progress), at + len(word) + _CONTEXT)
    context = " ".join(progress[start:end].split())
    named = "”“".join(dict.fromkeys(w for _, w in sorted(found)))
    add(
        "completed_but_unfinished",
        f"进度评价为“已完成”，但进展情况中有“{named}”等尚未完成的说法"
        f"（“{'…' if start else ''}{context}{'…' if end < len(progress) else ''}”）："
        "请核实项目是否已全部完成。",
    )


def _before_milestone(annual_target: str, period: Period, add: Add) -> None:
    last = (period.year, quarter_end_month(period.quarter))
    later = [d for d in month_mentions(annual_target, period.year) if (d.year, d.month) > last]
    if later:
        d = later[-1]
        when = f"{d.year}年{d.month}月" if d.year != period.year else f"{d.month}月"
        add(
            "completed_before_milestone",
            f"进度评价为“已完成”，但年度目标的时间节点在{when}（“{annual_target.strip()[:40]}”），"
            f"晚于{period.label}：请核实是否已完成全部年度目标，只完成了阶段目标的应评价为正常推进。",
        )


def _due_on_track(
    target: str, progress: str, period: Period, words: tuple[str, ...], add: Add
) -> None:
    word = next((w for w in words if w and w in target), None)
    if word is None or _SHARE_RE.search(target):
        return
    rest = target
    for w in words:
        rest = rest.replace(w, "") if w else rest
    subject = subject_of(rest, period.year)
    if len(subject) >= 2 and texts.mentions(texts.comparable(progress), subject):
        return  # the progress says how the target went
    what = f"没有说明“{subject}”的完成情况" if len(subject) >= 2 else "本季度应全部完成"
    add(
        "target_due_on_track",
        f"第{period.quarter_cn}季度目标是“{target.strip()[:40]}”，进展情况中{what}，"
        "进度评价却为“正常推进”：目标已达成的请在进展情况中写明；未达成的应评价为进度滞后，"
        "项目已全部完成的应评价为已完成。",
    )
