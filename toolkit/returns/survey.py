"""Which files under the given paths are returns, and why each of the others is not.

Every file is accounted for: it is taken in as a return (and read, or
reported unreadable), or skipped with a reason a person can act on. The
toolkit's own outputs and forms still blank are recognised and never taken
for a unit's return, whatever their names and times.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core.period import Period
from toolkit.errors import UsageError
from toolkit.forms.identity import (
    HISTORY_APPLICATION_ID,
    HISTORY_FILE,
    OUTPUT_DISTRIBUTION,
    OUTPUT_FINDINGS,
    OUTPUT_HISTORY,
    OUTPUT_SUMMARY,
    PROP_FINGERPRINT,
    PROP_FORM_ID,
    PROP_OUTPUT,
    PROP_QUARTER,
    PROP_UNIT,
    PROP_YEAR,
    form_id,
)
from toolkit.office import folder
from toolkit.office.fileset import written_here
from toolkit.office.folder import shown
from toolkit.office.ooxml import Package, read_custom_properties
from toolkit.returns.reader import ReturnedForm

WORD_SUFFIXES = {".docx", ".docm"}
LEGACY_SUFFIXES = {".doc", ".wps", ".odt", ".rtf", ".dot", ".wpt"}
RETURN_SUFFIXES = WORD_SUFFIXES | LEGACY_SUFFIXES
SCAN_SUFFIXES = {".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff"}
SCAN_SUFFIXES |= {".heic", ".webp"}
ARCHIVE_SUFFIXES = {".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz"}
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
_SYSTEM_FILES = {"thumbs.db", "desktop.ini"}

# Why a file is not taken in (Skipped.kind).
OWN_OUTPUT = "own_output"
TEMPLATE = "template"
BLANK_FORM = "blank_form"
SCAN = "scan"
ARCHIVE = "archive"
NOT_WORD = "not_word"
TEMPORARY = "temporary"
NOT_A_FILE = "not_a_file"
FOLDER_UNREADABLE = "folder_unreadable"
KIND_LABELS = {
    OWN_OUTPUT: "toolkit 生成的文件",
    TEMPLATE: "模板",
    BLANK_FORM: "空白填报表",
    SCAN: "PDF 或图片",
    ARCHIVE: "压缩包",
    NOT_WORD: "非 Word 文件",
    TEMPORARY: "临时文件",
    NOT_A_FILE: "非普通文件",
    FOLDER_UNREADABLE: "无法打开的文件夹",
}
# Kinds that may hide what a unit meant to send: each is reported as a finding too.
MAY_HIDE_A_RETURN = {SCAN, ARCHIVE, FOLDER_UNREADABLE}

OWN_OUTPUT_REASON = "toolkit 自己生成的文件"


@dataclass(frozen=True)
class Skipped:
    """A file (or folder) under the given paths that is not taken in, and why."""

    path: Path
    kind: str
    reason: str
    unit: str | None = None  # the unit its name points to, if any

    def as_dict(self) -> dict[str, str | None]:
        return {
            "file": shown(str(self.path)),
            "kind": self.kind,
            "reason": self.reason,
            "unit": self.unit,
        }


@dataclass
class Survey:
    files: list[Path] = field(default_factory=list)  # to take in, in order
    errors: dict[Path, str] = field(default_factory=dict)  # named like a return, cannot be opened
    skipped: list[Skipped] = field(default_factory=list)
    # Folders `generate` wrote (a 分发清单 in them): their blank forms are the office's copies.
    distribution_folders: set[Path] = field(default_factory=set)


def survey(paths: list[Path]) -> Survey:
    """Walk `paths` (files or folders); nothing is opened but workbooks and .sqlite files,
    to see whose they are."""
    found = Survey()
    seen: set[tuple[object, ...]] = (
        set()
    )  # a file reached twice (a folder and a file in it) counts once
    for p in paths:
        if not os.path.lexists(p):
            raise UsageError(f"找不到回收表文件或文件夹：{shown(str(p))}")
        for entry in folder.walk(Path(p)):
            key = (*_identity(entry.path), entry.kind)
            if key in seen:
                continue
            seen.add(key)
            _sort(entry, found)
    return found


def _identity(path: Path) -> tuple[object, ...]:
    """The file itself (not its name: a link or a second spelling is the same file)."""
    try:
        st = os.stat(path)
    except OSError:
        st = None
    if st is None or not st.st_ino:  # some disks (network shares, FAT) give no file number
        return (os.path.abspath(path),)
    return (st.st_dev, st.st_ino)


def _sort(entry: folder.Entry, found: Survey) -> None:
    path = entry.path
    name, suffix = path.name, path.suffix.lower()
    if entry.kind == folder.FOLDER:
        if suffix in RETURN_SUFFIXES:  # its files are looked at all the same
            found.files.append(path)
            found.errors[path] = "这是一个文件夹，不是文件。"
    elif entry.kind == folder.FOLDER_UNREADABLE:
        reason = f"无法打开此文件夹（{entry.error}），其中的文件未读取：请检查文件夹的访问权限"
        found.skipped.append(Skipped(path, FOLDER_UNREADABLE, reason))
    elif name.startswith("~$") or name.lower() in _SYSTEM_FILES:
        reason = "Word、WPS 或 Windows 自动生成的临时文件或系统文件"
        found.skipped.append(Skipped(path, TEMPORARY, reason))
    elif suffix in RETURN_SUFFIXES:
        found.files.append(path)
        if entry.kind not in (folder.FILE, folder.BROKEN_LINK):  # the reader says 文件不存在
            found.errors[path] = f"{entry.error}，未打开。"
    elif not entry.is_file:
        found.skipped.append(Skipped(path, NOT_A_FILE, entry.error))
    elif suffix in SCAN_SUFFIXES and written_here(path):  # `merge --pdf`'s 一览表
        found.skipped.append(Skipped(path, OWN_OUTPUT, f"{OWN_OUTPUT_REASON}（PDF）"))
    elif suffix in SCAN_SUFFIXES:
        reason = "这是 PDF 或图片（扫描件），无法汇总：请报送 Word 版填报表"
        found.skipped.append(Skipped(path, SCAN, reason))
    elif suffix in ARCHIVE_SUFFIXES:
        reason = "这是压缩包，其中的文件未读取：请解压后再放入回收表文件夹"
        found.skipped.append(Skipped(path, ARCHIVE, reason))
    elif _is_history(path):
        found.skipped.append(Skipped(path, OWN_OUTPUT, f"{OWN_OUTPUT_REASON}（{OUTPUT_HISTORY}）"))
    elif suffix in WORKBOOK_SUFFIXES and (kind := output_kind(path)):
        found.skipped.append(Skipped(path, OWN_OUTPUT, f"{OWN_OUTPUT_REASON}（{kind}）"))
        if kind == OUTPUT_DISTRIBUTION:
            found.distribution_folders.add(path.parent)
    else:
        found.skipped.append(Skipped(path, NOT_WORD, "不是 Word 文件，未读取"))


# ---------------------------------------------------------------- the toolkit's own files

_SQLITE_HEADER = b"SQLite format 3\x00"


def _is_history(path: Path) -> bool:
    """The toolkit's history file (a .sqlite with its application id), or its journal."""
    if path.name == f"{HISTORY_FILE}-journal":
        return True
    if path.suffix.lower() != Path(HISTORY_FILE).suffix:
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(72)
    except OSError:
        return False
    return (
        head[:16] == _SQLITE_HEADER and int.from_bytes(head[68:72], "big") == HISTORY_APPLICATION_ID
    )


