"""Reading the register: the office's master list of projects (docs/register.md).

The register is whatever workbook the office keeps: the project table is
found by its header row (序号 and 项目名称) on any sheet; the 单位 and 设置
sheets are optional. The reader accepts what real registers look like — a
title row above the header, 民生事项 written once over a merged range or
only on the first row of its 件, 序号 turned into a date by Excel — and
rejects the rest with one message naming sheet and cell.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from toolkit.core import rules
from toolkit.errors import RegisterError, ToolkitError
from toolkit.office.spreadsheet import Sheet, UnreadableWorkbook, Workbook, cell_name
from toolkit.register.model import Project, Register, RegisterOptions, is_results_sheet
from toolkit.register.names import check_names, mentions
from toolkit.register.settings import SETTINGS_SHEET, complete_settings, read_settings
from toolkit.register.source import open_register
from toolkit.register.units import (
    ALL_STREETS,
    Unit,
    UnitDirectory,
    UnitSyntaxError,
    parse_leads,
    split_labels,
)

__all__ = ["PROJECTS_SHEET", "SETTINGS_SHEET", "looks_like_register", "read_register"]

PROJECTS_SHEET = "项目"
UNITS_SHEET = "单位"
REQUIRED = (rules.ID, rules.NAME, rules.LEAD)
_HEADER_SCAN_ROWS = 10
_HEADER_HINT = "表头行写：民生事项、序号、项目名称、年度目标、第一季度目标……主办单位、协办单位。"


def read_register(path: Path, options: RegisterOptions | None = None) -> Register:
    options = options or RegisterOptions()
    path = Path(path)
    notices: list[str] = []
    try:
        with open_register(path, notices) as book:
            sheet, header_row, texts = _project_sheet(book)
            settings = read_settings(_optional_sheet(book, SETTINGS_SHEET), text)
            directory = _read_units(_optional_sheet(book, UNITS_SHEET))
    except UnreadableWorkbook as exc:
        raise RegisterError(f"登记表 {path.name} 无法读取：{exc.message}") from None
    titles = [t for r in range(header_row) if (t := _first_text(sheet, r))]
    notices += complete_settings(
        settings,
        region=options.region,
        year=options.year,
        titles=[*titles, sheet.name],
        file_stem=path.stem,
    )
    reader = _ProjectSheetReader(sheet, header_row, texts)
    rows = reader.read()
    written = [m for r in rows for m in mentions(r.lead, r.lead_cell, directory)]
    checked = check_names(
        written,
        directory,
        region=settings["地区"],
        sheet=sheet.name,
        allow_new=options.allow_new_units,
        uses_all_streets=any(label in ALL_STREETS for r in rows for label in split_labels(r.lead)),
    )
    projects = [r.project(checked.directory, sheet.name) for r in rows]
    return Register(
        path=path,
        settings=settings,
        projects=projects,
        directory=checked.directory,
        extra_columns=list(reader.extra),
        quarter_columns=set(reader.quarter_columns),
        warnings=[*notices, *reader.warnings, *checked.notices],
    )


def looks_like_register(path: Path) -> bool:
    """Whether a file is a workbook with a project table (a quick look, no checks)."""
    try:
        with Workbook(path) as book:
            return any(
                (found := _header(book.sheet(name, rows=_HEADER_SCAN_ROWS))) is not None
                and found[2]
                for name in book.sheet_names
                if not is_results_sheet(name)
            )
    except (ToolkitError, OSError):
        return False


# ---------------------------------------------------------------- sheets


def _optional_sheet(book: Workbook, name: str) -> Sheet | None:
    return book.sheet(name) if name in book.sheet_names else None


def _project_sheet(book: Workbook) -> tuple[Sheet, int, dict[int, str]]:
    """The sheet whose header row names 序号 and 项目名称; 项目 wins when several do.

    Without one, a sheet whose header row names 序号 and two other known columns
    is taken, so that the columns it lacks can be named.
    """
    found: list[tuple[Sheet, int, dict[int, str], bool]] = []
    for name in book.sheet_names:
        if is_results_sheet(name) or name in (UNITS_SHEET, SETTINGS_SHEET):
            continue
        sheet = book.sheet(name)
        header = _header(sheet)
        if header is not None:
            found.append((sheet, *header))
    candidates = [c for c in found if c[3]] or found
    named = [c for c in candidates if c[0].name == PROJECTS_SHEET]
    if len(candidates) == 1 or named:
        sheet, row, texts, _ = (named or candidates)[0]
        return sheet, row, texts
    if candidates:
        raise RegisterError(
            f"登记表中有 {len(candidates)} 个工作表都像项目表："
            f"{'、'.join(f'「{c[0].name}」' for c in candidates)}。",
            hint=f"把要用的那个工作表改名为「{PROJECTS_SHEET}」。",
        )
    if PROJECTS_SHEET in book.sheet_names and not book.sheet(PROJECTS_SHEET).width:
        raise RegisterError(
            "工作表是空的。", sheet=PROJECTS_SHEET, hint=f"第一行写表头。{_HEADER_HINT}"
        )
    listed = "、".join(f"「{n}」" for n in book.sheet_names)
    raise RegisterError(
        f"登记表中找不到项目表：工作表 {listed} 的前 {_HEADER_SCAN_ROWS} 行中都没有"
        "含“序号”和“项目名称”的表头行。",
        hint=_HEADER_HINT,
    )


def _header(sheet: Sheet) -> tuple[int, dict[int, str], bool] | None:
    """The header row in the first rows, its texts, and whether it names 项目名称.

    A header row names 序号 and 项目名称, or 序号 and two other known columns.
    """
    for r in range(min(sheet.height, _HEADER_SCAN_ROWS)):
        texts = {c: text(sheet.value(r, c)) for c in range(sheet.width)}
        keys = {rules.header_key(t) for t in texts.values() if t}
        if rules.ID in keys and (rules.NAME in keys or len(keys - {None}) >= 3):
            return r, texts, rules.NAME in keys
    return None


def _first_text(sheet: Sheet, row: int) -> str:
    return next((t for c in range(sheet.width) if (t := text(sheet.value(row, c)))), "")


def text(value: Any) -> str:
    """A cell as the register's text: whole numbers without `.0`, dates as 2023年10月3日."""
    if type(value) is str:  # nearly every cell
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value).strip()


