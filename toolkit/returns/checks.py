"""Checking one unit's return against the register and the district's rules.

Input: the rows read from a return (toolkit.returns). Output: what the unit
reported for each of its rows (`Entry`) and the findings. Text is never
truncated or rewritten, except item markers when the user asks for
`--normalize-numbering`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from toolkit.core import rules
from toolkit.core.findings import WARNING, Finding, finding
from toolkit.core.period import Period
from toolkit.forms.identity import PROP_FINGERPRINT
from toolkit.office import ooxml
from toolkit.register.model import Project, Register, rows_fingerprint
from toolkit.returns.reader import NO_ID, PROJECT, SUMMARY, ReturnedForm, ReturnRow

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
    reference: str = ""  # the form's 上季度填报（供参考） cell as sent back: never merged


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
    summary_columns: Collection[str] = (),
) -> tuple[dict[str, Entry], list[Finding]]:
    """Check one unit's return; `summary_columns` are the extra columns the 一览表 shows.

    Every text the unit can see in its project table ends up in an Entry, or
    in a finding that quotes it (docs/checks.md, rule 1).
    """
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
    for key, headers in form.joined_columns.items():
        add(
            "split_column",
            f"{'、'.join(f'“{h}”' for h in headers)}这几列都是“{rules.COLUMN_LABELS[key]}”，"
            "已按从左到右的顺序合并汇总；请把它们合并为一列。",
        )
    # Text the 一览表 shows anyway, left out of quotes: the register's cells.
    said_by_register = _lines(
        t for p in register.projects_of(unit) for t in p.prefilled(period.quarter).values()
    )
    for row in form.rows:
        pid = row.id or None
        project = register.project(row.id)
        known = said_by_register
        if project is not None and not project.led_by(unit):
            known = known | _lines(project.prefilled(period.quarter).values())
        if row.id in entries:  # a second row of a 序号: the first one's text is merged
            first = entries[row.id]
            known = known | _lines([first.progress, first.plan, first.evaluation_typed])
            known |= _lines(first.extra.values())
        _report_unmerged(row, add, known)
        # Rows joined into this one are quoted by continuation_row, each on its own.
        said = _quoted(row.own_texts(), known, with_id=row.kind != PROJECT)
        if row.kind == SUMMARY:
            add("summary_row", f"合计行不是项目，未汇总（一览表的统计由程序计算）{_colon(said)}。")
            continue
        if row.kind == NO_ID:
            add(
                "unknown_row",
                f"有一行没有序号，未汇总：{said}。新项目请填写登记表中的序号；"
                "同一项目的内容请写在该项目的单元格里。",
            )
            continue
        if project is None:
            add("unknown_row", f"序号“{row.id_text}”不在登记表中，该行未汇总{_colon(said)}。", pid)
            continue
        if not project.led_by(unit):
            add(
                "foreign_row",
                f"序号 {row.id} 由{project.lead}主办，不是{unit}的项目，该行未汇总{_colon(said)}。",
                pid,
            )
            continue
        if row.id in entries:
            add(
                "duplicate_row",
                f"序号 {row.id} 在表中出现多次，只汇总第一次出现的内容；未汇总的一行{_colon(said)}。",
                pid,
            )
            continue
        _report_columns(row, project, register, summary_columns, add)
        entries[row.id] = _check_row(
            unit, row, project.prefilled(period.quarter), add, normalize_numbering
        )
    for project in register.projects_of(unit):
        if project.id not in entries and form.headers:
            add("missing_row", f"表中缺少序号 {project.id}（{project.name}）这一行。", project.id)
    return entries, found


def _label(column: str) -> str:
    """A column id (key or extra-column name) in the office's words."""
    return rules.COLUMN_LABELS.get(column, column)


def _which(row: ReturnRow) -> str:
    """How a message names a row that has no 序号 of its own ("" when the finding's 序号 does)."""
    return {SUMMARY: "合计行", NO_ID: "没有序号的一行"}.get(row.kind, "")


