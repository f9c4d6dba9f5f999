"""The notices the desk writes to a unit, as official letters (.docx).

Three kinds, each from its own editable template (templates/notice-*.docx,
overridden by `模板/<name>.docx` in the workspace), checked by `template
check` before it is used; which one a unit needs is the rule of
toolkit.returns.sendback (退回修改意见, 催报通知, 报送材料不符合要求的通知,
or none).

A notice speaks to the unit about its own return, in plain words: no file
names (the desk stores uploads as `<时间>-<文件名>`), no finding codes. The
deadline appears when one is set; the 落款 is the issuing office (发文单位
in the register's 设置, or as typed on the desk) and the date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.core import rules
from toolkit.core.findings import CODES, Finding
from toolkit.core.period import chinese_date
from toolkit.errors import UsageError
from toolkit.forms.context import period_context
from toolkit.forms.identity import PROP_OUTPUT, form_title
from toolkit.forms.rendering import PreparedTemplate
from toolkit.forms.schema import NOTICE
from toolkit.office.fileset import FileSet
from toolkit.register.settings import ISSUER as ISSUER_SETTING
from toolkit.returns.merging import UNREADABLE, MergeResult, UnitReturn
from toolkit.returns.sendback import (
    NONCONFORMING,
    REMINDER,
    RETURN,
    TITLES,
    notice_kind,
    own_findings,
    unit_status,
)
from toolkit.templates import default_path
from toolkit.templating.gate import require_passing

ERROR_LABEL, WARNING_LABEL = "须修改", "请注意"

# What makes a submission unusable (toolkit.returns.sendback.UNUSABLE), in words for the unit.
_UNUSABLE = {
    "no_table": "报送的文件中没有项目表，不是下发的填报表。",
    "unreadable": "报送的文件无法打开（可能已损坏、设置了密码或不是 Word 文件）。",
    "skipped_file": "报送的文件不是 Word 格式的填报表（如 PDF、图片、扫描件或压缩包），无法读取。",
    "blank_form": "报送的是未填写的空白填报表。",
}
_PERIOD_SAID_RE = re.compile(r"这是(\S+?)的表")


def notice_title(kind: str) -> str:
    return TITLES[kind]


@dataclass(frozen=True)
class NoticeInfo:
    """What the desk knows beyond the merge: the deadline and who issues the notice."""

    deadline: dt.date | None = None
    issuer: str = ""  # typed on the desk; 发文单位 in the register's 设置 comes first
    today: dt.date | None = None


def notice_context(
    result: MergeResult, unit: str, kind: str, info: NoticeInfo | None = None
) -> dict[str, Any]:
    info = info or NoticeInfo()
    status = unit_status(result, unit)
    register, period = result.register, result.period
    today = info.today or dt.date.today()
    title = form_title(register.region, period)
    deadline = chinese_date(info.deadline) if info.deadline else ""
    by = f"于{deadline}前" if deadline else "尽快"
    mine = own_findings(result, status)
    if kind == RETURN:
        intro = f"你单位报送的《{title}》经审核，有以下问题需要修改："
        findings = _to_correct(mine)
        request = f"请在原填报表上逐项修改后，{by}重新报送。"
    elif kind == NONCONFORMING:
        intro = "你单位报送的材料不符合要求，未能汇总："
        findings = _reasons(mine, status, period.label)
        request = f"请使用下发的《{title}》（Word 格式）填写后，{by}重新报送。"
    else:
        count = len(register.projects_of(unit))
        intro = f"截至{chinese_date(today)}，尚未收到你单位报送的《{title}》（你单位主办项目{count}个）。"
        findings = []
        request = f"请{by}报送。"
    return {
        **period_context(register.region, period),
        "title": TITLES[kind],
        "unit": unit,
        "form_title": title,
        "intro": intro,
        "findings": findings,
        "request": request,
        "deadline": deadline,
        "issuer": register.settings.get(ISSUER_SETTING, "").strip() or info.issuer.strip(),
        "date": chinese_date(today),
    }


def write_notice(
    result: MergeResult,
    unit: str,
    target: Path,
    *,
    kind: str | None = None,
    template: Path | None = None,
    info: NoticeInfo | None = None,
) -> Path:
    """Write the unit's notice (marked as the toolkit's own); one someone edited is kept in 历史/.

    The template is checked first, as `generate` and `merge` check theirs.
    """
    kind = kind or notice_kind(result, unit)
    if kind is None:
        raise UsageError(
            f"{unit}的回收表没有需要修改的问题，不需要发通知。",
            hint="重复报送、编号已统一等提示不需要退回。",
        )
    path = template or default_path(kind)
    require_passing(path, NOTICE)
    context = notice_context(result, unit, kind, info)
    data = PreparedTemplate(path).render_bytes(context, properties={PROP_OUTPUT: TITLES[kind]})
    with FileSet([target]) as files:
        files.write(target, data)
    return target


# ---------------------------------------------------------------- what the notice lists


def _to_correct(findings: list[Finding]) -> list[dict[str, Any]]:
    ordered = sorted(findings, key=lambda f: (rules.id_sort_key(f.id or ""), not f.is_error))
    return [
        {
            "no": n,
            "id": f.id or "—",
            "kind": CODES[f.code][1] if f.code in CODES else "",
            "level": ERROR_LABEL if f.is_error else WARNING_LABEL,
            "message": f.message,
        }
        for n, f in enumerate(ordered, start=1)
    ]


def _reasons(
    findings: list[Finding], status: UnitReturn, period_label: str
) -> list[dict[str, Any]]:
    """Why nothing the unit sent could be used, once each."""
    said: list[str] = []
    for f in findings:
        if f.code == "wrong_period":
            m = _PERIOD_SAID_RE.search(f.message)
            sent = f"{m.group(1)}的填报表" if m else "其他季度的填报表"
            said.append(f"报送的是{sent}，本期应报送{period_label}的填报表。")
        elif f.code in _UNUSABLE:
            said.append(_UNUSABLE[f.code])
    if not said and status.status == UNREADABLE:
        said.append(_UNUSABLE["unreadable"])
    unique = list(dict.fromkeys(said))
    return [
        {"no": n, "id": "—", "kind": "报送不符合要求", "level": ERROR_LABEL, "message": text}
        for n, text in enumerate(unique, start=1)
    ]


__all__ = [
    "NONCONFORMING",
    "REMINDER",
    "RETURN",
    "NoticeInfo",
    "notice_context",
    "notice_kind",
    "notice_title",
    "write_notice",
]
