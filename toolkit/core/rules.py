"""The district's reporting rules, defined once and shared by every command.

* how a 序号 is normalised, so `１０－３`, `10—3` and `10 -3` are one row;
* which column a header text means (header matching);
* the 300-character limit and how characters are counted;
* the 进度评价 vocabulary, its order and its accepted synonyms;
* how multi-item text should be numbered (`1.` `2.`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# ---------------------------------------------------------------- 序号

_DASHES = "‐‑‒–—―−－﹣⁃"
_DASH_RE = re.compile(f"[{_DASHES}]")
_SPACE_RE = re.compile(r"\s+")


def normalize_id(text: str) -> str:
    """Canonical form of a 序号: half-width digits, ASCII hyphen, no spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _DASH_RE.sub("-", text)
    return _SPACE_RE.sub("", text)


_DIGITS_RE = re.compile(r"([0-9]+)")


def id_sort_key(project_id: str) -> tuple[tuple[int, int, str], ...]:
    """Natural order of 序号 (`2-10` after `2-9`), for any text a unit may type there.

    Each piece is tagged, so a number is never compared with a word (`（一）`,
    `1-a`, `合计` all sort): (0, digits, number) for runs of ASCII digits,
    compared by length then text, so no int() of a 5,000-digit run; (1, 0, text)
    for the rest.
    """
    key = []
    for i, piece in enumerate(_DIGITS_RE.split(project_id)):
        if i % 2:
            number = piece.lstrip("0") or "0"
            key.append((0, len(number), number))
        elif piece:
            key.append((1, 0, piece))
    return tuple(key)


def item_group(project_id: str) -> str:
    """The 件 a 序号 belongs to: the part before the dash (`10-3` -> `10`)."""
    return project_id.split("-", 1)[0]


# ---------------------------------------------------------------- headers

# Column keys used everywhere: register sheet, form template, returns, summary.
MATTER = "matter"
ID = "id"
NAME = "name"
ANNUAL_TARGET = "annual_target"
QUARTER_TARGET = "quarter_target"
PROGRESS = "progress"
PLAN = "plan"
EVALUATION = "evaluation"
LEAD = "lead"
CO = "co"
# The last quarter's texts shown on a form for reference: read back, never used.
REFERENCE = "reference"

# Columns the office pre-fills and a unit should not edit.
PREFILLED_KEYS = (NAME, ANNUAL_TARGET, QUARTER_TARGET)
# Columns a unit fills in.
FILLED_KEYS = (PROGRESS, PLAN, EVALUATION)

COLUMN_LABELS = {
    MATTER: "民生事项",
    ID: "序号",
    NAME: "项目名称",
    ANNUAL_TARGET: "年度目标",
    QUARTER_TARGET: "本季度目标",
    PROGRESS: "进展情况",
    PLAN: "存在问题及下一步工作计划",
    EVALUATION: "进度评价",
    LEAD: "主办单位",
    CO: "协办单位",
    REFERENCE: "上季度填报（供参考）",
}

QUARTER_CN = {1: "一", 2: "二", 3: "三", 4: "四"}
_CN_QUARTER = {v: k for k, v in QUARTER_CN.items()}
_QUARTER_TARGET_RE = re.compile(r"^第([一二三四1-4])季度目标$")
_QUARTER_RE = re.compile(r"第([一二三四1-4])季度")


def clean_header(text: str) -> str:
    """Header text without spaces, line breaks, or full-width forms (`序  号` -> `序号`)."""
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", text))


def quarter_target_of(header: str) -> int | None:
    """The quarter a `第N季度目标` header names, or None."""
    return _quarter_of_clean(clean_header(header))


def _quarter_of_clean(h: str) -> int | None:
    m = _QUARTER_TARGET_RE.match(h)
    return _quarter_number(m.group(1)) if m else None


def quarter_named(text: str) -> int | None:
    """The quarter a title names (`龙华区2023年第三季度…一览表` -> 3), or None."""
    m = _QUARTER_RE.search(text)
    return _quarter_number(m.group(1)) if m else None


def _quarter_number(q: str) -> int:
    return int(q) if q.isdigit() else _CN_QUARTER[q]