def _report_unmerged(row: ReturnRow, add: Callable[..., None], known: set[str]) -> None:
    """What shows in the row but is not merged as its own text: rows joined, struck text, pictures."""
    pid = row.id if row.kind == PROJECT else None
    which = _which(row)
    of = f"{which}的" if which else ""
    if row.joined:
        rows = "、".join(_quoted(texts, known) or "（只有登记表中的文字）" for texts in row.joined)
        add(
            "continuation_row",
            f"{which or '本行'}下方有 {len(row.joined)} 行没有序号（或序号单元格与上一行合并），"
            f"其内容已按列并入{which or '本行'}：{rows}。如果是新项目，请填写登记表中的序号。",
            pid,
        )
    for column, pieces in _by_column(row.struck).items():
        add(
            "struck_text",
            f"{of}{_label(column)}中有删除线文字{'、'.join(f'“{_quote(p)}”' for p in pieces)}，"
            "一览表未收录（删除线表示删去）；如要保留，请去掉删除线。",
            pid,
        )
    for column, things in _by_column(row.unread).items():
        add(
            "unread_content",
            f"{of}{_label(column)}中有{'、'.join(dict.fromkeys(things))}，"
            "一览表只汇总文字，这些内容未汇总；如有需要，请改为文字填写。",
            pid,
        )


def _by_column(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for column, text in pairs:
        grouped.setdefault(column, []).append(text)
    return grouped


def _report_columns(
    row: ReturnRow,
    project: Project,
    register: Register,
    summary_columns: Collection[str],
    add: Callable[..., None],
) -> None:
    """Text in columns the 一览表 does not take from the return: compared or reported."""
    for name, text in row.extra.items():
        if not text.strip():
            continue
        if name in register.extra_columns:  # the register's own column: its value wins
            expected = project.extra.get(name, "")
            if not _same_text(text, expected):
                add(
                    "prefilled_changed",
                    f"“{name}”与登记表不一致，汇总时以登记表为准。"
                    f"表中为“{_quote(text)}”，登记表为“{_quote(expected)}”。",
                    row.id,
                )
        elif name not in summary_columns:
            add(
                "unused_column",
                f"“{name}”列不在一览表中，其内容未汇总：“{_quote(text)}”。"
                "需要汇总的内容请写在进展情况或存在问题及下一步工作计划中。",
                row.id,
            )


def _lines(texts: Iterable[str]) -> set[str]:
    """Each text, and each of its lines, without spaces: what a quote may leave out."""
    return {"".join(line.split()) for t in texts for line in (t, *t.split("\n"))} - {""}


def _quoted(texts: list[tuple[str, str]], known: set[str], *, with_id: bool = False) -> str:
    """A row's own text for a finding, quoted: its lines but those the 一览表 shows anyway
    (`known`), what a unit fills in first, so a short quote shows that; "" if none is left."""
    first = (rules.ID, *rules.FILLED_KEYS)
    own = []
    for column, text in sorted(texts, key=lambda ct: first.index(ct[0]) if ct[0] in first else 9):
        if column == rules.ID and not with_id:
            continue
        lines = [ln for ln in text.split("\n") if "".join(ln.split()) not in known]
        if lines and "".join(text.split()) not in known:
            own.append(" ".join(lines))
    return f"“{_quote(' | '.join(own))}”" if own else ""


def _colon(said: str) -> str:
    return f"：{said}" if said else ""


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
                f"表中为“{_quote(typed)}”，登记表为“{_quote(expected)}”。",
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
        merged = rules.PROGRESS in row.continued
        add(
            "empty_progress",
            "进展情况单元格与上一行合并了，本行没有自己的进展情况：请拆分单元格，分别填写。"
            if merged
            else "未填写进展情况（只有进度评价为“已完成”的项目可以不填）。",
            pid,
        )
    return Entry(
        unit=unit,
        id=pid,
        progress=texts[rules.PROGRESS],
        plan=texts[rules.PLAN],
        evaluation=evaluation.value,
        evaluation_typed=evaluation.typed,
        extra=dict(row.extra),
        reference=row.cells.get(rules.REFERENCE, ""),
    )


QUOTE_CHARS = 60


def _quote(text: str, n: int = QUOTE_CHARS) -> str:
    """A short quote of a unit's text for a finding: one line, at most `n` characters."""
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"
