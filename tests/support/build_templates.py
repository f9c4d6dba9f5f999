"""Build the default Word templates templates/form.docx and templates/summary.docx.

    /work/venv/bin/python tests/support/build_templates.py [OUTDIR]

The documents are written as raw WordprocessingML (strings checked with lxml)
so that every detail is under control: each Jinja tag sits in exactly one run,
every run names its East Asian font, the tables have real grid widths. The
variables are the ones in toolkit/forms/schema.py. The output is byte-for-byte
reproducible (fixed zip timestamps), so tests can check that the shipped
templates are the ones this script makes.

Layout after GB/T 9704: A4 landscape, 2 cm margins (text width 14570 twips),
title 方正小标宋简体 二号, subtitle 楷体_GB2312 三号, body 仿宋_GB2312,
table header 黑体 五号, page number "— N —" centred in the footer.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from toolkit.core.rules import EVALUATIONS

# --------------------------------------------------------------------------
# constants

NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

PAGE_W, PAGE_H = 16838, 11906  # A4 landscape
MARGIN = 1134  # 2 cm
TEXT_WIDTH = PAGE_W - 2 * MARGIN  # 14570
CELL_MARGIN = 57  # 0.1 cm left/right inside table cells

LATIN = "Times New Roman"
FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"

# Chinese font sizes in half-points
ER_HAO = 44  # 二号
SAN_HAO = 32  # 三号
SI_HAO = 28  # 四号
XIAO_SI = 24  # 小四
WU_HAO = 21  # 五号
XIAO_WU = 18  # 小五

GUIDE_COLOR = "595959"
HEADER_FILL = "D9D9D9"

FIXED_TIME = (2024, 1, 1, 0, 0, 0)
CREATED = "2024-01-01T00:00:00Z"

FORM_WIDTHS = (800, 1200, 1800, 1300, 1500, 3000, 2700, 900, 800, 570)
# 序号 holds `10-3-2` on one line (Times New Roman, or DejaVu Serif where it is missing).
SUMMARY_WIDTHS = (1100, 900, 1300, 1300, 1200, 3300, 3100, 800, 1000, 570)
assert sum(FORM_WIDTHS) == TEXT_WIDTH and sum(SUMMARY_WIDTHS) == TEXT_WIDTH

# --------------------------------------------------------------------------
# WordprocessingML snippets


def rfonts(east_asia: str, latin: str = LATIN) -> str:
    return (
        f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east_asia}" w:cs="{latin}"/>'
    )


def rpr(
    font: str = FANGSONG,
    size: int = SAN_HAO,
    *,
    bold: bool = False,
    color: str | None = None,
    latin: str = LATIN,
) -> str:
    """Run properties, in schema order."""
    out = rfonts(font, latin)
    if bold:
        out += "<w:b/><w:bCs/>"
    if color:
        out += f'<w:color w:val="{color}"/>'
    out += f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    return f"<w:rPr>{out}</w:rPr>"


def t(text: str) -> str:
    space = ' xml:space="preserve"' if text != text.strip() or "{" in text else ""
    return f"<w:t{space}>{escape(text)}</w:t>"


def run(text: str, props: str) -> str:
    """One run with one formatting. A Jinja tag must never be split across runs."""
    return f"<w:r>{props}{t(text)}</w:r>"


def para(
    runs: str | list[str],
    *,
    style: str | None = None,
    jc: str | None = None,
    spacing: str | None = None,
    mark: str = "",
    keep_next: bool = False,
) -> str:
    """A paragraph; `mark` is the rPr of the paragraph mark (used for typing)."""
    if isinstance(runs, list):
        runs = "".join(runs)
    ppr = ""
    if style:
        ppr += f'<w:pStyle w:val="{style}"/>'
    if keep_next:
        ppr += "<w:keepNext/>"
    if spacing:
        ppr += spacing
    if jc:
        ppr += f'<w:jc w:val="{jc}"/>'
    ppr += mark
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{runs}</w:p>"


def cell(
    width: int,
    paragraphs: str | list[str],
    *,
    valign: str | None = None,
    fill: str | None = None,
    span: int = 1,
    margin: int | None = None,
) -> str:
    """A table cell; tcPr children in schema order."""
    if isinstance(paragraphs, list):
        paragraphs = "".join(paragraphs)
    tcpr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        tcpr += f'<w:gridSpan w:val="{span}"/>'
    if fill:
        tcpr += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
    if margin is not None:
        tcpr += (
            f'<w:tcMar><w:left w:w="{margin}" w:type="dxa"/>'
            f'<w:right w:w="{margin}" w:type="dxa"/></w:tcMar>'
        )
    if valign:
        tcpr += f'<w:vAlign w:val="{valign}"/>'
    return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{paragraphs}</w:tc>"


def row(cells: list[str], *, header: bool = False, keep: bool = False) -> str:
    """A table row; a header row repeats on every page, a kept row is never split over two."""
    if header:
        trpr = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
    else:
        trpr = "<w:trPr><w:cantSplit/></w:trPr>" if keep else ""
    return f"<w:tr>{trpr}{''.join(cells)}</w:tr>"


def table(widths: tuple[int, ...], rows: list[str], *, text_width: int = TEXT_WIDTH) -> str:
    assert sum(widths) == text_width
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    tblpr = (
        '<w:tblStyle w:val="TableGrid"/>'
        f'<w:tblW w:w="{text_width}" w:type="dxa"/>'
        '<w:jc w:val="center"/>'
        '<w:tblInd w:w="0" w:type="dxa"/>'
        f"<w:tblBorders>{borders}</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:left w:w="{CELL_MARGIN}" w:type="dxa"/>'
        f'<w:right w:w="{CELL_MARGIN}" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
        'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>'
    )
    return f"<w:tbl><w:tblPr>{tblpr}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


# paragraph helpers for the parts used in both templates

TITLE_RPR = rpr(XIAOBIAOSONG, ER_HAO)
SUBTITLE_RPR = rpr(KAITI, SAN_HAO)
BODY_RPR = rpr(FANGSONG, SAN_HAO)
NOTE_RPR = rpr(FANGSONG, XIAO_SI)
HEAD_RPR = rpr(HEITI, WU_HAO, bold=True)
CELL_RPR = rpr(FANGSONG, WU_HAO)
GUIDE_RPR = rpr(FANGSONG, XIAO_WU, color=GUIDE_COLOR)


def title_para(text: str) -> str:
    return para(run(text, TITLE_RPR), style="Title", jc="center", mark=TITLE_RPR)


def subtitle_para(text: str) -> str:
    return para(run(text, SUBTITLE_RPR), style="Subtitle", jc="center", mark=SUBTITLE_RPR)


def legend_para(intro: str) -> str:
    """`intro`, then each evaluation's coloured mark and name (`legend`)."""
    return para(
        [
            run(f"{intro}{{% for item in legend %}}", BODY_RPR),
            run("{{r item.mark }}", BODY_RPR),
            run("{{ item.name }}\u3000{% endfor %}", BODY_RPR),
        ],
        jc="left",
        mark=BODY_RPR,
    )


