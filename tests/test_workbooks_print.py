"""Every workbook the toolkit writes prints whole: LibreOffice's PDF of it holds every cell.

A quarter with long texts, joint projects and defects in half the rows
(support.long_register): the 一览表 and 问题清单 of its merge, the 分发清单 of
its forms, the results written beside a register that holds a picture, and
the register `register from-summary` makes from the 一览表. Each is printed
by LibreOffice Calc; the text of every visible cell, whitespace squashed,
must be in the PDF's text (a row too low for its text prints cut off, and
the cut text is missing), and the pages stay within a bound per 100 rows.
"""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.drawing.image import Image
from openpyxl.utils import get_column_letter
from support.cli import invoke
from support.lo import pdf_page_sizes, require_calc
from support.long_register import long_quarter
from support.pdf_layout import pdf_raw_text

from toolkit.office.libreoffice import convert

# Printed pages per 100 table rows, at most (measured: see docs/performance.md).
PAGES_PER_100_ROWS = {
    "一览表": 75,  # 200–450 characters a row: a row takes up to half a page
    "问题清单": 10,
    "分发清单": 10,
    "登记表结果": 75,
    "登记表": 25,
}


def _png() -> bytes:
    from PIL import Image as Picture

    buffer = io.BytesIO()
    Picture.new("RGB", (60, 40), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    require_calc()
    root = tmp_path_factory.mktemp("books")
    register, returns = long_quarter(root, defects=True)
    wb = load_workbook(register)  # a picture: the results go beside the register
    wb["项目"].add_image(Image(io.BytesIO(_png())), "L2")
    wb.save(register)
    out = root / "out"
    args = [returns, "-r", register, "-q", "3", "--out", out / "一览表.docx"]
    done = invoke("merge", *args, "--update-register", "--json")
    assert done.exit_code == 0, done.stderr
    results = Path(json.loads(done.stdout)["outputs"]["register_results"])
    made = invoke("register", "from-summary", out / "一览表.docx", "-o", root / "新登记表.xlsx")
    assert made.exit_code == 0, made.stderr
    paths = {
        "一览表": out / "一览表.xlsx",
        "问题清单": out / "问题清单（2023年第三季度）.xlsx",
        "分发清单": root / "forms" / "分发清单.xlsx",
        "登记表结果": results,
        "登记表": root / "新登记表.xlsx",
    }
    pdfs = convert(list(paths.values()), "pdf", root / "pdf")
    return {name: (path, pdfs[path]) for name, path in paths.items()}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def visible_cells(path: Path) -> list[tuple[str, str, str]]:
    """(sheet, cell, text) of every non-empty cell of the visible sheets and columns."""
    out = []
    for ws in load_workbook(path).worksheets:
        if ws.sheet_state != "visible":
            continue
        hidden = {c for c, dim in ws.column_dimensions.items() if dim.hidden}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value not in (None, "") and get_column_letter(cell.column) not in hidden:
                    out.append((ws.title, cell.coordinate, str(cell.value)))
    return out


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", list(PAGES_PER_100_ROWS))
def test_every_cell_is_printed_whole(books, name):
    path, pdf = books[name]
    printed = _squash(pdf_raw_text(pdf))
    cells = visible_cells(path)
    assert len(cells) > 20
    missing = [(s, c, t[:30]) for s, c, t in cells if _squash(t) not in printed]
    assert missing == [], f"{name}：打印时被截掉的单元格 {missing[:5]}"


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", list(PAGES_PER_100_ROWS))
def test_pages_stay_within_the_bound_and_print_landscape(books, name):
    path, pdf = books[name]
    sizes = pdf_page_sizes(pdf)
    assert all(w > h and abs(w - 841.9) < 2 for w, h in sizes)  # A4 landscape
    book = load_workbook(path)
    rows = sum(ws.max_row for ws in book.worksheets)
    bound = math.ceil(rows / 100 * PAGES_PER_100_ROWS[name]) + len(book.worksheets)
    assert len(sizes) <= bound, f"{name}：{rows} 行印了 {len(sizes)} 页，上限 {bound} 页"


@pytest.mark.libreoffice
def test_every_sheet_has_its_print_setup(books):
    for name, (path, _) in books.items():
        for ws in load_workbook(path).worksheets:
            assert ws.page_setup.orientation == "landscape", (name, ws.title)
            assert int(ws.page_setup.paperSize) == 9 and ws.sheet_properties.pageSetUpPr.fitToPage
            assert ws.print_title_rows, (name, ws.title)  # the header row on every page
            assert "&P" in ws.oddFooter.right.text
            heights = [d.height for r, d in ws.row_dimensions.items() if r > 1]
            assert heights and all(h for h in heights), (name, ws.title)
    for name in ("一览表", "问题清单", "分发清单", "登记表结果"):
        first = load_workbook(books[name][0]).worksheets[0].cell(1, 1).value
        assert "2023年第三季度" in first, (name, first)  # a title row naming the period
