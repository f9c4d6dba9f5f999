"""Build the year's view template templates/annual.docx (the 全年一览表).

    cd tests && python -m support.build_annual [OUTFILE]

Same conventions as build_templates.py (whose building blocks it reuses):
raw WordprocessingML, each Jinja tag in one run, every run naming its East
Asian font, byte-for-byte reproducible; A4 landscape after GB/T 9704. The
variables are those toolkit/history/annual_files.py fills (ANNUAL_FIELDS).
"""

from __future__ import annotations

import sys
from pathlib import Path

from support.build_templates import (
    CELL_RPR,
    _write_package,
    body_para,
    cell,
    control_row,
    document,
    head_cell,
    legend_para,
    para,
    row,
    run,
    subtitle_para,
    table,
    text_cell,
    title_para,
)

QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")
STATS_HEADERS = (
    "季度",
    "已完成",
    "正常推进",
    "进度滞后",
    "严重滞后",
    "部分单位未报送",
    "未报送",
    "未评价",
    "合计",
    "汇总时间",
)
STATS_WIDTHS = (1800, 1400, 1400, 1400, 1400, 1600, 1300, 1200, 1200, 1870)
ANNUAL_HEADERS = ("民生事项", "序号", "项目名称", "年度目标", "主办单位", *QUARTERS, "最新进展情况")
ANNUAL_WIDTHS = (1300, 650, 1500, 2000, 1100, 700, 700, 700, 700, 5220)
assert sum(STATS_WIDTHS) == sum(ANNUAL_WIDTHS) == 14570


def _centred(width: int, text: str) -> str:
    return text_cell(width, text, short=True)


def _mark_cell(width: int, tag: str) -> str:
    # {{r ...}} alone in its run: docxtpl replaces the run by the RichText's runs.
    return cell(
        width,
        para(run(tag, CELL_RPR), style="TableText", jc="center", mark=CELL_RPR),
        valign="center",
    )


def annual_document_xml() -> str:
    s = STATS_WIDTHS
    stats = table(
        s,
        [
            row([head_cell(wd, h) for wd, h in zip(s, STATS_HEADERS, strict=True)], header=True),
            control_row(s, "{%tr for q in quarters %}"),
            row(
                [
                    _centred(s[0], "{{ q.label }}"),
                    *(_centred(wd, f"{{{{ q.cells[{n}] }}}}") for n, wd in enumerate(s[1:-1])),
                    _centred(s[-1], "{{ q.recorded }}"),
                ]
            ),
            control_row(s, "{%tr endfor %}"),
        ],
    )
    w = ANNUAL_WIDTHS
    # 民生事项: {% vm %} appends vMerge last in tcPr, so the cell holds only tcW (see summary).
    matter_p = para(
        run("{% vm %}{{ group.matter }}", CELL_RPR), style="TableText", jc="center", mark=CELL_RPR
    )
    matter = f'<w:tc><w:tcPr><w:tcW w:w="{w[0]}" w:type="dxa"/></w:tcPr>{matter_p}</w:tc>'
    data = row(
        [
            matter,
            _centred(w[1], "{{ row.id }}"),
            text_cell(w[2], "{{ row.name }}", short=False),
            text_cell(w[3], "{{ row.annual_target }}", short=False),
            _centred(w[4], "{{ row.lead }}"),
            *(_mark_cell(w[5 + n], f"{{{{r row.marks[{n}] }}}}") for n in range(4)),
            text_cell(w[9], "{{ row.latest }}", short=False),
        ]
    )
    projects = table(
        w,
        [
            row([head_cell(wd, h) for wd, h in zip(w, ANNUAL_HEADERS, strict=True)], header=True),
            control_row(w, "{%tr for group in groups %}"),
            control_row(w, "{%tr for row in group.rows %}"),
            data,
            control_row(w, "{%tr endfor %}"),
            control_row(w, "{%tr endfor %}"),
        ],
    )
    legend = legend_para("进度评价：已完成的项目写“已完成”，未汇总的季度写“未汇总”；")
    body = "".join(
        [
            title_para("{{ title }}"),
            subtitle_para("（{{ coverage }}）"),
            body_para("{{ result_text }}", jc="left"),
            stats,
            body_para(""),  # LibreOffice joins two tables with nothing between them
            legend,
            projects,
            body_para(""),
        ]
    )
    return document(body)


def build_annual_template(path: Path | str) -> Path:
    """Write the 全年一览表 template to `path`."""
    return _write_package(path, annual_document_xml(), "民生实事项目全年进展情况一览表")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    root = Path(__file__).resolve().parents[2]
    out = Path(argv[0]) if argv else root / "templates" / "annual.docx"
    print(build_annual_template(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