def output_kind(path: Path) -> str | None:
    """What the toolkit wrote at `path` (一览表, 问题清单 …), from its properties or sheets."""
    try:
        with Package(path) as pkg:
            kind = read_custom_properties(pkg).get(PROP_OUTPUT, "").strip()
            if kind or path.suffix.lower() not in WORKBOOK_SUFFIXES:
                return kind or None
            workbook = pkg.xml("xl/workbook.xml")
    except Exception:  # not a package we can open: the reader says why, if it matters
        return None
    # Workbooks written before they carried the property, by their sheet names.
    if workbook is None:
        return None
    names = {el.get("name") or "" for el in workbook.iter() if el.tag.endswith("}sheet")}
    if {"问题清单", "报送情况"} <= names:
        return OUTPUT_FINDINGS
    if OUTPUT_DISTRIBUTION in names:
        return OUTPUT_DISTRIBUTION
    if any(n.endswith(OUTPUT_SUMMARY) for n in names):
        return OUTPUT_SUMMARY
    return None


_NOTICE_TITLES = ("退回修改意见", "催报通知", "报送材料不符合要求的通知")
_TAG_MARKS = ("{{", "{%")


def unmarked_toolkit_file(form: ReturnedForm, leading_units: int) -> tuple[str, str] | None:
    """(kind, reason) when a Word file is the toolkit's though it carries no `PROP_OUTPUT`.

    A template has tags where a form has its unit and 序号. A document the
    folder's record says the toolkit wrote there (the 一览表's 公开版, which
    carries no property). A 一览表 or a
    notice written before outputs were marked: never a form (those carry a
    form id); a 一览表 has rows led by several units (`leading_units`,
    counting rows a single unit leads), which no unit's return has; a
    notice has its title and no project table.
    """
    typed = [form.unit_line or "", *(row.id_text for row in form.rows)]
    if any(mark in text for text in typed for mark in _TAG_MARKS):
        return TEMPLATE, "toolkit 的模板文件（含 {{ }} 标签），不是回收表"
    if form.properties.get(PROP_FORM_ID) or form.properties.get(PROP_UNIT):
        return None
    if written_here(form.path):  # the 一览表's 公开版, which carries no property
        return OWN_OUTPUT, OWN_OUTPUT_REASON
    title = "".join((form.title or "").split())
    kind = None
    if not form.headers and title.startswith(_NOTICE_TITLES):
        kind = next(t for t in _NOTICE_TITLES if title.startswith(t))
    elif OUTPUT_SUMMARY in title and leading_units >= 2:
        kind = OUTPUT_SUMMARY
    return (OWN_OUTPUT, f"{OWN_OUTPUT_REASON}（{kind}）") if kind else None


def is_blank_form(form: ReturnedForm) -> bool:
    """A form as `generate` wrote it: its own form id, and nothing a unit typed (ReturnRow.typed)."""
    props = form.properties
    unit, fingerprint = props.get(PROP_UNIT, ""), props.get(PROP_FINGERPRINT, "")
    year, quarter = props.get(PROP_YEAR, ""), props.get(PROP_QUARTER, "")
    if not (year.isdigit() and quarter in ("1", "2", "3", "4") and 1900 < int(year) < 3000):
        return False
    if props.get(PROP_FORM_ID) != form_id(Period(int(year), int(quarter)), unit, fingerprint):
        return False
    return bool(form.headers) and not any(row.typed() for row in form.rows)