def _read_units(sheet: Sheet | None) -> UnitDirectory:
    if sheet is None:
        return UnitDirectory([])
    rows = sheet.rows
    header_at = next(
        (i for i, r in enumerate(rows[:_HEADER_SCAN_ROWS]) if "单位名称" in map(text, r)), None
    )
    if header_at is None:
        raise RegisterError(
            "找不到表头行（应含“单位名称”“类型”）。",
            sheet=UNITS_SHEET,
            hint="第一行写：单位名称、类型、联系人、联系电话、邮箱。",
        )
    header = [text(v) for v in rows[header_at]]
    col = {name: header.index(name) for name in header if name}

    def get(r: list[Any], name: str) -> str:
        i = col.get(name)
        return text(r[i]) if i is not None and i < len(r) else ""

    units, seen = [], set()
    for r in rows[header_at + 1 :]:
        name = get(r, "单位名称")
        if not name or name in seen:
            continue
        seen.add(name)
        aliases = tuple(a for a in (x.strip() for x in get(r, "别名").split("、")) if a)
        units.append(
            Unit(
                name, get(r, "类型"), get(r, "联系人"), get(r, "联系电话"), get(r, "邮箱"), aliases
            )
        )
    return UnitDirectory(units)


# ---------------------------------------------------------------- project rows


class _Row:
    """One project row as read, before its 主办单位 cell is expanded into units."""

    def __init__(self, fields: dict[str, Any], lead_cell: str) -> None:
        self.fields = fields
        self.lead: str = fields["lead"]
        self.lead_cell = lead_cell

    def project(self, directory: UnitDirectory, sheet: str) -> Project:
        try:
            leads = tuple(parse_leads(self.lead, directory))
        except UnitSyntaxError as exc:
            raise RegisterError(str(exc), sheet=sheet, cell=self.lead_cell) from None
        return Project(**self.fields, leads=leads)