def header_key(text: str) -> str | None:
    """Which column a header cell of a form, return or summary means.

    Returns one of the column keys above, or None for a column the toolkit
    does not know (kept as an extra column under its own header text).
    """
    h = clean_header(text)
    if not h:
        return None
    if h in ("序号", "编号"):
        return ID
    if h == "民生事项":
        return MATTER
    if h == "项目名称":
        return NAME
    if h == "年度目标":
        return ANNUAL_TARGET
    if h == "本季度目标" or _quarter_of_clean(h) is not None:  # h is clean: no second NFKC
        return QUARTER_TARGET
    if is_reference_header(h):  # before 进展情况: `上季度进展情况（供参考）` is not the unit's
        return REFERENCE
    if "进展情况" in h:
        return PROGRESS
    if "存在问题" in h or "下一步" in h:
        return PLAN
    if h in ("进度评价", "评价"):
        return EVALUATION
    if h in ("主办单位", "牵头单位", "责任单位"):
        return LEAD
    if h in ("协办单位", "配合单位"):
        return CO
    return None


_OTHER_QUARTER_WORDS = ("上季度", "上一季度", "下季度", "下一季度", "上半年", "下半年")


def column_match(text: str, quarter: int | None) -> tuple[str | None, int]:
    """Which column a header of a return means, and how well: (key, rank), higher is better.

    A return may carry several headers for one column (a unit inserts last
    quarter's column, or splits one in two); the best rank wins, never the
    first hit. 进展情况: `第N季度…` of the merged quarter or `本季度…` rank 3, a
    bare `进展情况` 2, another quarter's is no progress column at all.
    存在问题及下一步工作计划: the whole 2, `存在问题` or `下一步工作计划` alone 1.
    A `第N季度目标` of another quarter is not this quarter's target. (None, 0)
    for a header the toolkit does not know.
    """
    h = clean_header(text)
    key = header_key(h)
    if key == PROGRESS:
        named = quarter_named(h)
        if named is not None or any(w in h for w in _OTHER_QUARTER_WORDS):
            return (PROGRESS, 3) if quarter in (None, named) else (None, 0)
        return PROGRESS, 3 if "本季度" in h else 2
    if key == PLAN:
        return PLAN, 2 if "存在问题" in h and "下一步" in h else 1
    if key == QUARTER_TARGET and quarter is not None:
        target_of = _quarter_of_clean(h)
        if target_of is not None and target_of != quarter:
            return None, 0
    return key, (0 if key is None else 2)


def is_reference_header(text: str) -> bool:
    """The form's column of the quarter before's texts, for reference: `上季度填报（供参考）`.

    Only a header saying 参考: a `上季度进展情况` column a unit inserts itself is
    an extra column like any other (column_match), whose text is reported.
    """
    return "参考" in clean_header(text)


def is_project_header_row(texts: list[str]) -> bool:
    """A table row is the project header when it names 序号 and 进展情况."""
    # 序号/编号 cannot be written without 号 (no other character NFKC-normalises
    # to it): rows without one, i.e. nearly every data row, skip normalising.
    if not any("号" in t for t in texts):
        return False
    keys = {header_key(t) for t in texts}
    return ID in keys and PROGRESS in keys


def is_return_header_row(texts: list[str]) -> bool:
    """The project header of a return: as on the form, or with 序号 and two other known
    columns, so a unit renaming 进展情况 still has its table read (and told why it is empty)."""
    if is_project_header_row(texts):
        return True
    if not any("号" in t for t in texts):
        return False
    keys = [k for t in texts if (k := header_key(t)) is not None]
    return ID in keys and len(set(keys) - {ID}) >= 2


# ---------------------------------------------------------------- rows

_SUMMARY_RE = re.compile(
    r"(合计|小计|总计|共计|累计|总共|汇总|共[0-9一二两三四五六七八九十百千零〇]+[项个件条])"
    r"[:：]?([(（].*[)）])?"
)
_EXAMPLE_LABELS = frozenset(("示例", "例", "样例", "范例", "填报示例", "示例行"))


def is_summary_label(text: str) -> bool:
    """合计, 小计, 总计, 共9项…: the label of a row summing up the table, not a project."""
    return bool(_SUMMARY_RE.fullmatch(clean_header(text)))


def is_example_label(text: str) -> bool:
    """The 序号 of the form's guidance row (示例), which is the template's, not the unit's."""
    return clean_header(text).rstrip(":：") in _EXAMPLE_LABELS


# ---------------------------------------------------------------- length

MAX_CHARS = 300


_WHITESPACE_RE = re.compile(r"\s")


