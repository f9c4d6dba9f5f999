"""Build real .xlsx registers for tests and for the shipped sample."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from support import seed

HEADER = [
    "民生事项",
    "序号",
    "项目名称",
    "年度目标",
    "第一季度目标",
    "第二季度目标",
    "第三季度目标",
    "第四季度目标",
    "主办单位",
    "协办单位",
]


def seed_rows() -> list[list[Any]]:
    """The seed's nine projects as register rows (only Q3 targets are known)."""
    return [[m, i, n, a, "", "", q3, "", lead, co] for (m, i, n, a, q3, lead, co) in seed.PROJECTS]


def seed_units() -> list[tuple[str, str]]:
    return [(s, "街道") for s in seed.STREETS] + [(d, "区直部门") for d in seed.DEPARTMENTS]


def write_register(
    path: Path,
    rows: Iterable[Sequence[Any]] | None = None,
    *,
    header: Sequence[str] = HEADER,
    title: str | None = "龙华区2023年民生实事项目登记表",
    units: Sequence[tuple[str, str]] | None = None,
    settings: dict[str, Any] | None = None,
    text_ids: bool = True,
) -> Path:
    """Write a register workbook: sheets 项目, 单位, 设置."""
    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    if title:
        ws.append([title])
    ws.append(list(header))
    id_col = list(header).index("序号") + 1 if "序号" in header else None
    for row in rows if rows is not None else seed_rows():
        ws.append(list(row))
        if text_ids and id_col and isinstance(ws.cell(ws.max_row, id_col).value, str):
            ws.cell(ws.max_row, id_col).number_format = "@"
    us = wb.create_sheet("单位")
    us.append(["单位名称", "类型", "联系人", "联系电话", "邮箱"])
    for name, kind in units if units is not None else seed_units():
        us.append([name, kind, "", "", ""])
    st = wb.create_sheet("设置")
    st.append(["设置项", "值"])
    for k, v in (settings if settings is not None else {"地区": "龙华区", "年度": 2023}).items():
        st.append([k, v])
    wb.save(path)
    return path


def write_owners_register(path: Path) -> tuple[Path, dict[str, str]]:
    """The seed register with one more column, 责任人: (path, 序号 -> 责任人)."""
    rows = seed_rows()
    owners = {row[1]: f"负责人{n}" for n, row in enumerate(rows, start=1)}
    rows = [[*row, owners[row[1]]] for row in rows]
    return write_register(path, rows, header=[*HEADER, "责任人"]), owners


def write_office_register(
    path: Path,
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "Sheet1",
    title: str | None = "龙华区2023年民生实事项目台账",
    header: Sequence[str] = HEADER,
) -> Path:
    """A register as offices keep it: one sheet, a title row, no 单位 or 设置 sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def with_cached_values(path: Path, values: dict[str, str]) -> None:
    """Add the cached results Excel would have saved next to each formula."""
    with zipfile.ZipFile(path) as zin:
        entries = [(i, zin.read(i)) for i in zin.infolist()]
    out = path.with_suffix(".tmp")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in entries:
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                for ref, value in values.items():
                    xml, n = re.subn(
                        rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/?>(?:</v>)?',
                        rf'<c r="{ref}" t="str"><f>\2</f><v>{value}</v>',
                        xml,
                    )
                    assert n == 1, ref
                data = xml.encode()
            zout.writestr(info, data)
    out.replace(path)
