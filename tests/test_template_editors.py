"""Templates saved by any editor render as stock docxtpl renders them, and check says so.

LibreOffice writes the quotes typed in a tag as `&apos;`/`&quot;` and puts
the Chinese part of a tag into a run of its own with other font attributes;
Word's autocorrect types curly quotes; text copied from a web page brings
no-break and zero-width spaces; python-docx writes plain quotes. Each
variant here is a real .docx: hand-made XML, saved by python-docx, or
edited in LibreOffice through its menu commands over UNO, following the
LibreOffice steps of docs/templates.md.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import docx
import pytest
from docxtpl import DocxTemplate
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from support.cli import invoke
from support.fill import fill_form
from support.registers import write_owners_register, write_register
from support.summaries import summary_by_id
from support.template_edits import FORM, NS, ROOT, SUMMARY, W, check_json, replaced, rewrite

from toolkit.forms.rendering import PreparedTemplate, make_environment
from toolkit.returns.reader import read_return
from toolkit.templating.samples import sample_context

DOCS = ROOT / "docs" / "templates.md"
OWNER = "{{ row.extra['责任人'] }}"


def generate(register: Path, template: Path, out: Path) -> list[dict]:
    result = invoke("generate", register, "-q", "3", "-t", template, "-o", out, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["forms"]


def merge(returns: Path, register: Path, template: Path, out: Path):
    return invoke("merge", returns, "-r", register, "-q", "3", "-t", template, "--out", out)


def fill_all(forms: list[dict], folder: Path) -> Path:
    folder.mkdir()
    for f in forms:
        values = {"进展情况": "1.已推进。", "存在问题": "无。", "进度评价": "正常推进"}
        rows = {pid: values for pid in f["rows"]}
        fill_form(Path(f["file"]), folder / Path(f["file"]).name, rows)
    return folder


# ---------------------------------------------------------------- hand-made XML


@pytest.mark.parametrize(
    "typed",
    [
        "{{ row.extra[&apos;责任人&apos;] }}",  # LibreOffice, quote autocorrect off
        "{{ row.extra[&quot;责任人&quot;] }}",
        "{{ row.extra[&#39;责任人&#39;] }}",
        "{{ row.extra[‘责任人’] }}",  # Word and LibreOffice, quote autocorrect on
        "{{\u00a0row.extra['责任人']\u3000}}",  # no-break and ideographic spaces
        "{\u200b{ row.extra['责任人']\u200b }}",  # zero-width spaces from a web page
    ],
    ids=["apos", "quot", "numeric", "curly", "nbsp", "zero-width"],
)
def test_a_column_typed_any_way_renders(tmp_path, typed):
    template = replaced(FORM, tmp_path / "填报表模板.docx", ("{{ row.co }}", typed))
    rc, data = check_json(template)
    assert rc == 0 and data["extra_columns"] == ["责任人"], data["problems"]
    assert all(p["level"] == "warning" for p in data["problems"])
    register, owners = write_owners_register(tmp_path / "登记表.xlsx")
    for f in generate(register, template, tmp_path / "填报表"):
        form = read_return(Path(f["file"]), quarter=3)
        assert {r.id: r.cells["co"] for r in form.rows} == {i: owners[i] for i in f["rows"]}


def test_zero_width_space_is_named_where_it_is(tmp_path):
    template = replaced(FORM, tmp_path / "模板.docx", ("{{ unit }}", "{{ unit\u200b }}"))
    rc, data = check_json(template)
    assert rc == 0
    [hit] = data["problems"]
    assert (hit["code"], hit["level"], hit["location"]) == (
        "invisible_in_tag",
        "warning",
        "正文第2段",
    )
    assert "零宽空格（U+200B）" in hit["message"]


def test_an_unknown_character_is_named_without_offsets(tmp_path):
    template = replaced(FORM, tmp_path / "模板.docx", ("{{ row.name }}", "{{ row.name— }}"))
    rc, data = check_json(template)
    assert rc == 1
    [hit] = [p for p in data["problems"] if p["code"] == "syntax"]
    assert "“—”（U+2014）" in hit["message"] and not re.search(r"at \d+", hit["message"])
    assert hit["location"] == "第1个表格第4行第2列"
    assert "Word" in hit["fix"] and "WPS" in hit["fix"] and "LibreOffice" in hit["fix"]


def _word2016_style(tmp_path: Path) -> Path:
    """The summary with the constructs of docxtpl's own Word 2016 test template added:
    entity quotes around spaces, a tag around tab elements, no spaces inside braces,
    bookmarks, and {{r }} sharing its run with text."""

    def run(inner: str) -> str:
        return f'<w:r><w:rPr><w:lang w:val="en-US"/></w:rPr>{inner}</w:r>'

    paragraphs = "".join(
        f"<w:p>{body}</w:p>"
        for body in (
            '<w:bookmarkStart w:id="90" w:name="__DdeLink__1"/><w:bookmarkEnd w:id="90"/>'
            + run("<w:t>{{&apos;            &apos;}} 行首空格</w:t>"),
            run("<w:t>{{stats_text}} 统计</w:t>"),
            run("<w:t>{{&apos;</w:t><w:tab/><w:tab/><w:tab/><w:t>&apos;}} 标签中的制表符</w:t>"),
            run("<w:t>{% for item in legend %}{{r item.mark}} {{item.name}}{% endfor %}</w:t>"),
        )
    )

    def change(data: bytes) -> bytes:
        return data.replace(b"<w:body>", b"<w:body>" + paragraphs.encode(), 1)

    return rewrite(SUMMARY, tmp_path / "word2016.docx", change)


def _stock_render(template: Path, kind: str) -> bytes:
    """The template rendered by stock docxtpl, in the toolkit's Jinja environment."""
    stock = DocxTemplate(str(template))
    stock.render(sample_context(kind), make_environment())
    buffer = io.BytesIO()
    stock.save(buffer)
    return buffer.getvalue()


