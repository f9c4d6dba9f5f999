"""Reading the Excel register: the office's master list of projects (docs/register.md).

Sheets: 项目 (one row per project), 单位 (optional: the units and their
type), 设置 (key/value: 地区, 年度, colours). The reader accepts what real
registers look like — a title row above the header, 民生事项 written once
over a merged range or only on the first row of its 件, 序号 turned into a
date by Excel — and rejects the rest with one message naming sheet and cell.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from toolkit.core import rules
from toolkit.errors import RegisterError, UsageError
from toolkit.office.ooxml import excel_unescape, sniff
from toolkit.register.model import Project, Register
from toolkit.register.units import Unit, UnitDirectory, UnitSyntaxError, parse_leads

PROJECTS_SHEET = "项目"
UNITS_SHEET = "单位"
SETTINGS_SHEET = "设置"
REQUIRED = (rules.ID, rules.NAME, rules.LEAD)
_HEADER_SCAN_ROWS = 10


def read_register(path: Path) -> Register:
    path = Path(path)
    workbook = _open_workbook(path)
    try:
        sheet = _projects_sheet(workbook)
        settings = _read_settings(workbook)
        directory = _read_units(workbook)
        reader = _ProjectSheetReader(path, sheet, directory)
        projects = reader.read()
    finally:
        workbook.close()
    return Register(
        path=path,
        settings=settings,
        projects=projects,
        directory=directory,
        extra_columns=reader.extra_columns,
        quarter_columns=set(reader.quarter_columns),
        warnings=reader.warnings,
    )


def _open_workbook(path: Path) -> openpyxl.Workbook:
    if not path.exists():
        raise UsageError(f"找不到登记表文件：{path}", hint="检查路径是否正确。")
    if path.is_dir():
        raise RegisterError(f"{path} 是文件夹，不是 Excel 登记表。")
    lock = path.with_name("~$" + path.name)
    if lock.exists():
        raise RegisterError(
            f"登记表 {path.name} 正在 Excel 中打开（发现锁文件 {lock.name}）。",
            hint="在 Excel 中关闭该文件后重试。",
        )
    kind = sniff(path)
    if kind == "ole":
        raise RegisterError(
            f"登记表 {path.name} 设置了打开密码，或是旧版 .xls 格式。",
            hint="在 Excel 中去掉密码并另存为 .xlsx 后重试。",
        )
    if kind != "zip":
        raise RegisterError(
            f"登记表 {path.name} 不是有效的 Excel（.xlsx）文件，或已损坏。",
            hint="用 Excel 打开确认后另存为 .xlsx。",
        )
    return _load_workbook(path, data_only=False)


def _load_workbook(path: Path, *, data_only: bool) -> openpyxl.Workbook:
    try:
        return openpyxl.load_workbook(path, data_only=data_only)
    except Exception as exc:
        # openpyxl reports a damaged or foreign file as whatever its zip and XML
        # parsers raise (BadZipFile, zlib.error, ParseError, XMLSyntaxError,
        # KeyError, InvalidFileException...): each means the file cannot be used.
        raise RegisterError(
            f"登记表 {path.name} 已损坏或不是 Excel 工作簿，无法读取（{type(exc).__name__}）。",
            hint="用 Excel 打开确认后另存为 .xlsx。",
        ) from None


def _projects_sheet(workbook: openpyxl.Workbook) -> Worksheet:
    if PROJECTS_SHEET in workbook.sheetnames:
        return workbook[PROJECTS_SHEET]
    raise RegisterError(
        f"登记表缺少工作表「{PROJECTS_SHEET}」（现有：{'、'.join(workbook.sheetnames)}）。",
        hint=f"把项目清单所在的工作表改名为「{PROJECTS_SHEET}」。",
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, str):
        value = excel_unescape(value)
    return str(value).strip()


def _read_settings(workbook: openpyxl.Workbook) -> dict[str, str]:
    if SETTINGS_SHEET not in workbook.sheetnames:
        raise RegisterError(
            f"登记表缺少工作表「{SETTINGS_SHEET}」。",
            hint=f"新建工作表「{SETTINGS_SHEET}」，A 列写 地区、年度，B 列写对应的值（如 龙华区、2023）。",
        )
    sheet = workbook[SETTINGS_SHEET]
    settings: dict[str, str] = {}
    for row in sheet.iter_rows(min_row=1, max_col=2):
        key, value = _text(row[0].value), _text(row[1].value) if len(row) > 1 else ""
        if key and key not in ("项目", "设置项", "名称"):
            settings[key] = value
    if not settings.get("地区"):
        raise RegisterError(
            "没有填写「地区」。", sheet=SETTINGS_SHEET, hint="在 A 列写“地区”，B 列写如“龙华区”。"
        )
    year = settings.get("年度", "")
    if year and not year.isdigit():
        raise RegisterError(
            f"「年度」应为四位数字，现为“{year}”。", sheet=SETTINGS_SHEET, hint="如 2023。"
        )
    return settings


def _read_units(workbook: openpyxl.Workbook) -> UnitDirectory:
    if UNITS_SHEET not in workbook.sheetnames:
        return UnitDirectory([])
    sheet = workbook[UNITS_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(
        (i for i, r in enumerate(rows[:_HEADER_SCAN_ROWS]) if "单位名称" in map(_text, r)), None
    )
    if header_at is None:
        raise RegisterError(
            "找不到表头行（应含“单位名称”“类型”）。",
            sheet=UNITS_SHEET,
            hint="第一行写：单位名称、类型、联系人、联系电话、邮箱。",
        )
    header = [_text(v) for v in rows[header_at]]
    col = {name: header.index(name) for name in header if name}

    def get(r: tuple, name: str) -> str:
        i = col.get(name)
        return _text(r[i]) if i is not None and i < len(r) else ""

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


class _ProjectSheetReader:
    def __init__(self, path: Path, sheet: Worksheet, directory: UnitDirectory) -> None:
        self.path = path
        self.sheet = sheet
        self.directory = directory
        self.warnings: list[str] = []
        self.extra_columns: list[str] = []
        self.quarter_columns: dict[int, int] = {}
        self._values: openpyxl.Workbook | None = None
        # A merged range shows its top-left value on every row it covers.
        self._merged: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in sheet.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    self._merged[(r, c)] = (rng.min_row, rng.min_col)

    def cell_name(self, row: int, col: int) -> str:
        return f"{get_column_letter(col)}{row}"

    def value(self, row: int, col: int) -> Any:
        row, col = self._merged.get((row, col), (row, col))
        cell = self.sheet.cell(row, col)
        if cell.data_type == "f":
            return self._formula_result(row, col)
        return cell.value

    def _formula_result(self, row: int, col: int) -> Any:
        # Formulas are read as Excel last calculated them (cached values).
        if self._values is None:
            self._values = _load_workbook(self.path, data_only=True)
        value = self._values[self.sheet.title].cell(row, col).value
        if value is None:
            raise RegisterError(
                "是公式，但文件里没有保存计算结果（文件可能由程序生成，未在 Excel 中保存过）。",
                sheet=self.sheet.title,
                cell=self.cell_name(row, col),
                hint="用 Excel 打开登记表并保存一次，或把公式改为数值。",
            )
        return value

    def find_header(self) -> tuple[int, dict[int, str]]:
        if (
            self.sheet.max_row <= 1
            and self.sheet.max_column <= 1
            and self.sheet["A1"].value is None
        ):
            raise RegisterError(
                "工作表是空的。",
                sheet=self.sheet.title,
                hint="第一行写表头：民生事项、序号、项目名称、年度目标、第一季度目标……主办单位、协办单位。",
            )
        for r in range(1, min(self.sheet.max_row, _HEADER_SCAN_ROWS) + 1):
            texts = {c: _text(self.value(r, c)) for c in range(1, self.sheet.max_column + 1)}
            keys = {rules.header_key(t) for t in texts.values()} - {None}
            # 序号 and two more known columns: missing ones are then reported by name.
            if rules.ID in keys and len(keys) >= 3:
                return r, texts
        raise RegisterError(
            f"前 {_HEADER_SCAN_ROWS} 行中找不到表头行（应含“序号”“项目名称”“主办单位”等列名）。",
            sheet=self.sheet.title,
            hint="表头行写：民生事项、序号、项目名称、年度目标、第一季度目标……主办单位、协办单位。",
        )

    def read(self) -> list[Project]:
        header_row, texts = self.find_header()
        columns: dict[str, int] = {}
        extra: dict[str, int] = {}
        for c, text in texts.items():
            if not text:
                continue
            quarter = rules.quarter_target_of(text)
            key = rules.header_key(text)
            if quarter is not None:
                self.quarter_columns[quarter] = c
            elif key is not None and key != rules.QUARTER_TARGET and key not in columns:
                columns[key] = c
            elif key is None:
                extra[rules.clean_header(text)] = c
        self.extra_columns = list(extra)
        missing = [
            rules.COLUMN_LABELS[k] for k in (*REQUIRED, rules.ANNUAL_TARGET) if k not in columns
        ]
        if missing:
            raise RegisterError(
                f"第 {header_row} 行的表头缺少列：{'、'.join(missing)}。",
                sheet=self.sheet.title,
                hint="补上这些列（列名须一致，顺序不限）。",
            )

        projects: list[Project] = []
        seen: dict[str, str] = {}
        previous: Project | None = None
        for r in range(header_row + 1, self.sheet.max_row + 1):
            raw_id = self.value(r, columns[rules.ID])
            text = {k: _text(self.value(r, c)) for k, c in columns.items() if k != rules.ID}
            if raw_id is None or not _text(raw_id):
                # A heading or note row (only 民生事项 or a remark) is skipped;
                # a project without its 序号 is not.
                if text.get(rules.NAME) or text.get(rules.LEAD):
                    raise RegisterError(
                        "该行有内容但没有序号。",
                        sheet=self.sheet.title,
                        cell=self.cell_name(r, columns[rules.ID]),
                        hint="补上序号（如 10-3），或删除该行。",
                    )
                continue
            pid = self._project_id(raw_id, r, columns[rules.ID])
            where = self.cell_name(r, columns[rules.ID])
            if pid in seen:
                raise RegisterError(
                    f"序号 {pid} 重复（{seen[pid]} 和 {where}）。",
                    sheet=self.sheet.title,
                    cell=where,
                    hint="每个项目的序号必须唯一，请改正其中一个。",
                )
            seen[pid] = where
            if not text.get(rules.NAME):
                raise RegisterError(
                    f"序号 {pid} 没有项目名称。",
                    sheet=self.sheet.title,
                    cell=self.cell_name(r, columns[rules.NAME]),
                    hint="补上项目名称。",
                )
            if not text.get(rules.LEAD):
                raise RegisterError(
                    f"序号 {pid} 没有主办单位。",
                    sheet=self.sheet.title,
                    cell=self.cell_name(r, columns[rules.LEAD]),
                    hint="补上主办单位，多个单位用顿号“、”分隔。",
                )
            matter = text.get(rules.MATTER, "")
            # 民生事项 is often written only on the first row of its 件.
            if not matter and previous is not None and previous.item == rules.item_group(pid):
                matter = previous.matter
            try:
                leads = tuple(parse_leads(text[rules.LEAD], self.directory))
            except UnitSyntaxError as exc:
                raise RegisterError(
                    str(exc), sheet=self.sheet.title, cell=self.cell_name(r, columns[rules.LEAD])
                ) from None
            for lead in leads:
                if self.directory.units and not self.directory.is_known(lead.unit):
                    self.warnings.append(
                        f"{self.cell_name(r, columns[rules.LEAD])}：主办单位“{lead.unit}”不在「单位」工作表中，"
                        "仍为其生成填报表。"
                    )
            project = Project(
                row=r,
                matter=matter,
                id=pid,
                name=text[rules.NAME],
                annual_target=text.get(rules.ANNUAL_TARGET, ""),
                quarter_targets={
                    q: _text(self.value(r, c)) for q, c in self.quarter_columns.items()
                },
                lead=text[rules.LEAD],
                co=text.get(rules.CO, ""),
                leads=leads,
                extra={name: _text(self.value(r, c)) for name, c in extra.items()},
            )
            projects.append(project)
            previous = project
        if not projects:
            raise RegisterError(
                f"表头（第 {header_row} 行）下面没有项目行。",
                sheet=self.sheet.title,
                hint="在表头下逐行填写项目。",
            )
        return projects

    def _project_id(self, raw: Any, row: int, col: int) -> str:
        if isinstance(raw, (dt.datetime, dt.date)):
            # Excel turns `10-3` typed in a General cell into 3 October.
            pid = f"{raw.month}-{raw.day}"
            self.warnings.append(
                f"{self.cell_name(row, col)}：序号被 Excel 识别成了日期，已按“{pid}”读取；"
                "建议把序号列设为“文本”格式。"
            )
            return pid
        return rules.normalize_id(_text(raw))
