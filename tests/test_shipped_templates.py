"""The default templates templates/form.docx and templates/summary.docx.

They are built by tests/support/build_templates.py; these tests check the
shipped files are exactly what the builder makes, that they are ordinary
Word documents laid out after GB/T 9704, and that they render with docxtpl in
the sandboxed, autoescaping, strict environment the toolkit uses. The
LibreOffice tests render them to PDF and read the pages back.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import jinja2
import pytest
from docxtpl import DocxTemplate, RichText
from hypothesis import given
from hypothesis import strategies as st
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from support.build_templates import (
    FORM_WIDTHS,
    GUIDE_PLAN,
    GUIDE_PROGRESS,
    SUMMARY_WIDTHS,
)
from support.seed import FORM_HEADERS, SHIPPED_FORM_HEADERS

from toolkit.forms import schema

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
FORM = TEMPLATES / "form.docx"
SUMMARY = TEMPLATES / "summary.docx"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
TEXT_WIDTH = 14570

SUMMARY_HEADERS = ["民生事项", *FORM_HEADERS]

GREEN, AMBER, RED = "00B050", "FFC000", "FF0000"
NASTY = "A&B <x>"

REQUIRED_PARTS = {
    "[Content_Types].xml",
    "_rels/.rels",
    "word/document.xml",
    "word/styles.xml",
    "word/settings.xml",
    "word/fontTable.xml",
    "word/_rels/document.xml.rels",
    "word/footer1.xml",
    "docProps/core.xml",
    "docProps/app.xml",
}


def w(name: str) -> str:
    return f"{{{W}}}{name}"


# --------------------------------------------------------------------------
# contexts built from the schema's sample values


def _samples(kind: str, prefix: str = "") -> dict:
    """Sample values of the fields directly under `prefix` (top level when empty)."""
    out = {}
    for f in schema.FIELDS[kind]:
        if not f.name.startswith(prefix):
            continue
        rest = f.name[len(prefix) :]
        if "." not in rest:
            out[rest] = f.sample
    return out


def environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)


def form_row(i: int) -> dict:
    row = _samples(schema.FORM, "rows[].")
    row.update(
        id=f"{40 + i // 3}-{i % 3 + 1}",
        item=str(40 + i // 3),
        name=NASTY if i == 0 else f"第{i}个项目：社区民生微实事审核项目",
        annual_target="2023年审核完成各类社区民生微实事项目800个。\n同时完成验收。",
        lead="区委组织部、民政局、各街道",
        co="/",
    )
    return row


def form_context(n_rows: int = 3) -> dict:
    ctx = _samples(schema.FORM)
    ctx["rows"] = [form_row(i) for i in range(n_rows)]
    return ctx


def summary_row(i: int, evaluation: str = "正常推进") -> dict:
    row = _samples(schema.SUMMARY, "groups[].rows[].")
    marks = {"正常推进": GREEN, "进度滞后": AMBER, "严重滞后": RED}
    mark = RichText("▋", color=marks[evaluation]) if evaluation in marks else RichText(evaluation)
    row.update(
        id=f"{40 + i}",
        item=str(40 + i),
        name=NASTY if i == 0 else f"第{i}个项目",
        progress="1.已完成总体形象进度80%，正开展竣工验收相关工作。\n2.已举办2次培训，参加人数达1000人次。",
        plan="1.无。\n2.继续推进。",
        evaluation=evaluation,
        evaluation_mark=mark,
        status="已报送",
        unit=row["lead"],
        first=True,
        entries=[],
    )
    return row


def summary_context(group_sizes: tuple[int, ...] = (2, 1)) -> dict:
    ctx = _samples(schema.SUMMARY)
    ctx["legend"] = [
        {"name": "正常推进", "mark": RichText("▋", color=GREEN)},
        {"name": "进度滞后", "mark": RichText("▋", color=AMBER)},
        {"name": "严重滞后", "mark": RichText("▋", color=RED)},
    ]
    groups, i = [], 0
    for g, size in enumerate(group_sizes):
        rows = [summary_row(i + k, "进度滞后" if k == 1 else "正常推进") for k in range(size)]
        i += size
        matter = NASTY if g == 0 else f"民生事项{g}：改善教育条件"
        groups.append({"matter": matter, "item": rows[0]["item"], "rows": rows})
    ctx["groups"] = groups
    ctx["stats_text"] = f"共{i}项：已完成0项，正常推进{i}项"
    return ctx


def render(template: Path, context: dict, out: Path) -> Path:
    tpl = DocxTemplate(str(template))
    tpl.render(context, environment())
    tpl.save(str(out))
    return out


def part(docx: Path | bytes, name: str = "word/document.xml") -> etree._Element:
    src = io.BytesIO(docx) if isinstance(docx, bytes) else docx
    with zipfile.ZipFile(src) as zf:
        return etree.fromstring(zf.read(name))


def cell_text(tc: etree._Element) -> str:
    return "\n".join("".join(p.itertext()) for p in tc.iterfind("w:p", NS))


def rows_of(doc: etree._Element) -> list[etree._Element]:
    tables = doc.findall(".//w:tbl", NS)
    assert len(tables) == 1
    return tables[0].findall("w:tr", NS)


# --------------------------------------------------------------------------
# the template files themselves


def test_context_fields_are_the_schema_fields():
    assert set(form_context()) == schema.top_level_names(schema.FORM)
    assert set(summary_context()) == schema.top_level_names(schema.SUMMARY)
    assert set(form_context()["rows"][0]) == schema.attribute_names(schema.FORM, "rows")
    assert set(summary_context()["groups"][0]["rows"][0]) == schema.attribute_names(
        schema.SUMMARY, "groups[].rows"
    )


@pytest.mark.parametrize(("kind", "path"), [(schema.FORM, FORM), (schema.SUMMARY, SUMMARY)])
def test_template_uses_only_schema_variables(kind, path):
    used = DocxTemplate(str(path)).get_undeclared_template_variables(environment())
    assert used, "no variables found: the template was not parsed"
    assert used <= schema.top_level_names(kind)


@pytest.mark.parametrize("path", [FORM, SUMMARY])
def test_package_is_an_ordinary_word_document(path):
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert names == REQUIRED_PARTS
        for name in names:
            etree.fromstring(zf.read(name))  # well-formed
    settings = part(path, "word/settings.xml")
    mode = settings.find(".//w:compatSetting[@w:name='compatibilityMode']", NS)
    assert mode is not None and mode.get(w("val")) == "15"

    styles = part(path, "word/styles.xml")
    assert styles.find("w:docDefaults/w:rPrDefault", NS) is not None
    ids = {s.get(w("styleId")): s for s in styles.iterfind("w:style", NS)}
    assert ids["Normal"].get(w("default")) == "1"
    assert ids["TableGrid"].get(w("type")) == "table"
    assert ids["Title"].find("w:rPr/w:rFonts", NS).get(w("eastAsia")) == "方正小标宋简体"
    assert ids["Normal"].find("w:rPr/w:rFonts", NS).get(w("eastAsia")) == "仿宋_GB2312"
    fonts = {f.get(w("name")) for f in part(path, "word/fontTable.xml")}
    assert {"仿宋_GB2312", "楷体_GB2312", "黑体", "方正小标宋简体"} <= fonts

    footer = part(path, "word/footer1.xml")
    assert "".join(footer.itertext()).replace(" ", "") == "—PAGE1—"
    assert footer.find(".//w:instrText", NS).text.strip() == "PAGE"
    assert footer.find(".//w:pPr/w:jc", NS).get(w("val")) == "center"


@pytest.mark.parametrize("path", [FORM, SUMMARY])
def test_page_is_a4_landscape_with_2cm_margins(path):
    sect = part(path).find("w:body/w:sectPr", NS)
    size = sect.find("w:pgSz", NS)
    assert (size.get(w("w")), size.get(w("h")), size.get(w("orient"))) == (
        "16838",
        "11906",
        "landscape",
    )
    mar = sect.find("w:pgMar", NS)
    assert [mar.get(w(s)) for s in ("top", "bottom", "left", "right")] == ["1134"] * 4
    assert sect.find("w:footerReference", NS) is not None


@pytest.mark.parametrize("path", [FORM, SUMMARY])
def test_every_jinja_tag_sits_whole_in_one_run(path):
    doc = part(path)
    tags = 0
    for t in doc.iter(w("t")):
        text = t.text or ""
        assert text.count("{{") == text.count("}}"), text
        assert text.count("{%") == text.count("%}"), text
        assert not re.search(r"[“”‘’]", "".join(re.findall(r"\{[{%].*?[}%]\}", text))), text
        tags += text.count("{{") + text.count("{%")
        if "{{r " in text:  # docxtpl replaces this whole run by the RichText runs
            assert re.fullmatch(r"\{\{r [^}]+\}\}", text), text
    assert tags > 10
    # no tag is split over runs: the text of each paragraph has balanced tags
    # only because each run does (checked above); also no tag spans paragraphs
    for p in doc.iter(w("p")):
        joined = "".join(p.itertext())
        assert joined.count("{{") == joined.count("}}")


@pytest.mark.parametrize(
    ("path", "widths", "headers"),
    [(FORM, FORM_WIDTHS, SHIPPED_FORM_HEADERS), (SUMMARY, SUMMARY_WIDTHS, SUMMARY_HEADERS)],
)
def test_table_layout(path, widths, headers):
    doc = part(path)
    tbl = doc.find(".//w:tbl", NS)
    assert tbl.find("w:tblPr/w:tblLayout", NS).get(w("type")) == "fixed"
    grid = [int(g.get(w("w"))) for g in tbl.iterfind("w:tblGrid/w:gridCol", NS)]
    assert grid == list(widths) and sum(grid) == TEXT_WIDTH
    borders = tbl.find("w:tblPr/w:tblBorders", NS)
    assert all(b.get(w("val")) == "single" and b.get(w("sz")) == "4" for b in borders)

    header, *rows = tbl.findall("w:tr", NS)
    assert header.find("w:trPr/w:tblHeader", NS) is not None
    texts = [cell_text(tc).replace("{{ quarter_cn }}", "三") for tc in header.iterfind("w:tc", NS)]
    assert texts == headers
    for tc, width in zip(header.iterfind("w:tc", NS), widths, strict=True):
        assert tc.find("w:tcPr/w:tcW", NS).get(w("w")) == str(width)
        assert tc.find("w:tcPr/w:shd", NS).get(w("fill")) == "D9D9D9"
        assert tc.find(".//w:pPr/w:jc", NS).get(w("val")) == "center"
        rpr = tc.find(".//w:r/w:rPr", NS)
        assert rpr.find("w:b", NS) is not None
        assert rpr.find("w:rFonts", NS).get(w("eastAsia")) == "黑体"
    for tr in rows:
        cells = tr.findall("w:tc", NS)
        spans = [
            int(tc.find("w:tcPr/w:gridSpan", NS).get(w("val")))
            if tc.find("w:tcPr/w:gridSpan", NS) is not None
            else 1
            for tc in cells
        ]
        assert sum(spans) == len(widths)
        assert sum(int(tc.find("w:tcPr/w:tcW", NS).get(w("w"))) for tc in cells) == TEXT_WIDTH
        # A project's row is never split over two pages; loop rows vanish when rendered.
        keep = tr.find("w:trPr/w:cantSplit", NS) is not None
        assert keep == ("{{ row.id }}" in "".join(tr.itertext())), "".join(tr.itertext())
    # a paragraph follows the table (LibreOffice would join adjacent tables)
    assert tbl.getnext().tag == w("p")


@pytest.mark.parametrize("path", [FORM, SUMMARY])
def test_loop_rows_are_ordinary_rows(path):
    """Each {%tr %} row has one cell per grid column, the tag alone in the first, nothing
    merged: inserting or deleting a column in Word, WPS or LibreOffice touches only it."""
    tbl = part(path).find(".//w:tbl", NS)
    grid = [g.get(w("w")) for g in tbl.iterfind("w:tblGrid/w:gridCol", NS)]
    loops = [tr for tr in tbl.findall("w:tr", NS) if "{%tr" in "".join(tr.itertext())]
    assert len(loops) == (2 if path == FORM else 4)
    for tr in loops:
        cells = tr.findall("w:tc", NS)
        assert [tc.find("w:tcPr/w:tcW", NS).get(w("w")) for tc in cells] == grid
        assert not tr.findall(".//w:gridSpan", NS) and not tr.findall(".//w:vMerge", NS)
        assert re.fullmatch(r"\{%tr (for \w+ in [\w.]+|endfor) %\}", cell_text(cells[0]))
        assert [cell_text(tc) for tc in cells[1:]] == [""] * (len(grid) - 1)


def test_form_template_rows():
    doc = part(FORM)
    body_text = ["".join(p.itertext()) for p in doc.iterfind("w:body/w:p", NS)]
    assert body_text[0] == "{{ region }}{{ year }}年第{{ quarter_cn }}季度民生实事项目进展情况表"
    assert body_text[1] == "填报单位：{{ unit }}"
    assert "{{ max_chars }}" in body_text[2] and "{{ evaluations_text }}" in body_text[2]
    assert body_text[-1].startswith("填报人：")
    _header, guide, loop, data, end = rows_of(doc)
    guide_cells = guide.findall("w:tc", NS)
    assert cell_text(guide_cells[0]) == "示例"
    assert cell_text(guide_cells[4]) == "（本单位上季度填报的内容，供参考，不计入汇总）"
    assert cell_text(guide_cells[5]).split("\n") == GUIDE_PROGRESS
    assert cell_text(guide_cells[6]).split("\n") == GUIDE_PLAN
    assert cell_text(guide_cells[7]) == "正常推进"
    for r in guide.iter(w("r")):
        assert r.find("w:rPr/w:color", NS).get(w("val")) == "595959"
    assert "".join(loop.itertext()) == "{%tr for row in rows %}"
    assert "".join(end.itertext()) == "{%tr endfor %}"
    cells = data.findall("w:tc", NS)
    assert [cell_text(c) for c in cells] == [
        "{{ row.id }}",
        "{{ row.name }}",
        "{{ row.annual_target }}",
        "{{ row.quarter_target }}",
        "{{ row.previous.text }}",
        "",
        "",
        "",
        "{{ row.lead }}",
        "{{ row.co }}",
    ]
    assert cells[0].find("w:tcPr/w:vAlign", NS).get(w("val")) == "center"
    # The reference: small grey text on a light shade, like the guidance.
    assert cells[4].find("w:tcPr/w:shd", NS).get(w("fill")) == "F2F2F2"
    assert cells[4].find(".//w:r/w:rPr/w:color", NS).get(w("val")) == "595959"
    for c in cells[5:8]:  # the unit types here: one empty paragraph with the body font
        (p,) = c.findall("w:p", NS)
        assert p.find("w:r", NS) is None
        fonts = p.find("w:pPr/w:rPr/w:rFonts", NS)
        assert fonts.get(w("eastAsia")) == "仿宋_GB2312"


def test_summary_template_vm_cell_has_tcpr_and_tag_in_one_text():
    doc = part(SUMMARY)
    rows = rows_of(doc)
    assert ["".join(r.itertext()) for r in rows[1:3] + rows[4:]] == [
        "{%tr for group in groups %}",
        "{%tr for row in group.rows %}",
        "{%tr endfor %}",
        "{%tr endfor %}",
    ]
    first = rows[3].find("w:tc", NS)
    tcpr = first.find("w:tcPr", NS)
    # docxtpl appends vMerge as the last child of tcPr: keep tcW the only child
    assert [c.tag for c in tcpr] == [w("tcW")]
    assert [t.text for t in first.iter(w("t"))] == ["{% vm %}{{ group.matter }}"]


# --------------------------------------------------------------------------
# rendering


def _runs_have_east_asian_font(doc: etree._Element) -> None:
    for r in doc.iter(w("r")):
        text = "".join(t.text or "" for t in r.iterfind("w:t", NS))
        if not text or text == "▋":  # RichText marks take the paragraph style's font
            continue
        fonts = r.find("w:rPr/w:rFonts", NS)
        assert fonts is not None and fonts.get(w("eastAsia")), text
        assert fonts.get(w("ascii")) == "Times New Roman"


def test_render_form(tmp_path):
    ctx = form_context(4)
    out = render(FORM, ctx, tmp_path / "form.docx")
    doc = part(out)
    text = "".join(doc.itertext())
    assert "{{" not in text and "{%" not in text
    assert "龙华区2023年第三季度民生实事项目进展情况表" in text
    assert "填报单位：民治街道" in text
    assert "不超过300字" in text and "已完成 / 正常推进 / 进度滞后 / 严重滞后" in text
    header, guide, *data = rows_of(doc)
    assert [cell_text(tc) for tc in header.iterfind("w:tc", NS)] == SHIPPED_FORM_HEADERS
    assert header.find("w:trPr/w:tblHeader", NS) is not None
    assert cell_text(guide.find("w:tc", NS)) == "示例"
    assert [cell_text(r.find("w:tc", NS)) for r in data] == [r["id"] for r in ctx["rows"]]
    assert cell_text(data[0].findall("w:tc", NS)[1]) == NASTY
    # a line break in a value becomes <w:br/> in the same cell
    assert data[0].findall("w:tc", NS)[2].find(".//w:br", NS) is not None
    for r in data:
        cells = r.findall("w:tc", NS)
        assert cell_text(cells[4]).startswith("进展情况：1.主体结构已完工。")  # the reference
        assert cells[4].find(".//w:br", NS) is not None  # its lines stay lines
        assert [cell_text(tc) for tc in cells[5:8]] == ["", "", ""]
    _runs_have_east_asian_font(doc)


def test_render_summary(tmp_path):
    ctx = summary_context((2, 1))
    out = render(SUMMARY, ctx, tmp_path / "summary.docx")
    doc = part(out)
    text = "".join(doc.itertext())
    assert "{{" not in text and "{%" not in text
    assert "龙华区2023年第三季度民生实事项目进展情况一览表" in text
    assert "（截至2023年9月30日）" in text
    assert ctx["stats_text"] in text

    paragraphs = doc.iterfind("w:body/w:p", NS)
    legend = next(p for p in paragraphs if "进度评价：" in "".join(p.itertext()))
    assert "".join(legend.itertext()) == (
        "进度评价：已完成的项目填写“已完成”；▋正常推进\u3000▋进度滞后\u3000▋严重滞后\u3000"
    )
    colors = [
        r.find("w:rPr/w:color", NS).get(w("val"))
        for r in legend.iter(w("r"))
        if "".join(r.itertext()) == "▋"
    ]
    assert colors == [GREEN, AMBER, RED]

    header, *data = rows_of(doc)
    assert [cell_text(tc) for tc in header.iterfind("w:tc", NS)] == SUMMARY_HEADERS
    assert len(data) == 3
    merges, matters, ids, marks = [], [], [], []
    for tr in data:
        cells = tr.findall("w:tc", NS)
        assert len(cells) == 10
        vm = cells[0].find("w:tcPr/w:vMerge", NS)
        merges.append(vm.get(w("val")))
        matters.append(cell_text(cells[0]))
        ids.append(cell_text(cells[1]))
        mark_runs = [r for r in cells[7].iter(w("r")) if "".join(r.itertext())]
        marks.append(
            [
                (r.findtext("w:t", namespaces=NS), r.find("w:rPr/w:color", NS).get(w("val")))
                for r in mark_runs
            ]
        )
        assert cells[7].find(".//w:pPr/w:jc", NS).get(w("val")) == "center"
    assert merges == ["restart", "continue", "restart"]
    assert matters == [NASTY, "", "民生事项1：改善教育条件"]
    assert ids == ["40", "41", "42"]
    assert cell_text(data[0].findall("w:tc", NS)[2]) == NASTY
    assert marks == [[("▋", GREEN)], [("▋", AMBER)], [("▋", GREEN)]]
    assert data[0].findall("w:tc", NS)[5].find(".//w:br", NS) is not None
    _runs_have_east_asian_font(doc)


# --------------------------------------------------------------------------
# LibreOffice: what a printed page looks like


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    ("template", "context", "headers"),
    [
        (FORM, lambda: form_context(40), SHIPPED_FORM_HEADERS),
        (SUMMARY, lambda: summary_context((15, 1, 24)), SUMMARY_HEADERS),
    ],
    ids=["form", "summary"],
)
def test_pdf_is_landscape_chinese_with_header_on_every_page(template, context, headers, tmp_path):
    from support.lo import pdf_page_sizes, pdf_text, require_libreoffice, to_pdf

    require_libreoffice()
    docx = render(template, context(), tmp_path / template.name)
    pdf = to_pdf(docx, tmp_path / "pdf")
    sizes = pdf_page_sizes(pdf)
    assert len(sizes) >= 2, "40 rows should need more than one page"
    for width, height in sizes:
        assert width > height
        assert abs(width - 841.9) < 2 and abs(height - 595.3) < 2  # A4
    pages = pdf_text(pdf).split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) == len(sizes)
    title = "进展情况表" if template == FORM else "进展情况一览表"
    assert f"龙华区2023年第三季度民生实事项目{title}" in re.sub(r"\s+", "", pages[0])
    for number, page in enumerate(pages, start=1):
        squashed = re.sub(r"\s+", "", page)
        # The last page may hold only the table's end and the signature line.
        assert len(re.findall(r"[\u4e00-\u9fff]", page)) > (100 if number < len(pages) else 20)
        # the repeated header row: every header text (wrapped in its cell) on the page
        for head in headers:
            for piece in (head[:2], head[-2:]):
                assert piece in squashed, (number, head)
        assert "序号" in page and "项目名称" in page
        assert f"—{number}—" in squashed
    assert NASTY in pdf_text(pdf)


def test_shipped_templates_are_what_the_builders_make(tmp_path):
    from support.build_notice import build_notice_templates
    from support.build_report import build_report_template
    from support.build_templates import build_form_template, build_summary_template

    built = [
        build_form_template(tmp_path / "form.docx"),
        build_summary_template(tmp_path / "summary.docx"),
        *build_notice_templates(tmp_path),
        build_report_template(tmp_path / "report.docx"),
    ]
    for path in built:
        assert path.read_bytes() == (TEMPLATES / path.name).read_bytes(), path.name


@given(
    st.text(max_size=30),
    st.sampled_from([None, "", GREEN, AMBER, RED, "#" + RED]),
)
def test_run_markup_writes_what_richtext_writes(text: str, color: str | None) -> None:
    """The 一览表's coloured marks are rendered without docxtpl: the same runs as its RichText."""
    from toolkit.forms.rendering import run_markup

    assert str(run_markup(text, color)) == RichText(text, color=color).xml
