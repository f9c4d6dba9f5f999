"""Plain-text views of a merge result: the per-unit checklist and the summary lines."""

from __future__ import annotations

from toolkit.core import rules
from toolkit.core.findings import LEVEL_LABELS
from toolkit.office.folder import shown
from toolkit.returns.merging import RETURNED, STATUS_LABELS, MergeResult
from toolkit.summary.model import build_rows, statistics, statistics_text


def checklist_lines(result: MergeResult) -> list[str]:
    """One block per unit: status, file, then each finding with its 序号."""
    units = result.units
    returned = sum(u.status == RETURNED for u in units)
    lines = [
        f"{result.register.region}{result.period.label}回收表检查：{len(units)} 个单位，"
        f"已报送 {returned} 个，读取文件 {result.files_read} 个，未读取 {len(result.skipped)} 个。",
        "",
    ]
    for u in units:
        mark = "✔" if u.status == RETURNED and not u.errors else "✘"
        where = f"  {shown(u.file.name)}" if u.file else ""
        if u.status != RETURNED:
            counts = ""
        elif u.errors or u.warnings:
            counts = f"错误 {u.errors} 项，提示 {u.warnings} 项"
        else:
            counts = "无问题"
        lines.append(f"{mark} {u.unit}：{STATUS_LABELS[u.status]}{where}  {counts}".rstrip())
        for f in sorted(result.findings_of(u.unit), key=lambda f: rules.id_sort_key(f.id or "")):
            if f.code == "missing_return":
                continue
            row = f"序号 {f.id}：" if f.id else ""
            lines.append(f"    [{LEVEL_LABELS[f.level]}] {row}{f.message}")
    orphans = result.findings_of(None)
    if orphans:
        lines += ["", "无法归属到单位的文件："]
        for f in orphans:
            lines.append(f"    [{LEVEL_LABELS[f.level]}] {f.file}：{f.message}")
    if result.skipped:
        lines += ["", "未读取的文件："]
        lines += [f"    {shown(str(s.path))}：{s.reason}" for s in result.skipped]
    return lines


def summary_lines(result: MergeResult) -> list[str]:
    errors = sum(f.is_error for f in result.findings)
    missing = [u.unit for u in result.units if u.status != RETURNED]
    lines = [
        f"汇总完成：{statistics_text(statistics(build_rows(result)))}。",
        f"问题 {len(result.findings)} 项（错误 {errors} 项），详见问题清单。",
    ]
    if missing:
        lines.append(f"未报送、未填写或无法读取（{len(missing)} 个）：{'、'.join(missing)}")
    return lines