def count_chars(text: str) -> int:
    """Characters counted against the limit: everything except whitespace.

    For a str pattern `\\s` is exactly `str.isspace()` (both use Unicode's
    White_Space set; a test compares them over every code point).
    """
    return len(text) - len(_WHITESPACE_RE.findall(text))


# ---------------------------------------------------------------- 进度评价

COMPLETED = "已完成"
ON_TRACK = "正常推进"
BEHIND = "进度滞后"
SEVERELY_BEHIND = "严重滞后"

# Display order, as printed on the form.
EVALUATIONS = (COMPLETED, ON_TRACK, BEHIND, SEVERELY_BEHIND)
# Least advanced first: a joint row shows the least advanced of its units.
_ADVANCEMENT = {SEVERELY_BEHIND: 0, BEHIND: 1, ON_TRACK: 2, COMPLETED: 3}

EVALUATION_SYNONYMS = {
    "完成": COMPLETED,
    "已完工": COMPLETED,
    "完工": COMPLETED,
    "全部完成": COMPLETED,
    "已经完成": COMPLETED,
    "已全部完成": COMPLETED,
    "正常": ON_TRACK,
    "推进": ON_TRACK,
    "正常进行": ON_TRACK,
    "按计划推进": ON_TRACK,
    "按期推进": ON_TRACK,
    "有序推进": ON_TRACK,
    "推进中": ON_TRACK,
    "滞后": BEHIND,
    "稍有滞后": BEHIND,
    "轻微滞后": BEHIND,
    "略有滞后": BEHIND,
    "进度落后": BEHIND,
    "严重": SEVERELY_BEHIND,
    "严重落后": SEVERELY_BEHIND,
    "严重延误": SEVERELY_BEHIND,
    "严重延期": SEVERELY_BEHIND,
}

_EVAL_NOISE_RE = re.compile(r"[\s▋■█□☑√✓。．.，,、;；:：]+")


@dataclass(frozen=True)
class Evaluation:
    """A 进度评价 cell as read: the canonical value (if any) and how it was found."""

    value: str | None
    kind: str  # "exact", "synonym", "empty", "invalid"
    typed: str


def parse_evaluation(text: str) -> Evaluation:
    typed = text.strip()
    key = _EVAL_NOISE_RE.sub("", unicodedata.normalize("NFKC", typed))
    if not key:
        return Evaluation(None, "empty", typed)
    if key in _ADVANCEMENT:
        return Evaluation(key, "exact", typed)
    if key in EVALUATION_SYNONYMS:
        return Evaluation(EVALUATION_SYNONYMS[key], "synonym", typed)
    return Evaluation(None, "invalid", typed)


def least_advanced(values: list[str]) -> str | None:
    known = [v for v in values if v in _ADVANCEMENT]
    return min(known, key=_ADVANCEMENT.__getitem__) if known else None


# ---------------------------------------------------------------- numbering

# A line starting `1.` is right; `1.5万` is a number, not an item marker.
_GOOD_MARK_RE = re.compile(r"^(\d{1,2})\.(?!\d)")
_BAD_MARK_RES = (
    re.compile(r"^(\d{1,2})[、，,）):：]"),
    re.compile(r"^(\d{1,2})．(?!\d)"),
    re.compile(r"^[（(](\d{1,2})[）)]"),
    re.compile(r"^([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])"),
)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@dataclass(frozen=True)
class NumberingIssue:
    kind: str  # "wrong_marker" or "unnumbered"
    example: str  # the offending marker or the first unnumbered line


def check_numbering(text: str) -> NumberingIssue | None:
    """Multi-item text should number its items `1.` `2.` (the form's guidance)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) < 2:
        return None
    good = 0
    for ln in lines:
        if _GOOD_MARK_RE.match(ln):
            good += 1
            continue
        for rx in _BAD_MARK_RES:
            m = rx.match(ln)
            if m:
                return NumberingIssue("wrong_marker", m.group(0))
    if good == 0:
        return NumberingIssue("unnumbered", lines[0][:20])
    return None


def normalize_numbering(text: str) -> str:
    """Rewrite `1、` `（1）` `①` item markers at line starts to `1.` (opt-in)."""

    def fix(line: str) -> str:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        for rx in _BAD_MARK_RES:
            m = rx.match(stripped)
            if m:
                n = m.group(1)
                num = str(_CIRCLED.index(n) + 1) if n in _CIRCLED else n
                return f"{indent}{num}.{stripped[m.end() :]}"
        return line

    return "\n".join(fix(ln) for ln in text.split("\n"))
