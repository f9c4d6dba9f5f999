"""一览表 documents as offices have them, built with python-docx; the toolkit's own, read back."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from lxml import etree

from support import seed
from toolkit.core import rules
from toolkit.office.wordml import WordDocument

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

HEADER = ["民生事项", *seed.FORM_HEADERS]
EXAMPLE_PROGRESS = (
    "有动作、有最新进展、有数据体现，内容需简明扼要、条目式陈列，不超过300字。可参考：\n"
    "1.已完成总体形象进度80%，正开展竣工验收相关工作。\n5.序号用1.2.表示。"
)


def seed_rows() -> list[list[str]]:
    """The seed's rows as its 一览表 shows them (民治街道's returns filled in)."""
    rows = []
    for matter, pid, name, annual, q3, lead, co in seed.PROJECTS:
        progress, plan, evaluation = seed.MINZHI_Q3[pid]
        mark = evaluation if evaluation == "已完成" else "▋"
        rows.append([matter, pid, name, annual, q3, progress, plan, mark, lead, co])
    return rows


def write_summary(
    path: Path,
    rows: Sequence[Sequence[str]],
    *,
    title: str = "龙华区2023年第三季度民生实事项目进展情况一览表",
    header: Sequence[str] = HEADER,
    example_row: bool = True,
    merge_first_column: Sequence[tuple[int, int]] = (),
) -> Path:
    """A 一览表 with the seed's layout: title, date line, one table.

    `merge_first_column` merges 民生事项 vertically over data rows (first, last),
    counted from 0, as Word does for a 民生事项 written once over its rows.
    """
    doc = Document()
    doc.add_paragraph(title)
    doc.add_paragraph("（截至2023年9月30日）")
    table = doc.add_table(rows=1, cols=len(header))
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    first_data = 1
    if example_row:
        cells = table.add_row().cells
        cells[0].text = "示  例"
        cells[5].text = EXAMPLE_PROGRESS
        cells[6].text = "内容需简明扼要、条目式陈列，不超过300字。"
        for c in (7, 8, 9):
            cells[c].text = "-"
        first_data = 2
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    for first, last in merge_first_column:
        top = table.cell(first_data + first, 0)
        text = top.text
        merged = top.merge(table.cell(first_data + last, 0))
        merged.text = text  # python-docx joins the merged cells' paragraphs
    doc.save(path)
    return path


def summary_table(docx: Path) -> list[dict[str, str]]:
    """The toolkit's 一览表 as written: each row of its project table by column key."""
    with zipfile.ZipFile(docx) as zf:
        doc = WordDocument(etree.fromstring(zf.read("word/document.xml")))
    (table,) = doc.tables()
    rows = [[doc.cell_text(tc) for tc in tr.iter(f"{W}tc")] for tr in table.iterfind(f"{W}tr")]
    at = next(i for i, r in enumerate(rows) if rules.is_project_header_row(r))
    keys = [rules.header_key(text) or text for text in rows[at]]
    return [dict(zip(keys, r, strict=True)) for r in rows[at + 1 :]]


def summary_by_id(docx: Path) -> dict[str, dict[str, str]]:
    """One entry per project: the rows of a joint project (one per unit) or of a text
    continued over rows put back together, what each unit reported joined by lines."""
    joined = (rules.PROGRESS, rules.PLAN, rules.EVALUATION)
    out: dict[str, dict[str, str]] = {}
    for row in summary_table(docx):
        pid = row[rules.ID]
        if pid not in out:
            out[pid] = dict(row)
            continue
        continued = row[rules.NAME].endswith("（续）")  # the same unit's text, going on
        for key in joined:
            if row[key] and not (continued and key == rules.EVALUATION):
                out[pid][key] = "\n".join(t for t in (out[pid][key], row[key]) if t)
    return out
