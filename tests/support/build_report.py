"""Build the 督查通报 template templates/report.docx (kind `report`).

    cd tests && python -m support.build_report [OUTDIR]

Same conventions as build_templates.py and build_notice.py (whose building
blocks it reuses): raw WordprocessingML, each Jinja tag in one run, every
run naming its East Asian font, byte-for-byte reproducible. Laid out after
GB/T 9704 as the notices are: A4 portrait, title 二号 方正小标宋, body 三号
仿宋 on a 28-point line, headings 三号 黑体; the chart in a paragraph of its
own with single line spacing (a fixed line would cut the picture off); the
annexes each on a new page, headed 附件1 / 附件2 / 附件3 (附件3, the year's
报送及时率, only when a deadline has passed).
"""

from __future__ import annotations

import sys
from pathlib import Path

from support.build_notice import INDENT, LINE, TEXT_WIDTH, body, section
from support.build_templates import (
    HEITI,
    NS_R,
    NS_W,
    SAN_HAO,
    XIAOBIAOSONG,
    XML_DECL,
    _write_package,
    control_row,
    head_cell,
    para,
    row,
    rpr,
    run,
    table,
    text_cell,
    title_para,
)

HEADING_RPR = rpr(HEITI, SAN_HAO)
ANNEX_TITLE_RPR = rpr(XIAOBIAOSONG, 36)  # 小二
CAPTION_RPR = rpr("仿宋_GB2312", 28)  # 四号

MATTER_WIDTHS = (2844, 900, 1020, 1020, 1020, 1020, 1020)
MATTER_HEADERS = ("民生事项", "项目数", "已完成", "正常推进", "进度滞后", "严重滞后", "其他")
MATTER_KEYS = ("total", "已完成", "正常推进", "进度滞后", "严重滞后", "其他")
LAGGING_WIDTHS = (900, 2200, 1600, 1000, 3144)
LAGGING_HEADERS = ("序号", "项目名称", "主办单位", "进度评价", "存在问题及下一步工作计划")
STANDING_WIDTHS = (700, 1900, 2000, 1900, 2344)
STANDING_HEADERS = ("序号", "单位", "情况", "日期", "说明")
REPEAT_WIDTHS = (900, 2744, 1800, 1700, 1700)
REPEAT_HEADERS = ("序号", "项目名称", "主办单位", "上季度评价", "本季度评价")
RATE_WIDTHS = (700, 1844, 1300, 1100, 1100, 1200, 1600)
RATE_HEADERS = ("序号", "单位", "应按时报送", "按时报送", "逾期报送", "逾期未报送", "报送及时率")
for widths in (MATTER_WIDTHS, LAGGING_WIDTHS, STANDING_WIDTHS, REPEAT_WIDTHS, RATE_WIDTHS):
    assert sum(widths) == TEXT_WIDTH


def heading(text: str) -> str:
    """一、总体情况: 黑体, indented two characters, kept with what follows."""
    return para(
        run(text, HEADING_RPR), spacing=LINE + INDENT, jc="both", mark=HEADING_RPR, keep_next=True
    )


def data_table(
    widths: tuple[int, ...],
    headers: tuple[str, ...],
    loop: str,
    cells: list[str],
    *,
    extra: tuple[str, ...] = (),
) -> str:
    head = row([head_cell(w, h) for w, h in zip(widths, headers, strict=True)], header=True)
    return table(
        widths,
        [
            head,
            control_row(widths, f"{{%tr for {loop} %}}"),
            row(cells, keep=True),
            control_row(widths, "{%tr endfor %}"),
            *extra,
        ],
        text_width=TEXT_WIDTH,
    )


def matters_table() -> str:
    w = MATTER_WIDTHS
    data = [text_cell(w[0], "{{ m.name }}", short=False)]
    data += [
        text_cell(wd, f"{{{{ m.stats['{key}'] }}}}", short=True)
        for wd, key in zip(w[1:], MATTER_KEYS, strict=True)
    ]
    total = [text_cell(w[0], "合计", short=True)]
    total += [
        text_cell(wd, f"{{{{ stats['{key}'] }}}}", short=True)
        for wd, key in zip(w[1:], MATTER_KEYS, strict=True)
    ]
    return data_table(w, MATTER_HEADERS, "m in matters", data, extra=(row(total, keep=True),))


def lagging_table() -> str:
    w = LAGGING_WIDTHS
    values = (
        ("{{ lag.id }}", True),
        ("{{ lag.name }}", False),
        ("{{ lag.unit }}", True),
        ("{{ lag.evaluation }}", True),
        ("{{ lag.problem }}", False),
    )
    cells = [text_cell(wd, v, short=s) for wd, (v, s) in zip(w, values, strict=True)]
    return data_table(w, LAGGING_HEADERS, "lag in lagging", cells)


