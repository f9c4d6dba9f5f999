"""Workbooks in the formats offices save, made by LibreOffice Calc from an .xlsx."""

from __future__ import annotations

from pathlib import Path

from support.lo import require_calc
from toolkit.office.libreoffice import convert


def saved_as(xlsx: Path, fmt: str, out_dir: Path) -> Path:
    """`xlsx` opened and saved by Calc as .xls, .ods, .fods … (formulas get their results)."""
    require_calc()
    done = convert([xlsx], fmt, out_dir)
    assert xlsx in done, f"LibreOffice did not save {xlsx.name} as .{fmt}"
    return done[xlsx]
