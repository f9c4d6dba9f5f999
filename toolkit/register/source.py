"""Opening the register file the office has: the lock Excel leaves, the format.

A register is read from .xlsx, .xlsm, .xls or .ods directly; a WPS (.et) or
other spreadsheet format goes through LibreOffice first. Excel and WPS mark
an open workbook with a hidden owner file `~$登记表.xlsx`; one they left
behind after a crash must not block every command (`check_lock`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from toolkit.errors import RegisterError, UsageError
from toolkit.office.spreadsheet import UnreadableWorkbook, Workbook

# Read directly (python-calamine), whatever the file is named.
READ_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
# Converted to .xlsx by LibreOffice first: WPS, older and flat formats.
CONVERTED_SUFFIXES = (".et", ".ett", ".xlt", ".xltx", ".xltm", ".xlsb", ".fods", ".sxc", ".uos")
SUFFIXES = READ_SUFFIXES + CONVERTED_SUFFIXES

_HINT_SAVE = "用 Excel 或 WPS 打开登记表，另存为“Excel 工作簿（*.xlsx）”后重试。"


def lock_file(path: Path) -> Path:
    """The owner file Excel and WPS create beside a workbook they have open."""
    return path.with_name("~$" + path.name)


def check_lock(path: Path) -> str | None:
    """None without an owner file; a notice when it is stale; RegisterError while in use.

    Stale: older than the workbook itself (the workbook was saved after it was
    made, so what is on disk is what the person saved), or held by no running
    program (Windows locks the owner file while Excel/WPS has the workbook open).
    """
    lock = lock_file(path)
    try:
        lock_time = lock.stat().st_mtime
    except OSError:
        return None
    if lock_time < path.stat().st_mtime:
        return (
            f"发现 Excel/WPS 的锁文件 {lock.name}，但登记表在它之后保存过，按已保存的内容处理"
            "（Excel/WPS 中尚未保存的修改不会读到）。Excel/WPS 已关闭时，可删除这个隐藏文件。"
        )
    if not _owner_running(lock):
        return (
            f"发现锁文件 {lock.name}，但没有程序在使用它（Excel/WPS 上次未正常关闭时留下），已忽略。"
            "可删除这个隐藏文件。"
        )
    raise RegisterError(
        f"登记表 {path.name} 正在 Excel/WPS 中打开（发现锁文件 {lock.name}）。",
        hint=f"请先在 Excel/WPS 中关闭 {path.name} 后重试；如果已经关闭，删除同一文件夹中的隐藏文件 {lock.name}。",
    )


def _owner_running(lock: Path) -> bool:
    """Whether a program holds the owner file open.

    Excel and WPS on Windows keep it open without write sharing while the
    workbook is open, so opening it for writing fails exactly then. Other
    systems do not lock files that way: there the file counts as in use.
    """
    if os.name != "nt":
        return True
    try:
        with open(lock, "r+b"):
            return False
    except OSError:
        return True


def in_use_hint(path: Path) -> str:
    return f"请先在 Excel/WPS 中关闭 {path.name} 后重试。"


@contextlib.contextmanager
def open_register(path: Path, notices: list[str]) -> Iterator[Workbook]:
    """The register's workbook, converted through LibreOffice when it has to be."""
    path = Path(path)
    if not path.exists():
        raise UsageError(f"找不到登记表文件：{path}", hint="检查路径是否正确。")
    if path.is_dir():
        raise RegisterError(f"{path} 是文件夹，不是 Excel 登记表。")
    if path.suffix.lower() not in SUFFIXES:
        raise RegisterError(
            f"登记表 {path.name} 不是电子表格文件（应为 .xlsx、.xls、.et 或 .ods）。",
            hint="在 Excel/WPS 中打开登记表并另存为 .xlsx。",
        )
    notice = check_lock(path)
    if notice:
        notices.append(notice)
    try:
        workbook = _open_direct(path)
    except PermissionError:
        raise RegisterError(
            f"无法打开登记表 {path.name}：文件正被其他程序占用，或没有读取权限。",
            hint=in_use_hint(path),
        ) from None
    if workbook is not None:
        with workbook:
            yield workbook
        return
    with tempfile.TemporaryDirectory(prefix="toolkit-register-") as tmp:
        converted = _convert(path, Path(tmp))
        notices.append(
            f"登记表 {path.name} 不是 Excel 格式（如 WPS 表格 .et），已用 LibreOffice 转换后读取，"
            "原文件未改动；另存为 .xlsx 可省去转换。"
        )
        try:
            workbook = Workbook(converted)
        except UnreadableWorkbook as exc:
            raise RegisterError(
                f"登记表 {path.name} 无法读取：{exc.message}", hint=_HINT_SAVE
            ) from None
        with workbook:
            yield workbook


def _open_direct(path: Path) -> Workbook | None:
    """The workbook, or None when only LibreOffice can read it."""
    try:
        return Workbook(path)
    except UnreadableWorkbook as exc:
        if path.suffix.lower() in CONVERTED_SUFFIXES or _libreoffice_may_read(path):
            return None
        raise RegisterError(
            f"登记表 {path.name} 无法读取：{exc.message}", hint=_HINT_SAVE
        ) from None


def _libreoffice_may_read(path: Path) -> bool:
    """An old .xls (Excel 95, WPS) that calamine refuses but LibreOffice opens."""
    from toolkit.office.ooxml import sniff
    from toolkit.office.spreadsheet import workbook_kind

    return (
        path.suffix.lower() == ".xls" and sniff(path) == "ole" and workbook_kind(path) is not None
    )


def _convert(path: Path, out_dir: Path) -> Path:
    from toolkit.office.libreoffice import LibreOfficeError, convert

    try:
        done = convert([path], "xlsx", out_dir)
    except LibreOfficeError as exc:
        raise RegisterError(
            f"登记表 {path.name} 需要用 LibreOffice 转换后才能读取，但转换失败：{exc.message}",
            hint=_HINT_SAVE,
        ) from None
    if path not in done:
        raise RegisterError(
            f"登记表 {path.name} 无法读取，LibreOffice 也无法转换（文件可能已损坏或设置了密码）。",
            hint=_HINT_SAVE,
        )
    return done[path]
