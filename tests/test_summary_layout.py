"""The 一览表 as printed: rendered by LibreOffice, judged from where its text lands.

A quarter with many joint projects, every unit reporting at length
(support.long_register): project 40 alone has eight lead units. The
rendered PDF must start the table on page 1 (under the title block), show
every row's 序号 on the page where the row starts,
never leave a row's first line or two alone at the foot of a page, and
keep the longest 序号 on one line.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree
from support import seed
from support.build_templates import SUMMARY_WIDTHS
from support.cli import invoke
from support.lo import require_libreoffice, to_pdf
from support.long_register import long_quarter
from support.pdf_layout import Page, Word, pdf_pages
from support.template_edits import rewrite

from toolkit.core import rules

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
ID, NAME, PROGRESS, PLAN, LEAD = 1, 2, 5, 6, 8  # grid columns


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def quarter(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return long_quarter(tmp_path_factory.mktemp("long"))


def merge(quarter: tuple[Path, Path], out: Path, *extra: str | Path) -> Path:
    register, returns = quarter
    docx = out / "一览表.docx"
    done = invoke("merge", returns, "-r", register, "-q", "3", "--out", docx, *extra)
    assert done.exit_code == 0, done.stderr
    return docx


def table_rows(docx: Path) -> list[list[str]]:
    """The project table's data rows as the document holds them: texts by grid column."""
    with zipfile.ZipFile(docx) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    (table,) = root.iter(f"{{{W}}}tbl")
    rows = []
    for tr in table.iterfind("w:tr", NS):
        cells = [
            "\n".join("".join(p.itertext()) for p in tc.iterfind("w:p", NS))
            for tc in tr.iterfind("w:tc", NS)
        ]
        rows.append(cells)
    header = next(i for i, r in enumerate(rows) if rules.is_project_header_row(r))
    return rows[header + 1 :]


# ---------------------------------------------------------------- reading the pages


class Columns:
    """The table's columns on a page, placed from the 序号 header and the grid widths."""

    def __init__(self, page: Page) -> None:
        head = page.find("序号")
        assert head is not None, f"第 {page.number} 页没有表头（序号）"
        edges = [0.0]
        for width in SUMMARY_WIDTHS:
            edges.append(edges[-1] + width / 20)
        left = head.x - (edges[ID] + edges[ID + 1]) / 2
        self.edges = [left + e for e in edges]
        band = [w for w in page.words if abs(w.y0 - head.y0) < 16]
        self.top = max(w.y1 for w in band)  # the header row's last line
        self.bottom = page.height - 45  # the page number below

    def holds(self, word: Word) -> bool:
        """Below the header row and above the page number (glyph boxes of Latin and CJK
        text differ in height: judged by their middle)."""
        return self.top < (word.y0 + word.y1) / 2 < self.bottom

    def of(self, word: Word) -> int | None:
        for c in range(len(self.edges) - 1):
            if self.edges[c] <= word.x < self.edges[c + 1]:
                return c
        return None


def column_text(pages: list[Page], column: int) -> list[tuple[int, float, str]]:
    """Every line of text in a column, in reading order: (page, y, text)."""
    out = []
    for page in pages:
        cols = Columns(page)
        lines: dict[float, list[Word]] = {}
        for w in page.words:
            if cols.holds(w) and cols.of(w) == column:
                y = next((k for k in lines if abs(k - w.y0) < 2), w.y0)
                lines.setdefault(y, []).append(w)
        for y in sorted(lines):
            out.append(
                (page.number, y, "".join(w.text for w in sorted(lines[y], key=lambda w: w.x0)))
            )
    return out


def locate(lines: list[tuple[int, float, str]], texts: list[str]) -> list[list[tuple[int, float]]]:
    """For each text (in order), the (page, y) of the printed lines that hold it."""
    printed = "".join(_squash(t) for _, _, t in lines)
    expected = "".join(_squash(t) for t in texts)
    assert printed == expected, "列中的文字与文档不一致（有文字被截掉或错位）"
    where = [(p, y) for p, y, t in lines for _ in _squash(t)]
    out, at = [], 0
    for text in texts:
        n = len(_squash(text))
        out.append(list(dict.fromkeys(where[at : at + n])))
        at += n
    return out


