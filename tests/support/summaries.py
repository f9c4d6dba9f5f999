"""一览表 documents as offices have them, built with python-docx."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from docx import Document

from support import seed

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
