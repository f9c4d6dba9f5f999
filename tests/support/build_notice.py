"""Build the notice templates templates/notice-return.docx, notice-reminder.docx and
notice-nonconforming.docx (退回修改意见, 催报通知, 报送材料不符合要求的通知).

    cd tests && python -m support.build_notice [OUTDIR]

Same conventions as build_templates.py (whose building blocks it reuses):
raw WordprocessingML, each Jinja tag in one run, every run naming its East
Asian font, byte-for-byte reproducible. A notice is a letter laid out after
GB/T 9704: A4 portrait, margins 37 / 35 / 28 / 26 mm (text 156 mm wide),
title 二号 方正小标宋, body 三号 仿宋 on a 28-point line, the addressee flush
left, the issuing office and the date right at the end.
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
NOTICE_WIDTHS = (1100, 1700, 900, 5144)
NOTICE_HEADERS = ("项目序号", "问题类型", "程度", "具体问题")
assert sum(NOTICE_WIDTHS) == TEXT_WIDTH

LINE = '<w:spacing w:line="560" w:lineRule="exact"/>'  # 28 points: 22 lines a page
INDENT = '<w:ind w:firstLineChars="200" w:firstLine="640"/>'
NAMES = {
    "notice-return": "退回修改意见",
    "notice-reminder": "催报通知",
    "notice-nonconforming": "报送材料不符合要求的通知",
}


def section() -> str:
    return (
        "<w:sectPr>"
        '<w:footerReference w:type="default" r:id="rId4"/>'
        f'<w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
        f'<w:pgMar w:top="{TOP}" w:right="{RIGHT}" w:bottom="{BOTTOM}" '
        f'w:left="{LEFT}" w:header="851" w:footer="992" w:gutter="0"/>'
        '<w:cols w:space="425"/>'
        '<w:docGrid w:linePitch="560"/>'
        "</w:sectPr>"
    )


def body(text: str, *, indent: bool = True, jc: str = "both", right: int = 0) -> str:
    """A paragraph of body text (三号 仿宋 on the 28-point line)."""
    spacing = LINE + (INDENT if indent else "")
    if right:
        spacing += f'<w:ind w:right="{right}"/>'
    return para(run(text, BODY_RPR) if text else "", jc=jc, spacing=spacing, mark=BODY_RPR)


def heading() -> list[str]:
    return [
        title_para("{{ title }}"),
        para(
            run("（{{ period_label }}民生实事项目进展情况报送）", SUBTITLE_RPR),
            style="Subtitle",
            jc="center",
            mark=SUBTITLE_RPR,
        ),
        body("{{ unit }}：", indent=False, jc="left"),
        body("{{ intro }}"),
    ]


def closing() -> list[str]:
    """The request, then the 落款: the issuing office, and the date four characters in."""
    return [
        body("{{ request }}"),
        body("", indent=False),
        body("{{ issuer }}", indent=False, jc="right", right=640),
        body("{{ date }}", indent=False, jc="right", right=1280),
    ]


def findings_table() -> str:
    w = NOTICE_WIDTHS
    header = row([head_cell(wd, h) for wd, h in zip(w, NOTICE_HEADERS, strict=True)], header=True)
    data = row(
        [
            text_cell(w[0], "{{ f.id }}", short=True),
            text_cell(w[1], "{{ f.kind }}", short=True),
            text_cell(w[2], "{{ f.level }}", short=True),
            text_cell(w[3], "{{ f.message }}", short=False),
        ],
        keep=True,
    )
    return table(
        w,
        [
            header,
            control_row(w, "{%tr for f in findings %}"),
            data,
            control_row(w, "{%tr endfor %}"),
        ],
        text_width=TEXT_WIDTH,
    )


def reasons() -> list[str]:
    """The reasons a submission could not be used, one numbered paragraph each."""
    return [
        body("{%p for f in findings %}"),
        body("{{ f.no }}．{{ f.message }}"),
        body("{%p endfor %}"),
    ]


def notice_document_xml(name: str) -> str:
    middle: list[str] = []
    if name == "notice-return":
        middle = [findings_table(), body("", indent=False)]
    elif name == "notice-nonconforming":
        middle = reasons()
    parts = [*heading(), *middle, *closing()]
    return (
        f'{XML_DECL}<w:document xmlns:w="{NS_W}" xmlns:r="{NS_R}">'
        f"<w:body>{''.join(parts)}{section()}</w:body></w:document>"
    )


def build_notice_templates(folder: Path | str) -> list[Path]:
    """Write the three notice templates into `folder`."""
    return [
        _write_package(Path(folder) / f"{name}.docx", notice_document_xml(name), title)
        for name, title in NAMES.items()
    ]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "templates"
    for path in build_notice_templates(out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
