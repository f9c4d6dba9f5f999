"""Build the desk's feedback notice template toolkit/desk/templates/notice.docx.

    cd tests && python -m support.build_notice [OUTFILE]

Same conventions as build_templates.py (whose building blocks it reuses):
raw WordprocessingML, each Jinja tag in one run, every run naming its East
Asian font, byte-for-byte reproducible. A notice is a letter, so the page
is A4 portrait with the GB/T 9704 margins (text width 156 mm).
"""

from __future__ import annotations

import sys
from pathlib import Path

from support.build_templates import (
    BODY_RPR,
    NS_R,
    NS_W,
    SUBTITLE_RPR,
    XML_DECL,
    _write_package,
    body_para,
    control_row,
    head_cell,
    para,
    row,
    run,
    table,
    text_cell,
    title_para,
)

PAGE_W, PAGE_H = 11906, 16838  # A4 portrait
TOP, BOTTOM, LEFT, RIGHT = 2098, 1984, 1588, 1474  # 37 / 35 / 28 / 26 mm
TEXT_WIDTH = PAGE_W - LEFT - RIGHT  # 8844
NOTICE_WIDTHS = (1100, 1900, 800, 5044)
NOTICE_HEADERS = ("项目序号", "问题类别", "级别", "具体问题")
assert sum(NOTICE_WIDTHS) == TEXT_WIDTH

INDENT = '<w:ind w:firstLineChars="200" w:firstLine="640"/>'


def section() -> str:
    return (
        "<w:sectPr>"
        '<w:footerReference w:type="default" r:id="rId4"/>'
        f'<w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
        f'<w:pgMar w:top="{TOP}" w:right="{RIGHT}" w:bottom="{BOTTOM}" '
        f'w:left="{LEFT}" w:header="851" w:footer="992" w:gutter="0"/>'
        '<w:cols w:space="425"/>'
        '<w:docGrid w:linePitch="312"/>'
        "</w:sectPr>"
    )


def indented(text: str, *, before: int = 0) -> str:
    spacing = f'<w:spacing w:before="{before}"/>' if before else ""
    return para(run(text, BODY_RPR), jc="both", spacing=spacing + INDENT, mark=BODY_RPR)


def notice_document_xml() -> str:
    w = NOTICE_WIDTHS
    header = row([head_cell(wd, h) for wd, h in zip(w, NOTICE_HEADERS, strict=True)], header=True)
    data = row(
        [
            text_cell(w[0], "{{ f.id }}", short=True),
            text_cell(w[1], "{{ f.kind }}", short=True),
            text_cell(w[2], "{{ f.level }}", short=True),
            text_cell(w[3], "{{ f.message }}", short=False),
        ]
    )
    tbl = table(
        w,
        [
            header,
            control_row(w, "{%tr for f in findings %}"),
            data,
            control_row(w, "{%tr endfor %}"),
        ],
        text_width=TEXT_WIDTH,
    )
    body = "".join(
        [
            title_para("{{ title }}"),
            para(
                run("（{{ period_label }}民生实事项目进展情况）", SUBTITLE_RPR),
                style="Subtitle",
                jc="center",
                mark=SUBTITLE_RPR,
            ),
            body_para("{{ unit }}：", jc="left"),
            indented("{{ intro }}"),
            para("", spacing='<w:spacing w:after="0" w:line="120" w:lineRule="exact"/>'),
            tbl,
            indented("{{ closing }}", before=156),
            body_para(""),
            body_para("{{ date }}", jc="right"),
        ]
    )
    return (
        f'{XML_DECL}<w:document xmlns:w="{NS_W}" xmlns:r="{NS_R}">'
        f"<w:body>{body}{section()}</w:body></w:document>"
    )


def build_notice_template(path: Path | str) -> Path:
    """Write the feedback notice template to `path`."""
    return _write_package(path, notice_document_xml(), "退回修改意见")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    root = Path(__file__).resolve().parents[2]
    out = Path(argv[0]) if argv else root / "toolkit" / "desk" / "templates" / "notice.docx"
    print(build_notice_template(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
