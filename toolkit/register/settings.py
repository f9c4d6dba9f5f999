"""The register's settings: 地区, 年度 and colours.

From the optional 设置 sheet (A: name, B: value). Without it, or where it
leaves 地区/年度 out, they come from the command line (--region/--year),
else from the title above the project table or the file name, where offices
write them anyway: `龙华区2023年民生实事项目台账`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from toolkit.errors import RegisterError
from toolkit.office.spreadsheet import Sheet

SETTINGS_SHEET = "设置"
REGION, YEAR = "地区", "年度"
ISSUER = "发文单位"  # who signs the notices and the 督查通报
_KEY_HEADERS = ("项目", "设置项", "名称")

# An administrative area, then a year: `龙华区2023年…`, `深圳市龙华区 2023 年…`.
_REGION_YEAR_RE = re.compile(
    r"(?P<region>[\u4e00-\u9fff]{1,12}?(?:自治区|自治州|自治县|新区|街道|省|市|区|县|旗|州|盟|镇|乡))?"
    r"\s*(?P<year>20\d\d)\s*年"
)


def read_settings(sheet: Sheet | None, text: Any) -> dict[str, str]:
    """Key/value pairs of the 设置 sheet ({} without one). `text` turns a cell into text."""
    if sheet is None:
        return {}
    settings: dict[str, str] = {}
    for row in sheet.rows:
        key = text(row[0]) if row else ""
        value = text(row[1]) if len(row) > 1 else ""
        if key and key not in _KEY_HEADERS:
            settings[key] = value
    year = settings.get(YEAR, "")
    if year and not (year.isdigit() and len(year) == 4):
        raise RegisterError(
            f"「年度」应为四位数字，现为“{year}”。", sheet=SETTINGS_SHEET, hint="如 2023。"
        )
    return settings


def region_and_year(text: str) -> tuple[str | None, str | None]:
    """`龙华区2023年民生实事项目台账` -> ("龙华区", "2023"); what is not there is None."""
    m = _REGION_YEAR_RE.search(unicodedata.normalize("NFKC", text))
    if not m:
        return None, None
    return m.group("region"), m.group("year")


def complete_settings(
    settings: dict[str, str],
    *,
    region: str | None,
    year: int | None,
    titles: Iterable[str],
    file_stem: str,
) -> list[str]:
    """Fill 地区 and 年度: the command line first, then 设置, then titles and the file name.

    Returns a notice for each value taken from a title or the file name.
    Raises when there is no 地区 anywhere.
    """
    notices: list[str] = []
    if region:
        settings[REGION] = region.strip()
    if year:
        settings[YEAR] = str(year)
    for source, where in [*((t, f"标题“{t}”") for t in titles), (file_stem, "文件名")]:
        if settings.get(REGION) and settings.get(YEAR):
            break
        found_region, found_year = region_and_year(source)
        if found_region and not settings.get(REGION):
            settings[REGION] = found_region
            notices.append(f"登记表没有「设置」中的地区，按{where}取为“{found_region}”。")
        if found_year and not settings.get(YEAR):
            settings[YEAR] = found_year
    if not settings.get(REGION):
        raise RegisterError(
            "登记表中找不到地区：没有「设置」工作表（或其中没有“地区”），"
            "标题行和文件名中也没有“龙华区2023年”这样的写法。",
            hint="加上 --region 指定地区，如 --region 龙华区；"
            "或新建工作表「设置」，A 列写“地区”，B 列写如“龙华区”。",
        )
    return notices