class _ProjectSheetReader:
    def __init__(self, sheet: Sheet, header_row: int, texts: dict[int, str]) -> None:
        self.sheet = sheet
        self.header_row = header_row
        self.texts = texts
        self.warnings: list[str] = []
        self.quarter_columns: dict[int, int] = {}
        self.extra: dict[str, int] = {}
        # Rows that need a closer look: part of a merged range, or holding a
        # formula without its result. The others are read as they come.
        self._special = {r for r, _ in sheet.merged} | {r for r, _ in sheet.unsaved_formulas}

    def row(self, r: int, columns: list[int]) -> list[Any]:
        """The values of row `r` in `columns`."""
        if r not in self._special:
            values = self.sheet.rows[r]
            return [values[c] if c < len(values) else "" for c in columns]
        return [self.value(r, c) for c in columns]

    def value(self, row: int, col: int) -> Any:
        origin = self.sheet.merged.get((row, col), (row, col))
        if origin in self.sheet.unsaved_formulas:
            raise RegisterError(
                "是公式，但文件里没有保存计算结果（文件可能由程序生成，未在 Excel 中保存过）。",
                sheet=self.sheet.name,
                cell=cell_name(*origin),
                hint="用 Excel 打开登记表并保存一次，或把公式改为数值。",
            )
        return self.sheet.value(row, col)

    def _columns(self) -> dict[str, int]:
        columns: dict[str, int] = {}
        for c, header in self.texts.items():
            if not header:
                continue
            quarter = rules.quarter_target_of(header)
            key = rules.header_key(header)
            if quarter is not None:
                self.quarter_columns[quarter] = c
            elif key is not None and key != rules.QUARTER_TARGET and key not in columns:
                columns[key] = c
            elif key is None:
                self.extra[rules.clean_header(header)] = c
        missing = [
            rules.COLUMN_LABELS[k] for k in (*REQUIRED, rules.ANNUAL_TARGET) if k not in columns
        ]
        if missing:
            raise RegisterError(
                f"第 {self.header_row + 1} 行的表头缺少列：{'、'.join(missing)}。",
                sheet=self.sheet.name,
                hint="补上这些列（列名须一致，顺序不限）。",
            )
        return columns

    def read(self) -> list[_Row]:
        columns = self._columns()
        id_col = columns[rules.ID]
        keys = [k for k in columns if k != rules.ID]
        quarters = list(self.quarter_columns)
        wanted = [
            *(columns[k] for k in keys),
            *self.quarter_columns.values(),
            *self.extra.values(),
        ]
        letter = {c: cell_name(0, c)[:-1] for c in (id_col, *columns.values())}
        rows: list[_Row] = []
        seen: dict[str, str] = {}
        previous: dict[str, Any] | None = None
        for r in range(self.header_row + 1, self.sheet.height):
            raw_id, *values = self.row(r, [id_col, *wanted])
            texts = [text(v) for v in values]
            cells = dict(zip(keys, texts, strict=False))
            where = f"{letter[id_col]}{r + 1}"
            if not text(raw_id):
                # A heading or note row (only 民生事项 or a remark) is skipped;
                # a project without its 序号 is not.
                if cells.get(rules.NAME) or cells.get(rules.LEAD):
                    raise RegisterError(
                        "该行有内容但没有序号。",
                        sheet=self.sheet.name,
                        cell=where,
                        hint="补上序号（如 10-3），或删除该行。",
                    )
                continue
            pid = self._project_id(raw_id, where)
            if pid in seen:
                raise RegisterError(
                    f"序号 {pid} 重复（{seen[pid]} 和 {where}）。",
                    sheet=self.sheet.name,
                    cell=where,
                    hint="每个项目的序号必须唯一，请改正其中一个。",
                )
            seen[pid] = where
            for key, what, hint in (
                (rules.NAME, "项目名称", "补上项目名称。"),
                (rules.LEAD, "主办单位", "补上主办单位，多个单位用顿号“、”分隔。"),
            ):
                if not cells.get(key):
                    raise RegisterError(
                        f"序号 {pid} 没有{what}。",
                        sheet=self.sheet.name,
                        cell=f"{letter[columns[key]]}{r + 1}",
                        hint=hint,
                    )
            matter = cells.get(rules.MATTER, "")
            # 民生事项 is often written only on the first row of its 件.
            if (
                not matter
                and previous is not None
                and rules.item_group(previous["id"]) == rules.item_group(pid)
            ):
                matter = previous["matter"]
            rest = texts[len(keys) :]
            fields = {
                "row": r + 1,
                "matter": matter,
                "id": pid,
                "name": cells[rules.NAME],
                "annual_target": cells.get(rules.ANNUAL_TARGET, ""),
                "quarter_targets": dict(zip(quarters, rest, strict=False)),
                "lead": cells[rules.LEAD],
                "co": cells.get(rules.CO, ""),
                "extra": dict(zip(self.extra, rest[len(quarters) :], strict=False)),
            }
            rows.append(_Row(fields, f"{letter[columns[rules.LEAD]]}{r + 1}"))
            previous = fields
        if not rows:
            raise RegisterError(
                f"表头（第 {self.header_row + 1} 行）下面没有项目行。",
                sheet=self.sheet.name,
                hint="在表头下逐行填写项目。",
            )
        return rows

    def _project_id(self, raw: Any, where: str) -> str:
        if isinstance(raw, (dt.datetime, dt.date)):
            # Excel turns `10-3` typed in a General cell into 3 October.
            pid = f"{raw.month}-{raw.day}"
            self.warnings.append(
                f"{where}：序号被 Excel 识别成了日期，已按“{pid}”读取；建议把序号列设为“文本”格式。"
            )
            return pid
        return rules.normalize_id(text(raw))
