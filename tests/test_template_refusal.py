"""`generate` and `merge` refuse what `template check` rejects, and never write a broken .docx.

Each template here is the shipped form.docx or summary.docx with one of the
mistakes a maintainer's edit left behind. The commands must stop with the
check's own messages, exit 1 and write nothing; what gets past the check
but renders to broken XML for some data is stopped before that file is
written, with a place the maintainer can find.
"""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from support.cli import invoke
from support.fill import fill_form
from support.template_edits import (
    FORM,
    SUMMARY,
    W,
    check_json,
    edited,
    q,
    replaced,
    rewrite,
)

from toolkit.errors import TemplateError
from toolkit.forms.rendering import PreparedTemplate
from toolkit.templating.samples import sample_context


def _no_table(root: etree._Element) -> None:
    tbl = root.find(f".//{q('tbl')}")
    tbl.getparent().remove(tbl)


# (id, template, change, the check's code for it)
BROKEN = [
    ("tr-closed-plain", FORM, [("{%tr endfor %}", "{% endfor %}")], "block_level_mismatch"),
    ("fullwidth-braces", FORM, [("{{ row.name }}", "｛｛ row.name ｝｝")], "fullwidth_tag"),
    ("table-deleted", FORM, _no_table, "form_no_table"),
    ("misspelt", FORM, [("{{ row.name }}", "{{ row.nmae }}")], "unknown_variable"),
    (
        "summary-tr-closed-plain",
        SUMMARY,
        [("{%tr endfor %}", "{% endfor %}")],
        "block_level_mismatch",
    ),
    ("summary-fullwidth", SUMMARY, [("{{ row.name }}", "｛｛ row.name ｝｝")], "fullwidth_tag"),
    ("summary-table-deleted", SUMMARY, _no_table, "summary_no_table"),
    ("summary-no-progress", SUMMARY, [("{{ row.progress }}", "")], "summary_missing_value"),
]


def _make(tmp_path: Path, src: Path, change) -> Path:
    target = tmp_path / f"坏的{'一览表' if src == SUMMARY else '填报表'}模板.docx"
    if callable(change):
        return edited(src, target, change)
    return replaced(src, target, *change)