def layout_problems(docx: Path, pdf: Path) -> list[str]:
    """What a reader of the printed 一览表 would trip over, row by row."""
    rows = table_rows(docx)
    pages = pdf_pages(pdf)
    names = locate(column_text(pages, NAME), [r[NAME] for r in rows])
    progress = locate(column_text(pages, PROGRESS), [r[PROGRESS] for r in rows])
    plan = locate(column_text(pages, PLAN), [r[PLAN] for r in rows])
    problems = []
    if names and names[0][0][0] != 1:
        problems.append(f"表格从第 {names[0][0][0]} 页才开始，第 1 页只有标题")
    starts: Counter[tuple[int, str]] = Counter()
    for row, name, *texts in zip(rows, names, progress, plan, strict=True):
        pid = rules.normalize_id(row[ID])
        start = name[0][0]
        starts[(start, pid)] += 1
        lines = [*name, *texts[0], *texts[1]]
        end = max(page for page, _ in lines)
        first_page = {y for page, y in lines if page == start}
        if end > start and len(first_page) < 2:
            problems.append(f"序号 {pid}：第 {start} 页底只有 {len(first_page)} 行，其余在下一页")
    shown: Counter[tuple[int, str]] = Counter()
    ids = {rules.normalize_id(r[ID]) for r in rows}
    for page in pages:
        cols = Columns(page)
        for w in page.words:
            if cols.holds(w) and cols.of(w) == ID:
                if w.text not in ids:
                    problems.append(
                        f"第 {page.number} 页：序号列中的“{w.text}”不是完整的序号（折行了）"
                    )
                shown[(page.number, w.text)] += 1
    for (page, pid), n in sorted((starts - shown).items()):
        problems.append(f"序号 {pid}：有 {n} 行从第 {page} 页开始，但该页没有显示序号")
    for page, pid in sorted(shown - starts):
        problems.append(f"第 {page} 页显示了序号 {pid}，但没有从该页开始的这一行（行被拆开了）")
    return problems


# ---------------------------------------------------------------- the tests


@pytest.mark.libreoffice
def test_every_row_starts_on_a_page_that_shows_its_id(quarter, tmp_path):
    require_libreoffice()
    docx = merge(quarter, tmp_path / "out")
    rows = table_rows(docx)
    # Project 40 is shown as one row per lead unit, each with its 序号 and name.
    forty = [r for r in rows if r[ID] == "40" and not r[NAME].endswith("（续）")]
    assert [r[PROGRESS].split("：")[0] for r in forty] == seed.JOINT_ROW_UNITS
    assert all(r[NAME].startswith("社区民生微实事审核项目") for r in forty)
    assert [r[LEAD] for r in forty] == ["区委组织部、民政局、各街道"] + [""] * 7  # merged
    assert {r[ID] for r in rows} >= {"31-11", "10-3", "50-1-2"}
    pdf = to_pdf(docx, tmp_path / "pdf")
    assert layout_problems(docx, pdf) == []


@pytest.mark.libreoffice
def test_the_check_sees_rows_split_over_pages(quarter, tmp_path):
    """The same 一览表 from a template whose rows may split: the check finds the splits."""
    require_libreoffice()
    from toolkit.templates import default_path

    template = tmp_path / "可拆行的一览表模板.docx"
    rewrite(
        default_path("summary"),
        template,
        lambda xml: xml.replace(b"<w:trPr><w:cantSplit/></w:trPr>", b""),
    )
    docx = merge(quarter, tmp_path / "out", "--template", template)
    pdf = to_pdf(docx, tmp_path / "pdf")
    problems = layout_problems(docx, pdf)
    assert any("行被拆开了" in p or "页底只有" in p for p in problems), problems