def standings_table() -> str:
    w = STANDING_WIDTHS
    values = (
        ("{{ s.no }}", True),
        ("{{ s.unit }}", True),
        ("{{ s.situation }}", True),
        ("{{ s.date }}", True),
        ("{{ s.note }}", False),
    )
    cells = [text_cell(wd, v, short=s) for wd, (v, s) in zip(w, values, strict=True)]
    return data_table(w, STANDING_HEADERS, "s in standings", cells)


def short_table(
    widths: tuple[int, ...], headers: tuple[str, ...], loop: str, values: tuple[str, ...]
) -> str:
    """A table of short cells but the second (a name that may wrap)."""
    cells = [
        text_cell(w, v, short=n != 1) for n, (w, v) in enumerate(zip(widths, values, strict=True))
    ]
    return data_table(widths, headers, loop, cells)


def repeats_table() -> str:
    values = (
        "{{ r.id }}",
        "{{ r.name }}",
        "{{ r.unit }}",
        "{{ r.before }}",
        "{{ r.evaluation }}",
    )
    return short_table(REPEAT_WIDTHS, REPEAT_HEADERS, "r in repeats", values)


def rates_table() -> str:
    values = (
        "{{ t.no }}",
        "{{ t.unit }}",
        "{{ t.due }}",
        "{{ t.on_time }}",
        "{{ t.late }}",
        "{{ t.overdue }}",
        "{{ t.rate }}",
    )
    return short_table(RATE_WIDTHS, RATE_HEADERS, "t in rates", values)


def chart() -> list[str]:
    """The picture (single line spacing: a fixed line would cut it off) and its caption."""
    single = '<w:spacing w:before="120" w:after="60" w:line="240" w:lineRule="auto"/>'
    return [
        para(run("{{ chart }}", CAPTION_RPR), jc="center", spacing=single, mark=CAPTION_RPR),
        para(
            run("图1　各民生事项项目进度评价情况（单位：项）", CAPTION_RPR),
            jc="center",
            spacing='<w:spacing w:after="120"/>',
            mark=CAPTION_RPR,
        ),
    ]


def annex(label: str, title: str) -> list[str]:
    """`附件1` at the top of a new page, flush left in 黑体, then the annex's title."""
    first = (
        f"<w:p><w:pPr><w:pageBreakBefore/>{LINE}{HEADING_RPR}</w:pPr>"
        f"{run(label, HEADING_RPR)}</w:p>"
    )
    return [
        first,
        para(
            run(title, ANNEX_TITLE_RPR),
            jc="center",
            spacing='<w:spacing w:before="240" w:after="240"/>',
            mark=ANNEX_TITLE_RPR,
        ),
    ]


def report_document_xml() -> str:
    parts = [
        title_para("{{ title }}"),
        body("各街道、区直有关单位：", indent=False, jc="left"),
        body("现将{{ period_label }}全区民生实事项目推进情况通报如下。"),
        heading("一、总体情况"),
        body("{{ overall_text }}"),
        matters_table(),
        *chart(),
        heading("二、报送情况"),
        body("{{ returns_text }}{% if standings %}有关单位名单见附件2。{% endif %}"),
        body("{{ rates_text }}"),
        heading("三、进度滞后项目"),
        body("{{ lagging_text }}"),
        body("{{ repeats_text }}"),
        body("{%p if repeats %}"),
        repeats_table(),
        body("建议对以上连续两个季度滞后的项目挂牌督办，约谈主办单位有关负责人。"),
        body("{%p endif %}"),
        heading("四、下一步工作要求"),
        body(
            "（一）请进度滞后、严重滞后项目的主办单位认真分析原因，制定整改措施，"
            "明确完成时限，加快推进，确保完成年度目标。"
        ),
        body("（二）请各单位严格按照时间节点报送季度进展情况，确保内容真实、准确、完整。"),
        body("", indent=False),
        body("{{ issuer }}", indent=False, jc="right", right=640),
        body("{{ date }}", indent=False, jc="right", right=1280),
        *annex("附件1", "{{ period_label }}进度滞后、严重滞后项目名单"),
        lagging_table(),
        body("{%p if not lagging %}"),
        body("本季度没有进度滞后、严重滞后的项目。"),
        body("{%p endif %}"),
        *annex("附件2", "{{ period_label }}未报送、逾期报送和退回修改的单位"),
        standings_table(),
        body("{%p if not standings %}"),
        body("所有单位均已按时报送，没有需要退回修改的回收表。"),
        body("{%p endif %}"),
        body("{%p if rates %}"),
        *annex("附件3", "{{ year }}年各单位报送及时率"),
        rates_table(),
        body("{%p endif %}"),
        body("", indent=False),  # the body ends with a paragraph, not the table
    ]
    return (
        f'{XML_DECL}<w:document xmlns:w="{NS_W}" xmlns:r="{NS_R}">'
        f"<w:body>{''.join(parts)}{section()}</w:body></w:document>"
    )


def build_report_template(path: Path | str) -> Path:
    """Write the 督查通报 template (kind `report`) to `path`."""
    return _write_package(path, report_document_xml(), "民生实事项目督查通报")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "templates"
    print(build_report_template(out / "report.docx"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
