"""The workbook writer (XlsxWriter underneath): read back by openpyxl and by LibreOffice Calc."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from openpyxl import load_workbook
from support.cli import invoke
from support.lo import pdf_page_sizes, pdf_text, require_calc, to_pdf

from toolkit.forms.identity import PROP_OUTPUT
from toolkit.office.textfit import line_count, split_to_fit, text_width
from toolkit.office.xlsx_out import (
    BODY,
    HEADER,
    LINE_HEIGHT,
    MAX_ROW_HEIGHT,
    Workbook,
    per_line,
)
from toolkit.returns.survey import output_kind


def _sample(target: Path) -> Path:
    wb = Workbook({PROP_OUTPUT: "一览表"})
    ws = wb.add_sheet("一览表")
    ws.set(1, 1, "标题 A&B <x>", HEADER)
    ws.merge(1, 1, 1, 3)
    ws.set(1, 2, "被合并")  # covered by the merge: the range shows the first cell
    ws.table(
        ["序号", "内容", "数量"],
        [
            ["1-1", '=HYPERLINK("http://x")', 3],
            ["1-2", "  前后空格  \n第二行", 2.5],
            ["1-3", "字面 _x0041_ 与控制\x01字符", None],
            ["1-4", "", 0],
            ["1-5", "长" * 200, 1],
        ],
        widths=[8, 20, 6],
        start_row=2,
    )
    ws.restyle(3, 3, fill="00B050", horizontal="center")
    ws.set_rich(8, 1, [("图例：", None), ("▋", "FF0000"), ("严重滞后", None)])
    ws.merge(8, 1, 8, 3)
    ws.hidden_columns.add(3)
    ws.footer_title = "龙华区 & 一览表"
    wb.add_sheet("第二页").set(1, 1, 42)
    wb.save(target)
    return target


def test_values_read_back_exactly(tmp_path: Path) -> None:
    wb = load_workbook(_sample(tmp_path / "s.xlsx"))
    ws = wb["一览表"]
    assert ws["A1"].value == "标题 A&B <x>" and ws["B1"].value is None
    rows = list(ws.iter_rows(min_row=3, max_row=6, values_only=True))
    assert rows == [
        ("1-1", '=HYPERLINK("http://x")', 3),
        ("1-2", "  前后空格  \n第二行", 2.5),
        ("1-3", "字面 _x0041_ 与控制字符", None),  # as typed, as Excel shows it
        ("1-4", None, 0),
    ]
    assert ws["B3"].data_type == "s"  # typed text, never a formula
    assert ws["A8"].value == "图例：▋严重滞后"
    assert wb["第二页"]["A1"].value == 42


def test_styles_merges_and_print_settings(tmp_path: Path) -> None:
    ws = load_workbook(_sample(tmp_path / "s.xlsx"))["一览表"]
    assert sorted(str(r) for r in ws.merged_cells.ranges) == ["A1:C1", "A8:C8"]
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
    assert ws.column_dimensions["B"].width == pytest.approx(20, abs=0.8)
    assert ws.column_dimensions["C"].hidden
    # Print: A4 landscape, one page wide, header row on every page, title and page in the footer.
    assert ws.print_title_rows == "$2:$2"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # fitToWidth left out means 1 (ECMA-376); fitToHeight 0: as many pages down as needed.
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)
    footer = ws.oddFooter
    assert "龙华区 && 一览表" in footer.left.text and "&P" in footer.right.text


def test_rows_are_as_tall_as_their_text(tmp_path: Path) -> None:
    ws = load_workbook(_sample(tmp_path / "s.xlsx"))["一览表"]
    long_row = ws.row_dimensions[7].height
    lines = -(-400 // per_line(20, BODY.size))  # 200 CJK characters: 400 half-em units
    assert long_row >= lines * BODY.size * LINE_HEIGHT
    two_lines = ws.row_dimensions[4].height
    assert two_lines >= 2 * BODY.size * LINE_HEIGHT and two_lines < long_row
    assert ws.row_dimensions[6].height < two_lines  # one line


def test_a_merged_range_makes_room_for_its_text(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.add_sheet("合并")
    ws.widths.update({1: 10, 2: 10})
    ws.set(1, 1, "长" * 120, BODY)
    ws.merge(1, 1, 3, 1)
    for r in (1, 2, 3):
        ws.set(r, 2, "短", BODY)
    heights = ws.row_heights()
    needed = line_count("长" * 120, per_line(10, BODY.size)) * BODY.size * LINE_HEIGHT
    assert sum(heights[r] for r in (1, 2, 3)) >= needed
    assert heights[1] == heights[2] == heights[3]  # the rows of the range grow alike


def test_the_legend_keeps_its_colours(tmp_path: Path) -> None:
    with zipfile.ZipFile(_sample(tmp_path / "s.xlsx")) as zf:
        strings = zf.read("xl/sharedStrings.xml").decode()
    run = re.search(r"<r><rPr>(.*?)</rPr><t[^>]*>▋</t></r>", strings)
    assert run and 'rgb="FFFF0000"' in run.group(1)


def test_every_part_is_well_formed_and_no_cell_is_a_formula(tmp_path: Path) -> None:
    path = _sample(tmp_path / "s.xlsx")
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        for name in zf.namelist():
            etree.fromstring(zf.read(name))
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and 't="str"' not in sheet
    assert output_kind(path) == "一览表"  # the custom property marks the toolkit's own file


# ---------------------------------------------------------------- text that fits


def test_line_count_by_width() -> None:
    assert text_width("民生a1") == 6
    assert line_count("", 10) == 1
    assert line_count("一二三四五", 10) == 1
    assert line_count("一二三四五六", 10) == 2
    assert line_count("一\n二\n\n三", 10) == 4


def test_split_keeps_paragraphs_together_where_it_can() -> None:
    text = "\n".join(["1." + "甲" * 30, "2." + "乙" * 30, "3." + "丙" * 30])
    pieces = split_to_fit(text, 20, 7)  # 10 CJK characters a line: 4 lines a paragraph
    assert pieces == ["1." + "甲" * 30, "2." + "乙" * 30, "3." + "丙" * 30]
    assert split_to_fit("短", 20, 7) == ["短"]


def test_split_cuts_a_paragraph_only_when_taller_than_whole() -> None:
    text = "\n".join(["1." + "甲" * 8, "2." + "乙" * 48, "3." + "丙" * 8])  # 1, 5, 1 lines
    assert split_to_fit(text, 20, 3, 6) == text.split("\n")  # the 5 lines kept whole
    cut = split_to_fit(text, 20, 3)  # paragraph 2 cut after 3 lines, its tail joins 3.
    assert cut == ["1." + "甲" * 8, "2." + "乙" * 29, "乙" * 19 + "\n3." + "丙" * 8]


@given(
    st.lists(st.text(alphabet="民生实事abc 1。", max_size=120), max_size=8),
    st.integers(2, 40),
    st.integers(1, 12),
    st.integers(0, 20),
)
def test_split_pieces_fit_and_lose_nothing(
    paragraphs: list[str], per: int, lines: int, whole: int
) -> None:
    text = "\n".join(paragraphs)
    pieces = split_to_fit(text, per, lines, whole)
    for piece in pieces:  # a piece over `lines` is one paragraph kept whole
        assert line_count(piece, per) <= lines or (
            "\n" not in piece and line_count(piece, per) <= whole
        )
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
    if whole >= max((line_count(p, per) for p in paragraphs), default=0):
        assert "\n".join(pieces) == text  # no paragraph cut


def test_no_row_is_taller_than_excel_allows(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.add_sheet("高")
    ws.table(["内容"], [["很长的文字" * 400]], widths=[10])
    assert ws.row_heights()[2] == MAX_ROW_HEIGHT


# ---------------------------------------------------------------- LibreOffice


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
    wb.save(tmp_path / "long.xlsx")

    summary = pdf_text(to_pdf(out.with_suffix(".xlsx"), tmp_path / "pdf"))
    assert "龙华区2023年第三季度民生实事项目进展情况一览表" in summary
    assert "民治街道" in summary and "正常推进" in summary
    pdf = to_pdf(tmp_path / "long.xlsx", tmp_path / "pdf")
    pages = [p for p in pdf_text(pdf).split("\f") if p.strip()]
    assert len(pages) > 1 and all("进度评价" in p for p in pages)
    assert "120-1" in pages[-1]
    assert all(w > h for w, h in pdf_page_sizes(pdf))