def body_para(text: str, *, jc: str | None = None, style: str | None = None) -> str:
    if not text:
        return para("", style=style, jc=jc, mark=BODY_RPR)
    return para(run(text, BODY_RPR), style=style, jc=jc, mark=BODY_RPR)


def _header_margin(width: int, text: str) -> int | None:
    """Left/right cell margin that makes a wrapped header break into even lines.

    "进度评价" in a 900-twip column would wrap as "进度评/价"; with wider
    margins in that one header cell it wraps as "进度/评价". The text stays
    one run with no manual breaks, so it reads exactly as the header text.
    """
    chars = len(text.replace("{{ quarter_cn }}", "三"))
    em = WU_HAO * 10  # one CJK character of 五号, in twips
    per_line = (width - 2 * CELL_MARGIN) // em
    if chars <= per_line:
        return None
    lines = -(-chars // per_line)
    per_balanced = -(-chars // lines)
    margin = (width - per_balanced * em - 40) // 2
    return margin if margin > CELL_MARGIN else None


def head_cell(width: int, text: str) -> str:
    p = para(run(text, HEAD_RPR), style="TableHeading", jc="center", mark=HEAD_RPR)
    return cell(width, p, valign="center", fill=HEADER_FILL, margin=_header_margin(width, text))


def text_cell(
    width: int, text: str, *, short: bool, props: str = CELL_RPR, style: str = "TableText"
) -> str:
    """A body cell: short columns centred both ways, long text top-left."""
    runs = run(text, props) if text else ""
    p = para(runs, style=style, jc="center" if short else "left", mark=props)
    return cell(width, p, valign="center" if short else "top")


def guide_cell(width: int, lines: list[str], *, short: bool) -> str:
    paras = [
        para(
            run(line, GUIDE_RPR),
            style="TableText",
            jc="center" if short else "left",
            mark=GUIDE_RPR,
        )
        for line in lines
    ]
    return cell(width, paras, valign="center" if short else "top")


def reference_cell(width: int, text: str) -> str:
    """The reference column's cell: small grey text on a light shade, read by nobody."""
    p = para(run(text, GUIDE_RPR), style="TableText", jc="left", mark=GUIDE_RPR)
    return cell(width, p, valign="top", fill=REFERENCE_FILL)


def control_row(widths: tuple[int, ...], tag: str) -> str:
    """A row holding only a {%tr ... %} tag, in its first cell; docxtpl removes the whole row.

    An ordinary row with one cell per grid column and nothing merged, so that
    inserting or deleting a column in Word, WPS or LibreOffice touches only
    that column's cell here too.
    """
    first = cell(widths[0], para(run(tag, CELL_RPR), style="TableText", mark=CELL_RPR))
    rest = [cell(w, para("", style="TableText", mark=CELL_RPR)) for w in widths[1:]]
    return row([first, *rest])


def section(footer_rid: str = "rId4") -> str:
    return (
        "<w:sectPr>"
        f'<w:footerReference w:type="default" r:id="{footer_rid}"/>'
        f'<w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}" w:orient="landscape"/>'
        f'<w:pgMar w:top="{MARGIN}" w:right="{MARGIN}" w:bottom="{MARGIN}" '
        f'w:left="{MARGIN}" w:header="567" w:footer="567" w:gutter="0"/>'
        '<w:cols w:space="425"/>'
        '<w:docGrid w:linePitch="312"/>'
        "</w:sectPr>"
    )


def document(body: str) -> str:
    return (
        f'{XML_DECL}<w:document xmlns:w="{NS_W}" xmlns:r="{NS_R}">'
        f"<w:body>{body}{section()}</w:body></w:document>"
    )


# --------------------------------------------------------------------------
# form.docx


GUIDE_PROGRESS = [
    "有动作、有最新进展、有数据体现，内容需简明扼要、条目式陈列，不超过300字。可参考：",
    "1.已完成总体形象进度80%，正开展竣工验收相关工作。",
    "2.已举办2次培训，参加人数达1000人次。",
    "3.已梳理排查问题20项，18项完成整改，2项预计于10月1日完成整改。",
    "4.已于7月15日召开会议，安排部署加强巡查等18项工作举措，确保完成目标。",
    "5.序号用1.2.表示。",
]
GUIDE_REFERENCE = ["（本单位上季度填报的内容，供参考，不计入汇总）"]
GUIDE_PLAN = [
    "内容需简明扼要、条目式陈列，不超过300字。具体要求：",
    "1.有针对性：下一步计划要紧紧围绕存在问题，提出具体、可行的整改措施，不写空话、套话；",
    "2.有预见性：存在问题需预估影响范围，如，预计影响竣工验收、对照计划工期已延期2个月；"
    "下一步工作计划需列明举措和时限，如：会同相关单位召开专项工作会议，预计10月底前完成问题整改，"
    "11月底前恢复正常进度，可顺利完成四季度目标。",
]

REFERENCE_HEADER = "上季度填报（供参考）"
REFERENCE_FILL = "F2F2F2"
FORM_HEADERS = (
    "序号",
    "项目名称",
    "年度目标",
    "第{{ quarter_cn }}季度目标",
    REFERENCE_HEADER,
    "第{{ quarter_cn }}季度进展情况",
    "存在问题及下一步工作计划",
    "进度评价",
    "主办单位",
    "协办单位",
)
# True where the column is short (centred both ways)
FORM_SHORT = (True, False, False, False, False, False, False, True, True, True)


def form_document_xml() -> str:
    w = FORM_WIDTHS
    header = row([head_cell(wd, h) for wd, h in zip(w, FORM_HEADERS, strict=True)], header=True)
    guide = row(
        [
            guide_cell(w[0], ["示例"], short=True),
            guide_cell(w[1], ["（填报示例，不计入汇总）"], short=False),
            guide_cell(w[2], ["-"], short=True),
            guide_cell(w[3], ["-"], short=True),
            guide_cell(w[4], GUIDE_REFERENCE, short=False),
            guide_cell(w[5], GUIDE_PROGRESS, short=False),
            guide_cell(w[6], GUIDE_PLAN, short=False),
            guide_cell(w[7], ["正常推进"], short=True),
            guide_cell(w[8], ["-"], short=True),
            guide_cell(w[9], ["-"], short=True),
        ]
    )
    values = (
        "{{ row.id }}",
        "{{ row.name }}",
        "{{ row.annual_target }}",
        "{{ row.quarter_target }}",
        "{{ row.previous.text }}",  # the quarter before's texts, for reference only
        "",  # 进展情况: filled in by the unit
        "",  # 存在问题及下一步工作计划
        "",  # 进度评价
        "{{ row.lead }}",
        "{{ row.co }}",
    )
    cells = [text_cell(wd, v, short=s) for wd, v, s in zip(w, values, FORM_SHORT, strict=True)]
    cells[4] = reference_cell(w[4], values[4])
    cells[7] = evaluation_cell(w[7])
    data = row(cells, keep=True)
    tbl = table(
        w,
        [
            header,
            guide,
            control_row(w, "{%tr for row in rows %}"),
            data,
            control_row(w, "{%tr endfor %}"),
        ],
    )
    note = (
        "填报说明：进展情况、存在问题及下一步工作计划每格不超过{{ max_chars }}字（不计空格），"
        "条目用“1.”“2.”编号；进度评价点击单元格从下拉列表中选择（{{ evaluations_text }}）。"
        "请勿修改序号、项目名称和目标，勿增删行列。"
    )
    signature = "填报人：" + " " * 20 + "联系电话：" + " " * 20 + "填报日期：      年    月    日"
    body = "".join(
        [
            title_para("{{ region }}{{ year }}年第{{ quarter_cn }}季度民生实事项目进展情况表"),
            body_para("填报单位：{{ unit }}", jc="left"),
            para(run(note, NOTE_RPR), style="FormNote", mark=NOTE_RPR),
            tbl,
            para(
                run(signature, BODY_RPR),
                jc="left",
                spacing='<w:spacing w:before="120"/>',
                mark=BODY_RPR,
            ),
        ]
    )
    return document(body)


def evaluation_cell(width: int) -> str:
    """进度评价: a drop-down list (content control) of the four values, empty until chosen.

    Word, WPS and LibreOffice 7.4+ show the list; LibreOffice keeps it and the
    value chosen when it saves. There is no placeholder text: what the cell
    holds is what the unit chose or typed. No w:id: the row is repeated for
    every project, and an id must be unique (Word assigns one when needed).
    """
    items = "".join(f'<w:listItem w:displayText="{v}" w:value="{v}"/>' for v in EVALUATIONS)
    control = (
        f"<w:sdt><w:sdtPr>{CELL_RPR}"
        '<w:alias w:val="进度评价"/><w:tag w:val="evaluation"/>'
        f"<w:dropDownList>{items}</w:dropDownList></w:sdtPr>"
        f"<w:sdtContent><w:r>{CELL_RPR}</w:r></w:sdtContent></w:sdt>"
    )
    p = para(control, style="TableText", jc="center", mark=CELL_RPR)
    return cell(width, p, valign="center")


# --------------------------------------------------------------------------
# summary.docx

SUMMARY_HEADERS = (
    "民生事项",
    "序号",
    "项目名称",
    "年度目标",
    "第{{ quarter_cn }}季度目标",
    "第{{ quarter_cn }}季度进展情况",
    "存在问题及下一步工作计划",
    "进度评价",
    "主办单位",
    "协办单位",
)


def summary_document_xml() -> str:
    w = SUMMARY_WIDTHS
    header = row([head_cell(wd, h) for wd, h in zip(w, SUMMARY_HEADERS, strict=True)], header=True)

    # 民生事项: docxtpl's {% vm %} appends <w:vMerge/> as the LAST child of
    # tcPr, so this cell's tcPr holds only tcW (anything after vMerge in the
    # schema, such as vAlign, would end up out of order). The vertical centring
    # comes from the table style instead.
    matter_p = para(
        run("{% vm %}{{ group.matter }}", CELL_RPR),
        style="TableText",
        jc="center",
        mark=CELL_RPR,
    )
    matter = f'<w:tc><w:tcPr><w:tcW w:w="{w[0]}" w:type="dxa"/></w:tcPr>{matter_p}</w:tc>'

    # 进度评价: {{r ...}} must be alone in its run; docxtpl replaces that run
    # by the RichText runs, which take their font from the paragraph style.
    mark_p = para(
        run("{{r row.evaluation_mark }}", CELL_RPR),
        style="TableText",
        jc="center",
        mark=CELL_RPR,
    )
    data = row(
        [
            matter,
            text_cell(w[1], "{{ row.id }}", short=True),
            text_cell(w[2], "{{ row.name }}", short=False),
            text_cell(w[3], "{{ row.annual_target }}", short=False),
            text_cell(w[4], "{{ row.quarter_target }}", short=False),
            text_cell(w[5], "{{ row.progress }}", short=False),
            text_cell(w[6], "{{ row.plan }}", short=False),
            cell(w[7], mark_p, valign="center"),
            text_cell(w[8], "{{ row.lead }}", short=True),
            text_cell(w[9], "{{ row.co }}", short=True),
        ],
        keep=True,
    )
    tbl = table(
        w,
        [
            header,
            control_row(w, "{%tr for group in groups %}"),
            control_row(w, "{%tr for row in group.rows %}"),
            data,
            control_row(w, "{%tr endfor %}"),
            control_row(w, "{%tr endfor %}"),
        ],
    )
    legend = legend_para("进度评价：已完成的项目填写“已完成”；")
    body = "".join(
        [
            title_para("{{ region }}{{ year }}年第{{ quarter_cn }}季度民生实事项目进展情况一览表"),
            subtitle_para("（截至{{ period_end }}）"),
            legend,
            body_para("{{ stats_text }}", jc="left"),
            tbl,
            body_para(""),
        ]
    )
    return document(body)


# --------------------------------------------------------------------------
# the other parts (shared)


def _style_para(
    style_id: str,
    name: str,
    ppr: str,
    rpr_xml: str,
    *,
    based_on: str = "Normal",
    next_: str | None = None,
    ui: int = 0,
    q: bool = True,
) -> str:
    out = f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
    if style_id in ("Title", "Subtitle", "Footer"):
        out = f'<w:style w:type="paragraph" w:styleId="{style_id}">'
    out += f"<w:name w:val={quoteattr(name)}/>"
    out += f'<w:basedOn w:val="{based_on}"/>'
    if next_:
        out += f'<w:next w:val="{next_}"/>'
    if ui:
        out += f'<w:uiPriority w:val="{ui}"/>'
    if q:
        out += "<w:qFormat/>"
    out += f"<w:pPr>{ppr}</w:pPr>{rpr_xml}</w:style>"
    return out


SINGLE = '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
SINGLE_AFTER = '<w:spacing w:before="0" w:after="120" w:line="240" w:lineRule="auto"/>'


def styles_xml() -> str:
    lang = '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
    defaults = (
        "<w:docDefaults>"
        "<w:rPrDefault><w:rPr>"
        f"{rfonts(FANGSONG)}"
        f'<w:kern w:val="2"/><w:sz w:val="{SAN_HAO}"/><w:szCs w:val="{SAN_HAO}"/>{lang}'
        "</w:rPr></w:rPrDefault>"
        "<w:pPrDefault><w:pPr>"
        '<w:widowControl w:val="0"/><w:jc w:val="both"/>'
        "</w:pPr></w:pPrDefault>"
        "</w:docDefaults>"
    )
    normal = (
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal">'
        '<w:name w:val="Normal"/><w:qFormat/>'
        '<w:pPr><w:widowControl w:val="0"/><w:spacing w:line="240" w:lineRule="auto"/>'
        '<w:jc w:val="both"/></w:pPr>'
        f"{BODY_RPR}</w:style>"
    )
    default_char = (
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/>'
        "<w:semiHidden/><w:unhideWhenUsed/></w:style>"
    )
    cell_mar = (
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
        f'<w:left w:w="{CELL_MARGIN}" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/>'
        f'<w:right w:w="{CELL_MARGIN}" w:type="dxa"/></w:tblCellMar>'
    )
    table_normal = (
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal">'
        '<w:name w:val="Normal Table"/><w:uiPriority w:val="99"/>'
        "<w:semiHidden/><w:unhideWhenUsed/>"
        '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>'
        "</w:tblPr></w:style>"
    )
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    table_grid = (
        '<w:style w:type="table" w:styleId="TableGrid">'
        '<w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/>'
        '<w:uiPriority w:val="39"/>'
        f"<w:pPr>{SINGLE}</w:pPr>"
        f"{CELL_RPR}"
        f'<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>'
        f"{cell_mar}</w:tblPr>"
        '<w:tcPr><w:vAlign w:val="center"/></w:tcPr>'
        "</w:style>"
    )
    paras = [
        _style_para(
            "Title",
            "Title",
            f'{SINGLE_AFTER}<w:jc w:val="center"/><w:outlineLvl w:val="0"/>',
            TITLE_RPR,
            next_="Normal",
            ui=10,
        ),
        _style_para(
            "Subtitle",
            "Subtitle",
            f'{SINGLE_AFTER}<w:jc w:val="center"/>',
            SUBTITLE_RPR,
            next_="Normal",
            ui=11,
        ),
        _style_para("TableText", "表格文字", f'{SINGLE}<w:jc w:val="left"/>', CELL_RPR),
        _style_para(
            "TableHeading",
            "表格标题行",
            f'{SINGLE}<w:jc w:val="center"/>',
            HEAD_RPR,
            based_on="TableText",
        ),
        _style_para(
            "FormNote",
            "填报说明",
            '<w:spacing w:before="0" w:after="120" w:line="240" w:lineRule="auto"/>',
            NOTE_RPR,
        ),
        _style_para(
            "Footer",
            "footer",
            '<w:snapToGrid w:val="0"/><w:jc w:val="center"/>',
            rpr(SONGTI, SI_HAO, latin=SONGTI),
            ui=99,
            q=False,
        ),
    ]
    return (
        f'{XML_DECL}<w:styles xmlns:w="{NS_W}" xmlns:r="{NS_R}">'
        f"{defaults}{normal}{default_char}{table_normal}{table_grid}{''.join(paras)}"
        "</w:styles>"
    )


def footer_xml() -> str:
    props = rpr(SONGTI, SI_HAO, latin=SONGTI)
    body = (
        f'<w:r>{props}<w:t xml:space="preserve">— </w:t></w:r>'
        f'<w:r>{props}<w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r>{props}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        f'<w:r>{props}<w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r>{props}<w:t>1</w:t></w:r>"
        f'<w:r>{props}<w:fldChar w:fldCharType="end"/></w:r>'
        f'<w:r>{props}<w:t xml:space="preserve"> —</w:t></w:r>'
    )
    p = f'<w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/>{props}</w:pPr>{body}</w:p>'
    return f'{XML_DECL}<w:ftr xmlns:w="{NS_W}" xmlns:r="{NS_R}">{p}</w:ftr>'


def settings_xml() -> str:
    return (
        f'{XML_DECL}<w:settings xmlns:w="{NS_W}" xmlns:r="{NS_R}">'
        '<w:zoom w:percent="100"/>'
        '<w:defaultTabStop w:val="420"/>'
        '<w:drawingGridVerticalSpacing w:val="156"/>'
        '<w:displayHorizontalDrawingGridEvery w:val="0"/>'
        '<w:displayVerticalDrawingGridEvery w:val="2"/>'
        '<w:characterSpacingControl w:val="compressPunctuation"/>'
        "<w:compat>"
        '<w:compatSetting w:name="compatibilityMode" '
        'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/>'
        '<w:compatSetting w:name="overrideTableStyleFontSizeAndJustification" '
        'w:uri="http://schemas.microsoft.com/office/word" w:val="1"/>'
        '<w:compatSetting w:name="enableOpenTypeFeatures" '
        'w:uri="http://schemas.microsoft.com/office/word" w:val="1"/>'
        '<w:compatSetting w:name="doNotFlipMirrorIndents" '
        'w:uri="http://schemas.microsoft.com/office/word" w:val="1"/>'
        "</w:compat>"
        '<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/>'
        '<w:decimalSymbol w:val="."/><w:listSeparator w:val=","/>'
        "</w:settings>"
    )


_FONTS = (
    # name, altName, panose, charset, family, pitch
    (LATIN, None, "02020603050405020304", "00", "roman", "variable"),
    (SONGTI, "SimSun", "02010600030101010101", "86", "auto", "variable"),
    (HEITI, "SimHei", "02010609060101010101", "86", "modern", "fixed"),
    (FANGSONG, "仿宋", "02010609030101010101", "86", "modern", "fixed"),
    (KAITI, "楷体", "02010609030101010101", "86", "modern", "fixed"),
    (XIAOBIAOSONG, "宋体", "02000000000000000000", "86", "auto", "variable"),
)


def font_table_xml() -> str:
    fonts = ""
    for name, alt, panose, charset, family, pitch in _FONTS:
        fonts += f"<w:font w:name={quoteattr(name)}>"
        if alt:
            fonts += f"<w:altName w:val={quoteattr(alt)}/>"
        fonts += (
            f'<w:panose1 w:val="{panose}"/><w:charset w:val="{charset}"/>'
            f'<w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>'
        )
    return f'{XML_DECL}<w:fonts xmlns:w="{NS_W}" xmlns:r="{NS_R}">{fonts}</w:fonts>'


CONTENT_TYPES = (
    f"{XML_DECL}"
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.settings+xml"/>'
    '<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.fontTable+xml"/>'
    '<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.footer+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
    'package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.extended-properties+xml"/>'
    "</Types>"
)

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ROOT_RELS = (
    f"{XML_DECL}"
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
    'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
DOCUMENT_RELS = (
    f"{XML_DECL}"
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/settings" Target="settings.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/fontTable" Target="fontTable.xml"/>'
    f'<Relationship Id="rId4" Type="{_REL}/footer" Target="footer1.xml"/>'
    "</Relationships>"
)


def core_xml(title: str) -> str:
    return (
        f"{XML_DECL}"
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title>"
        "<dc:creator>minsheng-toolkit</dc:creator>"
        "<cp:lastModifiedBy>minsheng-toolkit</cp:lastModifiedBy>"
        "<cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{CREATED}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{CREATED}</dcterms:modified>'
        "</cp:coreProperties>"
    )


APP_XML = (
    f"{XML_DECL}"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Template>Normal.dotm</Template><TotalTime>0</TotalTime><Pages>1</Pages>"
    "<Application>minsheng-toolkit</Application><DocSecurity>0</DocSecurity>"
    "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
    "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
    "<AppVersion>16.0000</AppVersion>"
    "</Properties>"
)


def _write_package(path: Path | str, document_xml: str, title: str) -> Path:
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "docProps/app.xml": APP_XML,
        "docProps/core.xml": core_xml(title),
        "word/document.xml": document_xml,
        "word/styles.xml": styles_xml(),
        "word/settings.xml": settings_xml(),
        "word/fontTable.xml": font_table_xml(),
        "word/footer1.xml": footer_xml(),
        "word/_rels/document.xml.rels": DOCUMENT_RELS,
    }
    for xml in parts.values():  # every part must be well-formed
        etree.fromstring(xml.encode("utf-8"))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, xml in parts.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, xml.encode("utf-8"))
    tmp.replace(path)
    return path


def build_form_template(path: Path | str) -> Path:
    """Write the per-unit form template (kind `form`) to `path`."""
    return _write_package(path, form_document_xml(), "民生实事项目进展情况表")


def build_summary_template(path: Path | str) -> Path:
    """Write the district summary template (kind `summary`) to `path`."""
    return _write_package(path, summary_document_xml(), "民生实事项目进展情况一览表")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "templates"
    for p in (build_form_template(out / "form.docx"), build_summary_template(out / "summary.docx")):
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
