"""Charts where people look rather than read: the desk's board, the 一览表 workbook.

The board draws the period's evaluations as plain inline SVG (no script,
no style attribute the page's policy would block); the 一览表 .xlsx has a
统计 sheet with a native Excel chart of the statistics, which LibreOffice
draws when it prints the workbook. Both show the 一览表's own numbers.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import load_workbook
from support.browser import fill_form
from support.cli import invoke
from support.desk import desk_client, workspace
from support.lo import require_calc
from support.pdf_layout import pdf_raw_text
from support.seed import MINZHI_Q3

from toolkit.core.period import Period
from toolkit.desk.workspace import REGISTER_NAME, Workspace
from toolkit.office.libreoffice import convert
from toolkit.summary.model import build_rows, statistics
from toolkit.summary.workbooks import STATISTICS_SHEET

Q3 = Period(2023, 3)
SVG = "{http://www.w3.org/2000/svg}"
VALUES = {
    **MINZHI_Q3,
    "19-2": ("完成40%。", "拆迁未完成。", "进度滞后"),
    "31-11": ("完成30%。", "", "严重滞后"),
}


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    made = Workspace(workspace(tmp_path))
    made.generate(Q3)
    form = made.form_files(Q3)["民治街道"]
    made.file_return(Q3, "民治街道.docx", fill_form(form, tmp_path / "f.docx", VALUES).read_bytes())
    return made


def summary_workbook(ws: Workspace, tmp_path: Path) -> Path:
    """The 一览表 workbook `toolkit merge` writes for the workspace's quarter."""
    args = [ws.returns_dir(Q3), "-r", ws.root / REGISTER_NAME, "-q", "3"]
    done = invoke("merge", *args, "--out", tmp_path / "out" / "一览表.docx", "--json")
    assert done.exit_code == 0, done.stderr
    return Path(json.loads(done.stdout)["outputs"]["xlsx"])


def test_the_board_draws_the_periods_evaluations_as_svg(ws):
    page = desk_client(ws.root).get("/p/2023Q3").text
    start, end = page.index('<figure class="chart"'), page.index("</figure>") + len("</figure>")
    figure = etree.fromstring(page[start:end].replace("&nbsp;", " "))
    svg = figure.find(f"{SVG}svg")
    assert svg is not None and svg.get("role") == "img"
    chart = page[start:end]
    assert "style=" not in chart and "<script" not in chart  # nothing the page's policy blocks
    stats = statistics(build_rows(ws.merge(Q3)))
    legend = {
        g.get("data-label"): int(g.get("data-count"))
        for g in svg.iter(f"{SVG}g")
        if g.get("data-count")
    }
    assert legend["已完成"] == stats["已完成"] and legend["进度滞后"] == stats["进度滞后"] == 1
    assert legend["严重滞后"] == 1 and legend["部分单位未报送"] == stats["部分报送"] == 1
    assert sum(legend.values()) == stats["total"] == 9
    bars = {
        g.get("data-matter"): int(g.get("data-total"))
        for g in svg.iter(f"{SVG}g")
        if g.get("data-total")
    }
    assert sum(bars.values()) == 9 and bars["第19件"] == 1
    # Every evaluation has its hatch: a grey printout still tells them apart.
    fills = {r.get("fill") for r in svg.iter(f"{SVG}rect")}
    assert {"url(#h-diagonal)", "url(#h-cross)", "url(#h-dots)", "url(#h-horizontal)"} <= fills


def test_the_summary_workbook_has_a_native_chart_of_its_statistics(ws, tmp_path):
    xlsx = summary_workbook(ws, tmp_path)
    book = load_workbook(xlsx)
    sheet = book[STATISTICS_SHEET]
    table = {
        sheet.cell(r, 1).value: (sheet.cell(r, 2).value, sheet.cell(r, 3).value)
        for r in range(3, 10)
    }
    assert table["进度滞后"] == (1, "11.1%") and table["合计"] == (9, "100.0%")
    with zipfile.ZipFile(xlsx) as zf:
        chart = zf.read("xl/charts/chart1.xml").decode("utf-8")
    assert "<c:barChart>" in chart and '<c:barDir val="col"/>' in chart
    assert f"'{STATISTICS_SHEET}'!$B$3:$B$" in chart or f"{STATISTICS_SHEET}!$B$3:$B$" in chart
    assert chart.count("<a:pattFill") >= 3  # hatched, not colour alone
    assert "进度评价统计（项）" in chart


@pytest.mark.libreoffice
def test_libreoffice_prints_the_workbooks_chart(ws, tmp_path):
    require_calc()
    xlsx = summary_workbook(ws, tmp_path)
    pdf = convert([xlsx], "pdf", tmp_path / "pdf")[xlsx]
    text = re.sub(r"\s+", "", pdf_raw_text(pdf))
    # The chart's title is drawn, and its category axis: the evaluations in a row once more
    # than the cells have them (the header of the table per 民生事项).
    assert "进度评价统计（项）" in text
    assert text.count("已完成正常推进进度滞后严重滞后部分单位未报送") == 2
