"""What a new version of a period changes against the one before it, kept with the version.

Stored as JSON in `merges.changes`:

    {"first": true}                                  the period's first version
    {"files": [{"unit", "before", "after"}],         a unit's file or its status changed
     "entries": [{"id", "unit", "fields": [...]}],   a unit's texts or evaluation changed
     "rows": {"added": [...], "removed": [...]},     序号 in one version only
     "register": true,                               the register file changed
     "findings": [before, after]}                    how many findings each had
"""

from __future__ import annotations

from typing import Any

from toolkit.core import rules
from toolkit.history.records import Content, EntryRecord, ReturnRecord

_FIELDS = (
    ("progress", rules.COLUMN_LABELS[rules.PROGRESS]),
    ("plan", rules.COLUMN_LABELS[rules.PLAN]),
    ("evaluation_typed", rules.COLUMN_LABELS[rules.EVALUATION]),
)
_STATUS_WORDS = {"missing": "未报送", "unreadable": "无法读取", "blank": "空白表"}


def what_changed(before: Content | None, after: Content) -> dict[str, Any]:
    if before is None:
        return {"first": True}
    out: dict[str, Any] = {}
    files = _files(before.returns, after.returns)
    if files:
        out["files"] = files
    entries = _entries(before.entries, after.entries)
    if entries:
        out["entries"] = entries
    old_ids, new_ids = [r.id for r in before.rows], [r.id for r in after.rows]
    added = [i for i in new_ids if i not in set(old_ids)]
    removed = [i for i in old_ids if i not in set(new_ids)]
    if added or removed:
        out["rows"] = {"added": added, "removed": removed}
    if before.register_sha256 != after.register_sha256:
        out["register"] = True
    out["findings"] = [len(before.findings), len(after.findings)]
    return out


def _file_label(r: ReturnRecord | None) -> str:
    if r is None or (r.file is None and r.status == "missing"):
        return "未报送"
    word = _STATUS_WORDS.get(r.status)
    return f"{r.file}（{word}）" if word and r.file else (r.file or word or "")


def _files(before: list[ReturnRecord], after: list[ReturnRecord]) -> list[dict[str, str]]:
    old = {r.unit: r for r in before}
    out = []
    for r in after:
        o = old.get(r.unit)
        if o is None or (o.status, o.file, o.sha256) != (r.status, r.file, r.sha256):
            out.append({"unit": r.unit, "before": _file_label(o), "after": _file_label(r)})
    return out


def _entries(before: list[EntryRecord], after: list[EntryRecord]) -> list[dict[str, Any]]:
    old = {(e.project_id, e.unit): e for e in before}
    new = {(e.project_id, e.unit): e for e in after}
    out = []
    for key in sorted(old.keys() | new.keys(), key=lambda k: (rules.id_sort_key(k[0]), k[1])):
        o, n = old.get(key), new.get(key)
        fields = [
            label
            for attr, label in _FIELDS
            if (getattr(o, attr) if o else None) != (getattr(n, attr) if n else None)
        ]
        if fields:
            out.append({"id": key[0], "unit": key[1], "fields": fields})
    return out


def describe(changes: dict[str, Any]) -> list[str]:
    """The changes as short Chinese lines, for `toolkit history` and the desk."""
    if changes.get("first"):
        return ["第一次记录"]
    lines = [f"{f['unit']}：{f['before']} → {f['after']}" for f in changes.get("files", [])]
    entries = changes.get("entries", [])
    for e in entries[:10]:
        lines.append(f"序号 {e['id']}（{e['unit']}）：{'、'.join(e['fields'])}有改动")
    if len(entries) > 10:
        lines.append(f"另有 {len(entries) - 10} 处填报内容有改动")
    rows = changes.get("rows", {})
    if rows.get("added"):
        lines.append(f"新增序号：{'、'.join(rows['added'])}")
    if rows.get("removed"):
        lines.append(f"不再有的序号：{'、'.join(rows['removed'])}")
    if changes.get("register"):
        lines.append("登记表有改动")
    before, after = changes.get("findings", [0, 0])
    if before != after:
        lines.append(f"问题由 {before} 项变为 {after} 项")
    return lines or ["汇总结果没有变化"]
