"""The SpreadsheetML writer: read back by openpyxl and by LibreOffice Calc."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import load_workbook
from support.cli import invoke
from support.lo import pdf_page_sizes, pdf_text, require_calc, to_pdf

from toolkit.office.xlsx_out import BODY, HEADER, Workbook, column_letter


def _sample(target: Path) -> Path:
    wb = Workbook()
    ws = wb.add_sheet("一览表")
    ws.set(1, 1, "标题 A&B <x>", HEADER)
    ws.merge(1, 1, 1, 3)
    ws.set(1, 2, "被合并")  # covered by the merge: its value goes, its style stays
    ws.table(
        ["序号", "内容", "数量"],
        [
            ["1-1", '=HYPERLINK("http://x")', 3],
            ["1-2", "  前后空格  \n第二行", 2.5],
            ["1-3", "字面 _x0041_ 与控制\x01字符", None],
            ["1-4", "", 0],
        ],
        widths=[8, 40, 6],
        start_row=2,
    )
    ws.restyle(3, 3, fill="00B050", horizontal="center")
    ws.heights[1] = 30
    ws.print_title_row = 2
    ws.landscape = True
    wb.add_sheet("第二页").set(1, 1, 42)
    wb.save(target)
    return target


def test_values_read_back_exactly(tmp_path: Path) -> None:
    wb = load_workbook(_sample(tmp_path / "s.xlsx"))
    ws = wb["一览表"]
    assert ws["A1"].value == "标题 A&B <x>" and ws["B1"].value is None
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert rows == [
        ("1-1", '=HYPERLINK("http://x")', 3),
        ("1-2", "  前后空格  \n第二行", 2.5),
        ("1-3", "字面 _x0041_ 与控制字符", None),  # as typed, as Excel shows it
        ("1-4", None, 0),
    ]
    assert ws["B3"].data_type == "s"  # typed text, never a formula
    assert wb["第二页"]["A1"].value == 42


def test_styles_merges_and_print_settings(tmp_path: Path) -> None:
    ws = load_workbook(_sample(tmp_path / "s.xlsx"))["一览表"]
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:C1"]
    header = ws["A2"]
    assert header.font.name == "黑体" and header.font.b
    assert header.fill.fgColor.rgb == "FFD9D9D9"
    assert header.alignment.horizontal == "center" and header.alignment.wrap_text
    body = ws["B4"]
    assert body.font.name == BODY.font and body.border.left.style == "thin"
    assert body.alignment.vertical == "top" and body.fill.fill_type is None
    flagged = ws["C3"]
    assert flagged.fill.fgColor.rgb == "FF00B050" and flagged.alignment.horizontal == "center"
    assert flagged.border.bottom.style == "thin"  # restyle keeps the rest of the style
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["B"].width == 40
    assert ws.row_dimensions[1].height == 30
    assert ws.print_title_rows == "$2:$2"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_every_part_is_well_formed_and_strings_are_shared(tmp_path: Path) -> None:
    with zipfile.ZipFile(_sample(tmp_path / "s.xlsx")) as zf:
        assert zf.testzip() is None
        for name in zf.namelist():
            etree.fromstring(zf.read(name))
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and 't="str"' not in sheet


@pytest.mark.parametrize(
    ("n", "letters"), [(1, "A"), (26, "Z"), (27, "AA"), (702, "ZZ"), (703, "AAA")]
)
def test_column_letters(n: int, letters: str) -> None:
    assert column_letter(n) == letters


@pytest.mark.libreoffice
def test_libreoffice_calc_prints_them(tmp_path: Path) -> None:
    """The merged 一览表 opens in Calc; a long sheet prints landscape, header on every page."""
    require_calc()
    data = Path(__file__).resolve().parent.parent / "data"
    out = tmp_path / "out" / "一览表.docx"
    args = [str(data / "returns" / "2023Q3"), "-r", str(data / "register.xlsx"), "-q", "3"]
    done = invoke("merge", *args, "--out", str(out))
    assert done.exit_code == 0, done.output
    wb = Workbook()
    ws = wb.add_sheet("长表")
    ws.table(
        ["序号", "进度评价"], ([f"{n}-1", "正常推进。" * 30] for n in range(1, 121)), widths=[8, 60]
    )
    ws.print_title_row, ws.landscape = 1, True
    wb.save(tmp_path / "long.xlsx")

    summary = pdf_text(to_pdf(out.with_suffix(".xlsx"), tmp_path / "pdf"))
    assert "龙华区2023年第三季度民生实事项目进展情况一览表" in summary
    assert "民治街道" in summary and "正常推进" in summary
    pdf = to_pdf(tmp_path / "long.xlsx", tmp_path / "pdf")
    pages = [p for p in pdf_text(pdf).split("\f") if p.strip()]
    assert len(pages) > 1 and all("进度评价" in p for p in pages)
    assert "120-1" in pages[-1]
    assert all(w > h for w, h in pdf_page_sizes(pdf))