def _paragraph_texts(docx_bytes: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    out = []
    for p in root.iter(f"{{{W}}}p"):
        pieces = []
        for el in p.iter(f"{{{W}}}t", f"{{{W}}}tab", f"{{{W}}}br"):
            if el.tag.endswith("}t"):
                pieces.append(el.text or "")
            elif el.getparent().tag == f"{{{W}}}r":  # not a tab stop of the paragraph
                pieces.append("\t" if el.tag.endswith("tab") else "\n")
        out.append("".join(pieces))
    return out


def test_a_word2016_style_template_passes_and_renders_like_stock_docxtpl(tmp_path):
    template = _word2016_style(tmp_path)
    rc, data = check_json(template)
    assert (rc, data["problems"]) == (0, [])
    context = sample_context("summary")
    ours = PreparedTemplate(template).render_bytes(context)
    texts = _paragraph_texts(ours)
    assert texts == _paragraph_texts(_stock_render(template, "summary"))
    assert texts[:3] == [" " * 12 + " 行首空格", context["stats_text"] + " 统计", " 标签中的制表符"]
    assert texts[3] == "".join(f"▋ {item['name']}" for item in context["legend"])


def test_a_template_saved_by_python_docx(tmp_path):
    document = docx.Document(str(FORM))
    cell = next(
        c for t in document.tables for r in t.rows for c in r.cells if c.text == "{{ row.co }}"
    )
    cell.paragraphs[0].runs[0].text = OWNER
    document.add_paragraph("{{ \"填报单位\" }}：{{ unit }}（{{ 'python-docx' }}）")
    template = tmp_path / "python-docx.docx"
    document.save(str(template))
    rc, data = check_json(template)
    assert (rc, data["problems"], data["extra_columns"]) == (0, [], ["责任人"])
    register, owners = write_owners_register(tmp_path / "登记表.xlsx")
    for f in generate(register, template, tmp_path / "填报表"):
        form = read_return(Path(f["file"]), quarter=3)
        assert {r.id: r.cells["co"] for r in form.rows} == {i: owners[i] for i in f["rows"]}
        body = "".join(_paragraph_texts(Path(f["file"]).read_bytes()))
        assert f"填报单位：{f['unit']}（python-docx）" in body


# ---------------------------------------------------------------- LibreOffice, by the guide


def _at(row: str, column: str, offset: int = 0) -> dict:
    return {"row": row, "column": column, "offset": offset}


def _add_owner_column(*cells: tuple[str, str]) -> list[dict]:
    """docs/templates.md, LibreOffice: a column before 主办单位, header 责任人, then `cells`
    (the row holding a text, what to type in the new column there)."""
    new = ("主办单位", -1)
    return [
        {"do": "insert_column", "side": "before", "at": _at("序号", "主办单位")},
        *(
            {"do": "type", "at": _at(row, *new), "text": text}
            for row, text in (("序号", "责任人"), *cells)
        ),
    ]


@pytest.mark.libreoffice
def test_libreoffice_add_remove_column_and_footnote_by_the_guide(tmp_path):
    from support.lo import (
        edit_with_libreoffice,
        lo_text,
        pdf_page_sizes,
        pdf_text,
        require_libreoffice,
        to_pdf,
    )

    require_libreoffice()
    guide = DOCS.read_text(encoding="utf-8")
    for step in (
        "表格 → 插入 → 在前方插入列",
        "表格 → 删除 → 删除列",
        "插入 → 脚注与尾注 → 脚注",
        "Word 2007–365",
        "使用 Word 2007–365 格式",
    ):
        assert step in guide, step
    for src in (FORM, SUMMARY):  # LibreOffice edits a copy: it leaves a lock file beside it
        (tmp_path / src.name).write_bytes(src.read_bytes())
    form, summary = tmp_path / "form.docx", tmp_path / "summary.docx"
    added = {"form": tmp_path / "填报表-加列.docx", "summary": tmp_path / "一览表-加列.docx"}
    removed = {"form": tmp_path / "填报表-删列.docx", "summary": tmp_path / "一览表-删列.docx"}
    noted = tmp_path / "填报表-脚注.docx"
    drop_co = [{"do": "delete_column", "at": _at("序号", "协办单位")}]
    footnote = [{"do": "footnote", "after": "填报单位：", "text": "数据截至{{ period_end }}。"}]
    edit_with_libreoffice(
        [
            {
                "input": form,
                "output": added["form"],
                "steps": _add_owner_column(("示例", "-"), ("{{ row.id }}", OWNER)),
            },
            {
                "input": summary,
                "output": added["summary"],
                "steps": _add_owner_column(("{{ row.id }}", OWNER)),
            },
            {"input": form, "output": removed["form"], "steps": drop_co},
            {"input": summary, "output": removed["summary"], "steps": drop_co},
            {"input": form, "output": noted, "steps": footnote},
        ]
    )
    for path in [*added.values(), *removed.values(), noted]:
        rc, data = check_json(path)
        assert (rc, data["problems"]) == (0, []), (path.name, data["problems"])
    # what LibreOffice wrote is what the issue is about: entity quotes, the Chinese in its own run
    with zipfile.ZipFile(added["form"]) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    assert "[&apos;</w:t>" in xml and ">责任人</w:t>" in xml

    register, owners = write_owners_register(tmp_path / "登记表.xlsx")
    # adding a column: generate shows it, merge carries it
    forms = generate(register, added["form"], tmp_path / "填报表")
    for f in forms:
        filled = read_return(Path(f["file"]), quarter=3)
        assert filled.headers[-3:] == ["责任人", "主办单位", "协办单位"]
        assert {r.id: r.extra["责任人"] for r in filled.rows} == {i: owners[i] for i in f["rows"]}
    lines = lo_text(Path(forms[0]["file"]), tmp_path / "txt").splitlines()
    assert "责任人" in lines and not any("{{" in line for line in lines)
    assert all(owners[i] in lines for i in forms[0]["rows"])
    returns = fill_all(forms, tmp_path / "回收表")
    out = tmp_path / "一览表.docx"
    assert merge(returns, register, added["summary"], out).exit_code == 0
    merged = summary_by_id(out)  # a joint project's rows share its 责任人: merged over them
    assert {pid: r["责任人"] for pid, r in merged.items()} == owners
    baseline = tmp_path / "一览表-原样.docx"
    assert merge(returns, register, SUMMARY, baseline).exit_code == 0
    # the new column took its width from the others: the 一览表 keeps its pages
    assert len(pdf_page_sizes(to_pdf(out, tmp_path / "pdf"))) == len(
        pdf_page_sizes(to_pdf(baseline, tmp_path / "pdf"))
    )

    # removing a column: gone from the forms and the 一览表, nothing else changed
    plain = write_register(tmp_path / "登记表-无责任人.xlsx")
    forms = generate(plain, removed["form"], tmp_path / "填报表-删列")
    assert "协办单位" not in read_return(Path(forms[0]["file"]), quarter=3).headers
    out = tmp_path / "一览表-删列-结果.docx"
    returns = fill_all(forms, tmp_path / "回收表-删列")
    assert merge(returns, plain, removed["summary"], out).exit_code == 0
    merged = read_return(out, quarter=3)
    assert "协办单位" not in merged.headers
    assert all("1.已推进。" in r.cells["progress"] for r in merged.rows)
    assert not any("未报送" in r.cells["progress"] for r in merged.rows)

    # a footnote: its tag is filled in
    forms = generate(plain, noted, tmp_path / "填报表-脚注")
    text = pdf_text(to_pdf(Path(forms[0]["file"]), tmp_path / "pdf-脚注"))
    assert "数据截至2023年9月30日。" in re.sub(r"\s+", "", text) and "{{" not in text


# ---------------------------------------------------------------- any way of typing a tag

_QUOTES = ("'", "&apos;", "&#39;", "‘’", "&quot;", "“”")
_SPACES = (" ", "", "\u00a0", "\u3000", " \u200b")


@st.composite
def typed_tags(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    """(what the tag means, its XML text as some editor wrote it, the runs it is split into)."""
    key = draw(st.sampled_from(["责任人", "备注A", "负责 人"]))
    quote = draw(st.sampled_from(_QUOTES))
    left, right = (quote[0], quote[-1]) if len(quote) == 2 else (quote, quote)
    space = lambda: draw(st.sampled_from(_SPACES))  # noqa: E731
    typed = f"{{{{{space()}row.extra[{left}{escape(key)}{right}]{space()}}}}}"
    cuts = sorted(draw(st.sets(st.integers(1, len(typed) - 1), max_size=4)))
    pieces = [typed[a:b] for a, b in zip([0, *cuts], [*cuts, len(typed)], strict=True)]
    # a cut inside an entity would not be XML an editor writes
    pieces = [p for p in _whole_entities(pieces) if p]
    return key, typed, pieces


def _whole_entities(pieces: list[str]) -> list[str]:
    out: list[str] = []
    for piece in pieces:
        if out and re.search(r"&[#\w]*$", out[-1]):
            out[-1] += piece
        else:
            out.append(piece)
    return out


def _runs_xml(pieces: list[str], rpr: str, cjk_rpr: str) -> str:
    """One run per piece, split again where the script changes, as editors split runs:
    Chinese runs with the font attributes editors give Chinese text."""
    runs = [r for p in pieces for r in re.split(r"([一-龥]+)", p) if r]
    return "".join(
        f'<w:r>{cjk_rpr if re.fullmatch(r"[一-龥]+", r) else rpr}<w:t xml:space="preserve">{r}</w:t></w:r>'
        for r in runs
    )


@settings(max_examples=int(os.environ.get("TOOLKIT_HYPOTHESIS_EXAMPLES", "25")), deadline=None)
@given(typed_tags())
def test_a_tag_typed_any_way_passes_check_and_renders(tmp_path_factory, drawn):
    key, _typed, pieces = drawn
    folder = tmp_path_factory.mktemp("typed")
    with zipfile.ZipFile(FORM) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    run = re.search(
        r"<w:r>(<w:rPr>(?:(?!</w:rPr>).)*</w:rPr>)<w:t[^>]*>\{\{ row\.co \}\}</w:t></w:r>", xml
    )
    rpr = run.group(1)
    cjk_rpr = (
        rpr.replace("<w:rFonts ", '<w:rFonts w:hint="eastAsia" ')
        .replace("</w:rPr>", '<w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr>')
        .replace('w:ascii="Times New Roman"', 'w:ascii="仿宋_GB2312"')
        .replace('w:val="21"', 'w:val="24"')
    )
    template = replaced(FORM, folder / "模板.docx", (run.group(0), _runs_xml(pieces, rpr, cjk_rpr)))
    rc, data = check_json(template)
    assert rc == 0, data["problems"]
    context = sample_context("form", {key: "张三"})
    document = PreparedTemplate(template).render_parts(context)["word/document.xml"]
    rows = etree.fromstring(document).findall(".//w:tbl/w:tr", NS)
    assert "".join(rows[2].findall("w:tc", NS)[9].itertext()) == "张三"  # 协办单位


def test_a_column_loop_renders_like_stock_docxtpl(tmp_path):
    """{%tc %} changes how many cells a row has: the table grid follows, as docxtpl makes it."""

    def cell(text: str) -> str:
        return f'<w:tc><w:tcPr><w:tcW w:w="1000" w:type="dxa"/></w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>'

    table = (
        '<w:tbl><w:tblPr><w:tblW w:w="3000" w:type="dxa"/></w:tblPr><w:tblGrid>'
        + '<w:gridCol w:w="1000"/>' * 3
        + "</w:tblGrid><w:tr>"
        + cell("{%tc for e in evaluations %}")
        + cell("{{ e }}")
        + cell("{%tc endfor %}")
        + "</w:tr></w:tbl><w:p/>"
    )
    template = rewrite(
        FORM,
        tmp_path / "列循环.docx",
        lambda d: d.replace(b"<w:sectPr>", table.encode() + b"<w:sectPr>", 1),
    )
    rc, data = check_json(template)
    assert (rc, data["problems"]) == (0, [])
    context = sample_context("form")
    ours = PreparedTemplate(template).render_bytes(context)
    stock = _stock_render(template, "form")
    assert _paragraph_texts(ours) == _paragraph_texts(stock)

    def last_table(docx_bytes: bytes) -> etree._Element:
        with zipfile.ZipFile(io.BytesIO(docx_bytes)) as zf:
            return etree.fromstring(zf.read("word/document.xml")).findall(".//w:tbl", NS)[-1]

    for rendered in (ours, stock):
        tbl = last_table(rendered)
        assert len(tbl.findall("w:tblGrid/w:gridCol", NS)) == len(context["evaluations"])
        assert ["".join(tc.itertext()) for tc in tbl.iter(f"{{{W}}}tc")] == context["evaluations"]