@pytest.mark.parametrize(
    ("src", "change", "code"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_a_template_check_rejects_produces_nothing(tmp_path, seed_register, src, change, code):
    template = _make(tmp_path, src, change)
    rc, data = check_json(template)
    assert rc == 1
    first = next(p for p in data["problems"] if p["code"] == code)
    assert data["kind"] == ("summary" if src == SUMMARY else "form")  # even without its table

    if src == FORM:
        out = tmp_path / "填报表"
        result = invoke("generate", seed_register, "-q", "3", "-t", template, "-o", out)
        written = [out]
    else:
        returns = tmp_path / "回收表"
        returns.mkdir()
        out = tmp_path / "汇总" / "一览表.docx"
        result = invoke("merge", returns, "-r", seed_register, "-q", "3", "-t", template, "-o", out)
        written = [out.parent]
    assert result.exit_code == 1, result.output
    assert "未通过检查" in result.stderr and "没有生成任何文件" in result.stderr
    assert first["message"] in result.stderr  # the check's own words
    assert "修改方法：" in result.stderr and "LibreOffice" in result.stderr
    assert "Traceback" not in result.output
    assert not any(p.exists() for p in written)


def test_a_register_without_the_column_says_which(tmp_path, seed_register):
    template = replaced(FORM, tmp_path / "模板.docx", ("{{ row.co }}", "{{ row.extra['责任人'] }}"))
    assert check_json(template)[0] == 0
    out = tmp_path / "填报表"
    result = invoke("generate", seed_register, "-q", "3", "-t", template, "-o", out)
    assert result.exit_code == 1
    assert "登记表「项目」中取不到值：“责任人”（全部项目没有）" in result.stderr
    assert "row.extra.get('责任人', '')" in result.stderr
    assert "dict object" not in result.stderr and "template check" not in result.stderr
    assert not out.exists()


def test_a_summary_column_only_some_returns_have(tmp_path, seed_register):
    """A column units add themselves reaches only the rows of the units that added it."""
    template = replaced(
        SUMMARY, tmp_path / "一览表模板.docx", ("{{ row.co }}", "{{ row.extra['联系人'] }}")
    )
    returns = tmp_path / "回收表"
    returns.mkdir()
    forms = tmp_path / "填报表"
    assert invoke("generate", seed_register, "-q", "3", "-o", forms).exit_code == 0
    [form] = forms.glob("*（民治街道）.docx")
    fill_form(form, returns / "民治街道.docx", {"13-3": {"进展情况": "已完成。"}})  # no 联系人
    out = tmp_path / "汇总" / "一览表.docx"
    result = invoke("merge", returns, "-r", seed_register, "-q", "3", "-t", template, "-o", out)
    assert result.exit_code == 1
    assert "登记表「项目」和回收表中取不到值：“联系人”（全部项目没有）" in result.stderr
    assert not out.parent.exists()


# ---------------------------------------------------------------- the renderer's own guard


def test_a_render_that_breaks_for_some_data_writes_nothing(tmp_path):
    """A cell whose only paragraph is conditional: fine for the sample unit, empty (and so
    a document Word refuses) for another. The check passes; that one form is refused."""
    conditional = (
        '<w:p><w:r><w:t>{%p if unit == "民治街道" %}</w:t></w:r></w:p>'
        "<w:p><w:r><w:t>{{ row.co }}</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>{%p endif %}</w:t></w:r></w:p>"
    )

    def edit(root: etree._Element) -> None:
        t = next(t for t in root.iter(q("t")) if t.text == "{{ row.co }}")
        cell = next(a for a in t.iterancestors() if a.tag == q("tc"))
        for p in cell.findall(q("p")):
            cell.remove(p)
        for p in etree.fromstring(f'<x xmlns:w="{W}">{conditional}</x>'):
            cell.append(copy.deepcopy(p))

    template = edited(FORM, tmp_path / "模板.docx", edit)
    assert check_json(template)[0] == 0
    prepared = PreparedTemplate(template)
    target = tmp_path / "民政局.docx"
    context = sample_context("form")
    prepared.render_bytes_to(tmp_path / "民治街道.docx", context)  # fine for this unit
    with pytest.raises(TemplateError) as err:
        prepared.render_bytes_to(target, {**context, "unit": "民政局"})
    assert "不是有效的 Word 内容，位置：第1个表格第4行第10列" in err.value.message
    assert "没有写出文件" in err.value.message
    assert not target.exists()


def test_the_renderer_names_a_place_the_maintainer_can_find(tmp_path):
    """A template used without the check (preview, a library caller): the renderer's own
    message names the cell, not a line of its Jinja source."""
    template = replaced(FORM, tmp_path / "模板.docx", ("{{ row.co }}", "{{ row.co row.id }}"))
    out = tmp_path / "预览.docx"
    result = invoke("template", "preview", template, "-o", out)
    assert result.exit_code == 1
    assert "位置：第1个表格第4行第10列，附近文字“{{ row.co row.id }}”" in result.stderr
    assert "段附近" not in result.stderr and not out.exists()
    broken = replaced(FORM, tmp_path / "b.docx", ("{%tr endfor %}", "{% endfor %}"))
    with pytest.raises(TemplateError) as err:
        PreparedTemplate(broken).render_parts(sample_context("form"))
    assert "不是有效的 Word 内容，位置：第1个表格第5行" in err.value.message


# ---------------------------------------------------------------- footnotes, comments


_FOOTNOTES = (
    f'<w:footnotes xmlns:w="{W}">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
    "</w:r></w:p></w:footnote>"
    '<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r>'
    '<w:r><w:t xml:space="preserve"> 数据截至{{ period_end }}，{{ unit }}填报。</w:t></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)
_COMMENTS = (
    f'<w:comments xmlns:w="{W}"><w:comment w:id="0" w:author="办公室">'
    "<w:p><w:r><w:t>{{ unit }}</w:t></w:r></w:p></w:comment></w:comments>"
)


def _with_part(tmp_path: Path, name: str, xml: str, rel_type: str, content_type: str) -> Path:
    """The form with one more part, registered as Word registers it."""
    rel = (
        f'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/{rel_type}" Target="{name.split("/")[-1]}"/></Relationships>'
    )
    override = (
        f'<Override PartName="/{name}" ContentType="application/vnd.openxmlformats-officedocument.'
        f'wordprocessingml.{content_type}+xml"/></Types>'
    )
    step = rewrite(
        FORM,
        tmp_path / "步骤1.docx",
        lambda d: d.replace(b"</Relationships>", rel.encode()),
        part="word/_rels/document.xml.rels",
        added={name: xml.encode("utf-8")},
    )
    return rewrite(
        step,
        tmp_path / f"{content_type}.docx",
        lambda d: d.replace(b"</Types>", override.encode()),
        part="[Content_Types].xml",
    )


def test_a_tag_in_a_footnote_is_filled_in(tmp_path, seed_register):
    noted = _with_part(tmp_path, "word/footnotes.xml", _FOOTNOTES, "footnotes", "footnotes")
    template = replaced(
        noted,
        tmp_path / "脚注模板.docx",
        (
            "填报单位：{{ unit }}</w:t></w:r>",
            "填报单位：{{ unit }}</w:t></w:r>"
            '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="1"/></w:r>',
        ),
    )
    rc, data = check_json(template)
    assert (rc, data["problems"]) == (0, [])
    out = tmp_path / "填报表"
    assert invoke("generate", seed_register, "-q", "3", "-t", template, "-o", out).exit_code == 0
    form = next(out.glob("*民治街道*.docx"))
    with zipfile.ZipFile(form) as zf:
        footnote = "".join(etree.fromstring(zf.read("word/footnotes.xml")).itertext())
    assert "数据截至2023年9月30日，民治街道填报。" in footnote


def test_a_tag_in_a_footnote_is_checked(tmp_path):
    broken = _FOOTNOTES.replace("{{ period_end }}", "{{ period_ned }}")
    template = _with_part(tmp_path, "word/footnotes.xml", broken, "footnotes", "footnotes")
    rc, data = check_json(template)
    assert rc == 1
    [hit] = data["problems"]
    assert (hit["code"], hit["location"]) == ("unknown_variable", "第1个脚注")
    assert "是否指“period_end”" in hit["message"]


def test_a_tag_in_a_comment_will_not_render_and_check_says_so(tmp_path):
    template = _with_part(tmp_path, "word/comments.xml", _COMMENTS, "comments", "comments")
    rc, data = check_json(template)
    assert rc == 1
    [hit] = data["problems"]
    assert (hit["code"], hit["location"], hit["snippet"]) == (
        "tag_not_rendered",
        "批注",
        "{{ unit }}",
    )
    assert "不会被替换" in hit["message"]
