"""Checking one unit's return against the register and the district's rules.

Input: the rows read from a return (toolkit.returns). Output: what the unit
reported for each of its rows (`Entry`) and the findings. Text is never
truncated or rewritten, except item markers when the user asks for
`--normalize-numbering`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from toolkit.core import rules
from toolkit.core.findings import WARNING, Finding, finding
from toolkit.core.period import Period
from toolkit.forms.identity import PROP_FINGERPRINT
from toolkit.office import ooxml
from toolkit.register.model import Register, rows_fingerprint
from toolkit.returns.reader import ReturnedForm, ReturnRow

_TEXT_KEYS = (rules.PROGRESS, rules.PLAN)


@dataclass
class Entry:
    """What one unit reported for one row."""

    unit: str
    id: str
    progress: str
    plan: str
    evaluation: str | None  # canonical value, or None when empty/invalid
    evaluation_typed: str
    extra: dict[str, str] = field(default_factory=dict)


def _same_text(typed: str, register: str) -> bool:
    # The form showed the register text without the characters XML cannot hold.
    return "".join(typed.split()) == "".join(ooxml.strip_xml_forbidden(register).split())


def check_return(
    register: Register,
    period: Period,
    unit: str,
    form: ReturnedForm,
    *,
    normalize_numbering: bool = False,
) -> tuple[dict[str, Entry], list[Finding]]:
    file = form.path.name
    found: list[Finding] = []

    def add(code: str, message: str, pid: str | None = None, level: str | None = None) -> None:
        found.append(finding(code, message, unit=unit, id=pid, file=file, level=level))

    sent = form.properties.get(PROP_FINGERPRINT)
    if sent and sent != rows_fingerprint(register.projects_of(unit), period.quarter):
        add(
            "register_changed",
            "登记表在分发填报表之后改动过本单位的项目（增删项目，或改了名称、目标），汇总以当前登记表为准。",
        )
    entries: dict[str, Entry] = {}
    if not form.headers:
        add(
            "no_table",
            "文件中找不到项目表（表头应含“序号”和“进展情况”），无法读取任何填报内容。",
        )
    for row in form.rows:
        project = register.project(row.id)
        if project is None:
            add("unknown_row", f"序号“{row.id_text}”不在登记表中，该行未汇总。", row.id)
            continue
        if not project.led_by(unit):
            add(
                "foreign_row",
                f"序号 {row.id} 由{project.lead}主办，不是{unit}的项目，该行未汇总。",
                row.id,
            )
            continue
        if row.id in entries:
            add("duplicate_row", f"序号 {row.id} 在表中出现多次，只汇总第一次出现的内容。", row.id)
            continue
        entries[row.id] = _check_row(
            unit, row, project.prefilled(period.quarter), add, normalize_numbering
        )
    for project in register.projects_of(unit):
        if project.id not in entries and form.headers:
            add("missing_row", f"表中缺少序号 {project.id}（{project.name}）这一行。", project.id)
    return entries, found


def _check_row(
    unit: str,
    row: ReturnRow,
    prefilled: dict[str, str],
    add: Callable[..., None],
    normalize: bool,
) -> Entry:
    pid = row.id
    for key, expected in prefilled.items():
        typed = row.cells.get(key)
        if typed is not None and not _same_text(typed, expected):
            add(
                "prefilled_changed",
                f"{rules.COLUMN_LABELS[key]}与登记表不一致，汇总时以登记表为准。"
                f"表中为“{_clip(typed)}”，登记表为“{_clip(expected)}”。",
                pid,
            )
    texts = {k: row.cells.get(k, "").strip("\n") for k in _TEXT_KEYS}
    for key in _TEXT_KEYS:
        label = rules.COLUMN_LABELS[key]
        text = texts[key]
        issue = rules.check_numbering(text)
        if issue and normalize:
            texts[key] = text = rules.normalize_numbering(text)
            add(
                "numbering_normalized",
                f"{label}的条目编号“{issue.example}”已统一改为“1.”格式。",
                pid,
            )
        elif issue and issue.kind == "wrong_marker":
            add("numbering", f"{label}的条目编号用了“{issue.example}”，应使用“1.”“2.”。", pid)
        elif issue:
            add("numbering", f"{label}有多条内容，但没有按“1.”“2.”编号。", pid)
        n = rules.count_chars(text)
        if n > rules.MAX_CHARS:
            add("too_long", f"{label}有 {n} 字，超过 {rules.MAX_CHARS} 字上限（不计空白）。", pid)

    evaluation = rules.parse_evaluation(row.cells.get(rules.EVALUATION, ""))
    if evaluation.kind == "empty":
        add("missing_evaluation", "未填写进度评价。", pid)
    elif evaluation.kind == "invalid":
        add(
            "invalid_evaluation",
            f"进度评价“{evaluation.typed}”不是可选值（{' / '.join(rules.EVALUATIONS)}）。",
            pid,
        )
    elif evaluation.kind == "synonym":
        add(
            "invalid_evaluation",
            f"进度评价“{evaluation.typed}”不是规范写法，已按“{evaluation.value}”汇总。",
            pid,
            level=WARNING,
        )
    if not texts[rules.PROGRESS].strip() and evaluation.value != rules.COMPLETED:
        add("empty_progress", "未填写进展情况（只有进度评价为“已完成”的项目可以不填）。", pid)
    return Entry(
        unit=unit,
        id=pid,
        progress=texts[rules.PROGRESS],
        plan=texts[rules.PLAN],
        evaluation=evaluation.value,
        evaluation_typed=evaluation.typed,
        extra=dict(row.extra),
    )


def _clip(text: str, n: int = 30) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= n else text[:n] + "…"
