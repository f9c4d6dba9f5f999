"""A return against the same unit's return of the quarter before (docs/history.md).

* `unchanged_text`: progress or plan identical or nearly identical to last
  quarter's: core.texts.similarity at or above the threshold, and no
  number last quarter's text did not have;
* `commitment_not_mentioned`: last quarter's plan promised something by a
  date that has now passed (`9月底前完成竣工验收`) and this quarter's texts
  say nothing of it;
* `evaluation_raised_same_text`: a better evaluation than last quarter's,
  with the same progress text;
* `reference_changed`: the form's reference cell (last quarter's texts,
  never merged) holds something the form did not show: text typed in the
  wrong column is quoted, never lost without a word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from toolkit.core import rules, texts
from toolkit.core.dates import month_mentions, quarter_end_month
from toolkit.core.period import Period
from toolkit.core.previous import PreviousEntry
from toolkit.returns.checks import Entry

# Texts shorter than this (normalised) are not compared: `无`, `已完成`, `同上`
# say the same every quarter without being copied.
MIN_COMPARED_CHARS = 15
_QUOTE_CHARS = 60

Add = Callable[[str, str], None]  # (code, message)


@dataclass(frozen=True)
class Compared:
    entry: Entry
    before: PreviousEntry
    label: str  # `上季度（第二季度）`
    threshold: float


def check_continuity(c: Compared, period: Period, add: Add, enabled: Callable[[str], bool]) -> None:
    """Every rule of this module on one row of `period` that has a previous-quarter entry."""
    if enabled("unchanged_text"):
        _unchanged(c, add)
    if enabled("commitment_not_mentioned"):
        _commitments(c, period, add)
    if enabled("evaluation_raised_same_text"):
        _raised(c, add)


def check_reference(typed: str, shown: list[str], add: Add) -> None:
    """The reference cell against what the form may have shown there (`shown`)."""
    said = texts.comparable(typed)
    if said and not any(said in texts.comparable(text) for text in shown):
        add(
            "reference_changed",
            f"“上季度填报（供参考）”一栏中有表中原来没有的内容：“{quote(typed)}”。这一栏不汇总；"
            "本季度的内容请写在进展情况或存在问题及下一步工作计划中。",
        )


def _alike(now: str, then: str, threshold: float) -> float | None:
    """How alike this quarter's text is to last quarter's, when it counts as the same text.

    The same text: both long enough to compare, at least `threshold` alike,
    and no number in `now` that `then` had not (a changed figure is news).
    """
    cn, ct = texts.comparable(now), texts.comparable(then)
    if min(len(cn), len(ct)) < MIN_COMPARED_CHARS:
        return None
    alike = texts.comparable_similarity(cn, ct)
    if alike < threshold or (alike < 1.0 and texts.new_numbers(now, then)):
        return None
    return alike


def _unchanged(c: Compared, add: Add) -> None:
    if c.entry.evaluation == rules.COMPLETED and c.before.evaluation == rules.COMPLETED:
        return  # a finished project has nothing new to tell
    for key, now, then in (
        (rules.PROGRESS, c.entry.progress, c.before.progress),
        (rules.PLAN, c.entry.plan, c.before.plan),
    ):
        alike = _alike(now, then, c.threshold)
        if alike is None:
            continue
        how = "完全相同" if alike == 1.0 else f"几乎相同（相似度 {alike:.0%}）"
        add(
            "unchanged_text",
            f"{rules.COLUMN_LABELS[key]}与{c.label}{how}：本季度“{quote(now)}”，"
            f"上季度“{quote(then)}”。请写明本季度的新进展和新计划。",
        )


def _raised(c: Compared, add: Add) -> None:
    now, then = c.entry.evaluation, c.before.evaluation
    if not (now and then) or rules.least_advanced([now, then]) != then or now == then:
        return
    alike = _alike(c.entry.progress, c.before.progress, c.threshold)
    if alike is not None:
        add(
            "evaluation_raised_same_text",
            f"进度评价由{c.label}的“{then}”提高为“{now}”，但进展情况与上季度"
            f"{'相同' if alike == 1.0 else '几乎相同'}：请核实评价，或写明本季度取得的进展。",
        )


# ---------------------------------------------------------------- dated commitments

# Words around a commitment that say nothing of what was promised.
# (`前` after a date belongs to the date: core.dates takes it away with it.)
_FILLER_RE = re.compile(r"下一步|预计|力争|确保|争取|计划|将于|将|于|完成|全部|基本|实现")
_CLAUSE_RE = re.compile(r"[。；;！!？?\n，,]")
_MARKER_RE = re.compile(r"^\s*(?:\d{1,2}[.、)）]|[（(]\d{1,2}[)）]|[①-⑳])\s*")
# A label before the promise: `下一步：`, `工作计划:`.
_LABEL_RE = re.compile(r"^[^:：]{1,8}[:：]")


@dataclass(frozen=True)
class Commitment:
    text: str  # the clause as written, `10月底前完成竣工验收`
    subject: str  # what was promised, `竣工验收`


def due_commitments(plan: str, period: Period) -> list[Commitment]:
    """Clauses of last quarter's plan promising something by the end of `period` at the latest."""
    out = []
    last = (period.year, quarter_end_month(period.quarter))
    for raw in _CLAUSE_RE.split(unicodedata.normalize("NFKC", plan)):
        clause = _LABEL_RE.sub("", _MARKER_RE.sub("", raw).strip()).strip()
        dates = month_mentions(clause, period.year)
        if not dates or min((d.year, d.month) for d in dates) > last:
            continue
        subject = subject_of(clause, period.year)
        if len(subject) >= 2:
            out.append(Commitment(clause, subject))
    return out


def subject_of(text: str, year: int) -> str:
    """What a promise or a target is about: `10月底前完成竣工验收` -> `竣工验收`."""
    text = unicodedata.normalize("NFKC", text)
    for d in reversed(month_mentions(text, year)):
        text = text[: d.start] + text[d.end :]
    return texts.comparable(_FILLER_RE.sub("", text))


def _commitments(c: Compared, period: Period, add: Add) -> None:
    now = f"{c.entry.progress}\n{c.entry.plan}"
    missing = [
        m for m in due_commitments(c.before.plan, period) if not texts.mentions(now, m.subject)
    ]
    if missing:
        listed = "；".join(f"“{quote(m.text, 40)}”" for m in missing[:3])
        more = f"等 {len(missing)} 项" if len(missing) > 3 else ""
        add(
            "commitment_not_mentioned",
            f"{c.label}的下一步计划中有到期的事项{listed}{more}，本季度的进展情况和下一步计划都没有提到："
            "请写明是否已按时完成。",
        )


def quote(text: str, n: int = _QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"
