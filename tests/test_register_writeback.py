"""`merge --update-register` never loses what the office keeps in its register."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.drawing.image import Image
from support import seed
from support.cli import invoke
from support.lo import require_calc, to_pdf

from toolkit.register.source import lock_file

ROOT = Path(__file__).resolve().parents[1]
CHART_TITLE = "各街道项目数"


def _png() -> bytes:
    from PIL import Image as Picture

    buffer = io.BytesIO()
    Picture.new("RGB", (120, 80), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def decorate(register: Path) -> None:
    """A picture and a chart on the register's project sheet, as offices add them."""
    wb = load_workbook(register)
    ws = wb["项目"]
    ws.add_image(Image(io.BytesIO(_png())), "L2")
    stats = wb.create_sheet("统计")
    stats.append(["街道", "项目数"])
    for street in seed.STREETS:
        stats.append([street, 1])
    chart = BarChart()
    chart.title = CHART_TITLE
    chart.add_data(Reference(stats, min_col=2, min_row=1, max_row=7), titles_from_data=True)
    stats.add_chart(chart, "D2")
    wb.save(register)


def merge(register: Path, tmp_path: Path, *args: str):  # type: ignore[no-untyped-def]
    returns = tmp_path / "returns"
    if not returns.exists():
        shutil.copytree(ROOT / "data" / "returns" / "2023Q3", returns)
    out = tmp_path / "汇总" / "一览表.docx"
    return invoke("merge", returns, "-r", register, "-q", "3", "--out", out, "--json", *args)


def test_a_register_with_a_picture_and_a_chart_is_left_as_it_is(tmp_path, seed_register):
    decorate(seed_register)
    before = seed_register.read_bytes()
    result = merge(seed_register, tmp_path, "--update-register")
    assert result.exit_code == 0, result.stderr
    outputs = json.loads(result.stdout)["outputs"]
    beside = Path(outputs["register_results"])
    assert beside == seed_register.with_name("register.2023Q3进展.xlsx")
    assert "register_backup" not in outputs and not list(tmp_path.glob("*备份*"))
    assert "图片" in result.stderr and "图表" in result.stderr and beside.name in result.stderr
    # The register keeps its picture and its chart: byte for byte, as openpyxl sees it…
    assert seed_register.read_bytes() == before
    wb = load_workbook(seed_register)
    assert len(wb["项目"]._images) == 1 and len(wb["统计"]._charts) == 1
    # …and the period's results are in the workbook beside it.
    sheet = load_workbook(beside)["2023Q3进展"]
    assert sheet.cell(1, 1).value == "龙华区2023年第三季度民生实事项目进展情况"
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert next(r for r in rows if r[0] == "10-3")[3] == seed.MINZHI_Q3["10-3"][0]
    # Row 40 has a row per lead unit: the unit in 主办单位, its own report and status.
    forty = {r[2]: r for r in rows if r[0] == "40"}
    assert list(forty) == seed.JOINT_ROW_UNITS
    assert forty["民治街道"][6] == "已报送" and forty["民政局"][6] == "未报送"


@pytest.mark.libreoffice
def test_the_kept_register_still_prints_its_picture_and_chart(tmp_path, seed_register):
    require_calc()
    decorate(seed_register)
    assert merge(seed_register, tmp_path, "--update-register").exit_code == 0
    pdf = to_pdf(seed_register, tmp_path / "pdf")
    images = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(images) >= 1
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert CHART_TITLE in text


def test_a_wps_cell_picture_keeps_the_register_too(tmp_path, seed_register):
    wb = load_workbook(seed_register)
    wb.create_sheet("照片")["A1"] = '=_xlfn.DISPIMG("ID_5E0A",1)'
    wb.save(seed_register)
    result = merge(seed_register, tmp_path, "--update-register")
    assert result.exit_code == 0, result.stderr
    assert "WPS 单元格图片" in result.stderr
    assert "register_results" in json.loads(result.stdout)["outputs"]


def test_a_plain_register_is_still_updated_in_place(tmp_path, seed_register):
    result = merge(seed_register, tmp_path, "--update-register")
    assert result.exit_code == 0, result.stderr
    assert "2023Q3进展" in load_workbook(seed_register).sheetnames
    assert Path(json.loads(result.stdout)["outputs"]["register_backup"]).is_file()


def test_a_stale_lock_does_not_block_the_update(tmp_path, seed_register):
    lock = lock_file(seed_register)
    lock.write_bytes(b"\x05owner")
    old = time.time() - 600
    os.utime(lock, (old, old))
    result = merge(seed_register, tmp_path, "--update-register")
    assert result.exit_code == 0, result.stderr
    assert lock.name in result.stderr and "2023Q3进展" in load_workbook(seed_register).sheetnames


def test_a_fresh_lock_blocks_the_update_and_writes_nothing(tmp_path, seed_register):
    lock_file(seed_register).write_bytes(b"\x05owner")
    result = merge(seed_register, tmp_path, "--update-register")
    assert result.exit_code == 1 and "请先在 Excel/WPS 中关闭" in result.stderr
    assert not (tmp_path / "汇总").exists()


@pytest.mark.libreoffice
def test_an_xls_register_gets_its_results_beside_it(tmp_path, seed_register):
    from support.spreadsheets import saved_as

    xls = saved_as(seed_register, "xls", tmp_path / "xls")
    before = xls.read_bytes()
    result = merge(xls, tmp_path, "--update-register")
    assert result.exit_code == 0, result.stderr
    assert xls.read_bytes() == before
    assert xls.with_name("register.2023Q3进展.xlsx").is_file()
