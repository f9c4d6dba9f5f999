"""`toolkit template check / fields / preview`, on real .docx templates.

Every broken template here is the shipped form.docx or summary.docx with
its word/document.xml edited the way a maintainer's Word session would
leave it: a misspelt variable, full-width braces, a tag half in bold, a
row loop closed in another table. Each must be reported with its code, a
message saying what to do, and the place to find it in Word.
"""

from __future__ import annotations

import copy
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from support.cli import invoke
from support.fill import fill_form
from support.registers import write_owners_register
from support.summaries import summary_by_id
from support.template_edits import (
    FORM,
    ROOT,
    SUMMARY,
    W,
    add_column,
    check_json,
    edited,
    q,
    replaced,
)

from toolkit.cli.main import cli
from toolkit.errors import TemplateError
from toolkit.forms import schema
from toolkit.forms.context import form_context
from toolkit.forms.rendering import PreparedTemplate
from toolkit.register.model import resolve_period
from toolkit.register.reader import read_register
from toolkit.returns.merging import MergeResult, merge_returns
from toolkit.returns.reader import read_return
from toolkit.summary.document import summary_context
from toolkit.templating import samples
from toolkit.templating.check import check_template

DOCS = ROOT / "docs" / "templates.md"


def _run_with(root: etree._Element, text: str) -> etree._Element:
    t = next(t for t in root.iter(q("t")) if t.text == text)
    return t.getparent()


def split_run(text: str, at: int, second: Callable[[etree._Element], None], between: str = ""):
    """An edit splitting the run holding `text` in two; `second` changes the second run."""

    def edit(root: etree._Element) -> None:
        first = _run_with(root, text)
        other = copy.deepcopy(first)
        first.find(q("t")).text, other.find(q("t")).text = text[:at], text[at:]
        first.addnext(other)
        if between:
            first.addnext(etree.fromstring(f'<w:{between} xmlns:w="{W}" w:type="spellStart"/>'))
        second(other)

    return edit


def bold(run: etree._Element) -> None:
    run.find(q("rPr")).insert(1, etree.Element(q("b")))


def typed_chinese(run: etree._Element) -> None:
    """What Word adds by itself when Chinese is typed: not a visible difference."""
    rpr = run.find(q("rPr"))
    rpr.find(q("rFonts")).set(q("hint"), "eastAsia")
    lang = etree.SubElement(rpr, q("lang"))
    lang.set(q("eastAsia"), "zh-CN")


def in_revision(run: etree._Element) -> None:
    ins = etree.Element(q("ins"))
    ins.set(q("id"), "1")
    ins.set(q("author"), "办公室")
    run.addprevious(ins)
    ins.append(run)


def split_table(root: etree._Element) -> None:
    """The last row ({%tr endfor %}) moved into a second table, as after a bad paste."""
    tbl = root.find(f".//{q('tbl')}")
    second = etree.Element(q("tbl"))
    second.append(copy.deepcopy(tbl.find(q("tblPr"))))
    second.append(copy.deepcopy(tbl.find(q("tblGrid"))))
    second.append(tbl.findall(q("tr"))[-1])
    gap = etree.Element(q("p"))
    tbl.addnext(gap)
    gap.addnext(second)


# ---------------------------------------------------------------- the shipped templates


@pytest.mark.parametrize(("path", "kind"), [(FORM, "form"), (SUMMARY, "summary")])
def test_shipped_templates_pass(path: Path, kind: str) -> None:
    result = CliRunner().invoke(cli, ["template", "check", str(path)])
    assert result.exit_code == 0, result.output
    # the verdict is the last line of the report, on stdout: `> 结果.txt` keeps it
    assert result.stdout.splitlines()[-1] == "检查通过：没有发现问题。"
    report = check_template(path)
    assert (report.kind, report.kind_detected, report.problems) == (kind, True, [])


# ---------------------------------------------------------------- the broken corpus

# (id, template, edit, code, message fragment, location)
CORPUS = [
    (
        "misspelt",
        FORM,
        [("{{ row.name }}", "{{ row.nmae }}")],
        "unknown_variable",
        "是否指“row.name”",
        "第1个表格第4行第2列",
    ),
    (
        "misspelt-nested-loop",
        SUMMARY,
        [("{{ row.progress }}", "{{ row.progres }}")],
        "unknown_variable",
        "是否指“row.progress”",
        "第1个表格第4行第6列",
    ),
    (
        "misspelt-top-level",
        FORM,
        [("{{ unit }}", "{{ units }}")],
        "unknown_variable",
        "是否指“unit”",
        "正文第2段",
    ),
    (
        "list-without-loop",
        FORM,
        [("{{ unit }}", "{{ rows.name }}")],
        "unknown_variable",
        "{%tr for row in rows %} 内写 row.name",
        "正文第2段",
    ),
    (
        "fullwidth-braces",
        FORM,
        [("{{ unit }}", "｛｛ unit ｝｝")],
        "fullwidth_tag",
        "“｛｛”、“｝｝”",
        "正文第2段",
    ),
    (
        "fullwidth-for",
        FORM,
        [("{%tr for row in rows %}", "｛%tr for row in rows %}")],
        "fullwidth_tag",
        "“｛%”",
        "第1个表格第3行第1列",
    ),
    (
        "fullwidth-percent",
        FORM,
        [("{%tr endfor %}", "{%tr endfor ％}")],
        "fullwidth_tag",
        "“％}”",
        "第1个表格第5行第1列",
    ),
    (
        "fullwidth-in-tag",
        FORM,
        [("{{ row.co }}", "{{ row.extra［'责任人'］ }}")],
        "fullwidth_in_tag",
        "“［”应为“[”",
        "第1个表格第4行第10列",
    ),
    (
        "space-in-tr",
        FORM,
        [("{%tr for row in rows %}", "{% tr for row in rows %}")],
        "special_tag_space",
        "{% 与 tr 之间不能有空格",
        "第1个表格第3行第1列",
    ),
    (
        "tr-not-alone",
        FORM,
        [("{%tr for row in rows %}", "{%tr for row in rows %}（逐行填写）")],
        "tr_not_alone",
        "还有其他内容“（逐行填写）”",
        "第1个表格第3行第1列",
    ),
    (
        "tr-outside-table",
        FORM,
        [("{{ unit }}", "{%tr if unit %}"), ("填报日期：", "填报日期：{%tr endif %}")],
        "tr_outside_row",
        "只能放在表格的一行中",
        "正文第2段",
    ),
    (
        "tc-outside-cell",
        FORM,
        [("{{ unit }}", "{%tc if unit %}"), ("填报日期：", "填报日期：{%tc endif %}")],
        "tc_outside_cell",
        "只能放在表格的单元格中",
        "正文第2段",
    ),
    (
        "tr-closed-plain",
        FORM,
        [("{%tr endfor %}", "{% endfor %}")],
        "block_level_mismatch",
        "开始和结束都要写 tr",
        "第1个表格第5行第1列",
    ),
    (
        "unclosed-if",
        FORM,
        [("{{ unit }}", "{% if unit %}")],
        "unclosed_block",
        "“{% endif %}”",
        "正文第2段",
    ),
    (
        "stray-endif",
        FORM,
        [("{{ unit }}", "{% endif %}")],
        "unmatched_end",
        "前面没有与之对应的“{% if %}”",
        "正文第2段",
    ),
    (
        "missing-brace",
        FORM,
        [("{{ unit }}", "{{ unit }")],
        "unterminated_tag",
        "没有对应的“}}”",
        "正文第2段",
    ),
    (
        "syntax",
        FORM,
        [("{{ unit }}", "{{ unit unit }}")],
        "syntax",
        "标签写法有误",
        "正文第2段",
    ),
    (
        "richtext-without-r",
        SUMMARY,
        [("{{r row.evaluation_mark }}", "{{ row.evaluation_mark }}")],
        "richtext_needs_r",
        "{{r row.evaluation_mark }}",
        "第1个表格第4行第8列",
    ),
    (
        "r-on-plain-text",
        SUMMARY,
        [("{{ row.co }}", "{{r row.co }}")],
        "r_on_plain",
        "要写成 {{ row.co }}",
        "第1个表格第4行第10列",
    ),
    (
        "id-cell",
        FORM,
        [("{{ row.id }}", "第{{ row.id }}项")],
        "form_id_cell",
        "应只含 {{ row.id }}",
        "第1个表格第4行第1列",
    ),
    (
        "missing-evaluation-column",
        FORM,
        [(">进度评价<", ">评分<")],
        "form_missing_column",
        "缺少“进度评价”列",
        "第1个表格第1行",
    ),
    (
        "no-project-header",
        FORM,
        [(">序号<", ">编码<")],
        "form_no_table",
        "“序号”和“进展情况”",
        "正文",
    ),
    (
        "plain-loop-in-table",
        FORM,
        [("{%tr for row in rows %}", "{% for row in rows %}"), ("{%tr endfor %}", "{% endfor %}")],
        "form_no_loop",
        "{%tr for row in rows %}",
        "第1个表格第1行",
    ),
    (
        "inner-loop-missing",
        SUMMARY,
        [("{%tr for row in group.rows %}", "{%tr for row in groups %}")],
        "summary_no_rows_loop",
        "{%tr for row in group.rows %}",
        "正文",
    ),
    (
        "sandbox-mro",
        FORM,
        [("{{ unit }}", "{{ ''.__class__.__mro__ }}")],
        "render_error",
        "不允许的操作",
        "正文第2段",
    ),
    (
        "sandbox-globals",
        FORM,
        [("{{ unit }}", "{{ cycler.__init__.__globals__ }}")],
        "render_error",
        "不能访问文件或调用程序",
        "正文第2段",
    ),
    (
        "attribute-of-text",
        FORM,
        [("{{ unit }}", "{{ unit.code }}")],
        "render_error",
        "“code”不存在",
        "正文第2段",
    ),
]


@pytest.mark.parametrize(
    ("src", "pairs", "code", "fragment", "location"),
    [c[1:] for c in CORPUS],
    ids=[c[0] for c in CORPUS],
)
def test_broken_template_is_reported(tmp_path, src, pairs, code, fragment, location):
    path = replaced(src, tmp_path / "模板.docx", *pairs)
    rc, data = check_json(path)
    assert rc == 1
    hits = [p for p in data["problems"] if p["code"] == code]
    assert hits, data["problems"]
    assert hits[0]["level"] == "error"
    assert fragment in hits[0]["message"]
    assert hits[0]["location"] == location


EDITS = [
    (
        "half-bold",
        split_run("{{ row.name }}", 7, bold),
        "“name }}”与开头“{{ row.”的加粗不同",
        "第1个表格第4行第2列",
    ),
    (
        "half-in-revision",
        split_run("{{ row.name }}", 7, in_revision),
        "修订标记",
        "第1个表格第4行第2列",
    ),
]


@pytest.mark.parametrize(
    ("edit", "fragment", "location"), [e[1:] for e in EDITS], ids=[e[0] for e in EDITS]
)
def test_tag_split_by_formatting(tmp_path, edit, fragment, location):
    rc, data = check_json(edited(FORM, tmp_path / "模板.docx", edit))
    assert rc == 1
    [hit] = [p for p in data["problems"] if p["code"] == "split_tag"]
    assert fragment in hit["message"] and "{{ row.name }}" in hit["message"]
    assert hit["location"] == location
    assert hit["snippet"] == "{{ row.name }}"


def test_split_by_spell_check_and_typing_chinese_is_fine(tmp_path):
    # Word splits runs for proofing marks and tags Chinese with rFonts/@hint and lang:
    # the text looks the same and docxtpl joins it, so nothing to report.
    edit = split_run("{{ row.name }}", 7, typed_chinese, between="proofErr")
    path = edited(FORM, tmp_path / "模板.docx", edit)
    with zipfile.ZipFile(path) as zf:
        assert b"{{ row.</w:t>" in zf.read("word/document.xml")
    rc, data = check_json(path)
    assert (rc, data["problems"]) == (0, [])


def test_row_loop_closed_in_another_table(tmp_path):
    for src, opener in (
        (FORM, "{%tr for row in rows %}"),
        (SUMMARY, "{%tr for group in groups %}"),
    ):
        rc, data = check_json(edited(src, tmp_path / f"{src.stem}.docx", split_table))
        assert rc == 1
        hit = next(p for p in data["problems"] if p["code"] == "tr_across_tables")
        assert opener in hit["message"] and "不在同一个表格中" in hit["message"]
        assert hit["location"] == "第2个表格第1行第1列"


@pytest.mark.parametrize(
    "pairs",
    [
        [("{{ row.co }}", "{{ row.extra[‘责任人’] }}")],
        [("{{ unit }}", "{{ “民治街道” }}")],
    ],
    ids=["column-name", "literal"],
)
def test_curly_quotes_render_like_straight_ones(tmp_path, pairs):
    # Word's autocorrect types these; stock docxtpl straightens them, and so does the renderer.
    path = replaced(FORM, tmp_path / "模板.docx", *pairs)
    rc, data = check_json(path)
    assert (rc, data["problems"]) == (0, [])


def test_missing_legend_is_a_warning(tmp_path):
    path = replaced(
        SUMMARY,
        tmp_path / "一览表.docx",
        ("{% for item in legend %}", ""),
        ("{{r item.mark }}", ""),
        ("{{ item.name }}\u3000{% endfor %}", ""),
    )
    rc, data = check_json(path)
    assert rc == 0
    assert [(p["code"], p["level"]) for p in data["problems"]] == [("summary_no_legend", "warning")]


def test_wrong_kind_names_the_other_template(tmp_path):
    rc, data = check_json(FORM, "--kind", "summary")
    assert rc == 1 and data["kind"] == "summary" and not data["kind_detected"]
    rows = next(p for p in data["problems"] if "“rows”" in p["message"])
    assert "填报表模板" in rows["message"] and "--kind form" in rows["message"]


def test_kind_is_detected_by_the_groups_loop(tmp_path):
    # A form that mentions `groups` once is still a form: a typo, not a summary.
    path = replaced(FORM, tmp_path / "模板.docx", ("{{ unit }}", "{{ groups }}"))
    rc, data = check_json(path)
    assert (rc, data["kind"]) == (1, "form")
    assert "一览表模板" in data["problems"][0]["message"]


def test_not_a_word_file(tmp_path):
    path = tmp_path / "模板.docx"
    path.write_text("这不是 Word 文件", encoding="utf-8")
    rc, data = check_json(path)
    assert rc == 1
    assert [p["code"] for p in data["problems"]] == ["unreadable"]


def test_text_output_and_usage_errors(tmp_path):
    path = replaced(FORM, tmp_path / "模板.docx", ("{{ row.name }}", "{{ row.nmae }}"))
    result = CliRunner().invoke(cli, ["template", "check", str(path)])
    assert result.exit_code == 1
    assert "[错误] 第1个表格第4行第2列：变量“row.nmae”不存在" in result.stdout
    assert "附近文字：“{{ row.nmae }}”" in result.stdout
    assert "修改方法：" in result.stdout and "LibreOffice" in result.stdout
    assert result.stdout.splitlines()[-1] == "未通过检查：发现 1 个错误、0 个提示。"
    missing = CliRunner().invoke(cli, ["template", "check", str(tmp_path / "无.docx")])
    assert missing.exit_code == 2 and "找不到模板文件" in missing.stderr
    bad_kind = CliRunner().invoke(cli, ["template", "check", str(FORM), "--kind", "letter"])
    assert bad_kind.exit_code == 2
    assert (
        "form（填报表）、summary（一览表）、notice（通知）或 report（督查通报）" in bad_kind.stderr
    )


@pytest.mark.parametrize("command", ["check", "fields", "preview"])
def test_help_has_examples(command):
    result = CliRunner().invoke(cli, ["template", command, "-h"])
    assert result.exit_code == 0
    assert "示例：" in result.stdout and f"toolkit template {command}" in result.stdout


# ---------------------------------------------------------------- fields and the docs


def test_fields_json_lists_every_schema_field():
    result = CliRunner().invoke(cli, ["template", "fields", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    for kind in schema.KINDS:
        assert [f["name"] for f in data[kind]] == [f.name for f in schema.FIELDS[kind]]
    progress = next(f for f in data["summary"] if f["name"] == "groups[].rows[].progress")
    assert progress["usage"] == "row.progress" and progress["type"] == "文本"
    form_only = CliRunner().invoke(cli, ["template", "fields", "--kind", "form"])
    assert "row.extra（字典）" in form_only.stdout and "group.matter" not in form_only.stdout


def test_docs_variable_list_is_generated_from_the_schema():
    text = DOCS.read_text(encoding="utf-8")
    block = text[
        text.index(schema.FIELDS_START) : text.index(schema.FIELDS_END) + len(schema.FIELDS_END)
    ]
    regenerate = "运行 toolkit template fields --markdown 并替换 docs/templates.md 中的变量表"
    assert block == schema.fields_markdown(), regenerate
    result = CliRunner().invoke(cli, ["template", "fields", "--markdown"])
    assert result.stdout.strip() == block
    for f in (*schema.FORM_FIELDS, *schema.SUMMARY_FIELDS):
        assert f"`{schema.usage(f.name)}`" in block


# ---------------------------------------------------------------- schema = renderer


def _shape(ctx: dict) -> dict[str, set[str]]:
    group = ctx["groups"][0] if "groups" in ctx else None
    row = group["rows"][0] if group else ctx["rows"][0]
    shape = {"": set(ctx), "row": set(row)}
    if group:
        shape |= {
            "group": set(group),
            "entry": set(row["entries"][0]),
            "legend": set(ctx["legend"][0]),
            "stats": set(ctx["stats"]),
        }
    return shape


def test_real_contexts_have_exactly_the_schema_names(seed_register):
    register = read_register(seed_register)
    period = resolve_period(register, 3, None)
    unit = register.unit_names()[0]
    form = form_context(register, period, unit, register.projects_of(unit), "x")
    summary = summary_context(merge_returns(register, period, []))
    assert _shape(form) == {
        "": schema.top_level_names("form"),
        "row": schema.attribute_names("form", "rows"),
    }
    assert _shape(summary) == {
        "": schema.top_level_names("summary"),
        "group": schema.attribute_names("summary", "groups"),
        "row": schema.attribute_names("summary", "groups[].rows"),
        "entry": schema.attribute_names("summary", "groups[].rows[].entries"),
        "legend": schema.attribute_names("summary", "legend"),
        "stats": set(schema.field("summary", "stats").sample),
    }
    # ...and the sample contexts are shaped the same, values of the same types
    for real, kind in ((form, "form"), (summary, "summary")):
        sample = samples.sample_context(kind)
        assert _shape(sample) == _shape(real)
        for key, value in real.items():
            assert type(sample[key]) is type(value), key
    real_row = summary["groups"][0]["rows"][0]
    sample_row = samples.sample_context("summary")["groups"][0]["rows"][0]
    assert type(sample_row["evaluation_mark"]) is type(real_row["evaluation_mark"])
    assert set(samples.sample_context("form", {"责任人": "张三"})["rows"][0]["extra"]) == {"责任人"}


# ---------------------------------------------------------------- the sandbox


@pytest.mark.parametrize(
    "tag",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ lipsum.__globals__['os'] }}",
        "{{ row.__class__ }}",
    ],
)
def test_templates_cannot_reach_python(tmp_path, tag):
    path = replaced(FORM, tmp_path / "恶意.docx", ("{{ row.co }}", tag))
    with pytest.raises(TemplateError) as err:
        PreparedTemplate(path).render_parts(samples.sample_context("form"))
    assert "不允许的操作" in err.value.message
    assert tag in err.value.message  # where: the paragraph holding the tag


def test_reading_a_file_is_impossible(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    tag = "{{ cycler.__init__.__globals__.__builtins__.open('" + secret.as_posix() + "').read() }}"
    path = replaced(FORM, tmp_path / "恶意.docx", ("{{ row.co }}", tag))
    with pytest.raises(TemplateError) as err:
        PreparedTemplate(path).render_parts(samples.sample_context("form"))
    assert "TOP-SECRET" not in str(err.value)
    rc, data = check_json(path)
    assert rc == 1 and data["problems"][0]["code"] == "render_error"


def test_missing_variable_is_an_error_naming_it_and_the_place(tmp_path, seed_register):
    path = replaced(FORM, tmp_path / "模板.docx", ("{{ row.name }}", "{{ row.nmae }}"))
    out = tmp_path / "填报表"
    result = invoke("generate", seed_register, "-q", "3", "-t", path, "-o", out)
    assert result.exit_code == 1
    assert "未通过检查" in result.stderr and "没有生成任何文件" in result.stderr
    assert "第1个表格第4行第2列：变量“row.nmae”不存在" in result.stderr
    assert "附近文字：“{{ row.nmae }}”" in result.stderr
    assert not out.exists()


# ---------------------------------------------------------------- preview


def test_preview_with_sample_data(tmp_path):
    out = tmp_path / "预览.docx"
    result = CliRunner().invoke(cli, ["template", "preview", str(FORM), "-o", str(out)])
    assert result.exit_code == 0, result.output
    form = read_return(out, quarter=3)
    assert form.unit_line == "民治街道"
    assert [r.id for r in form.rows] == ["10-3", "10-4", "40"]
    summary = tmp_path / "一览表预览.docx"
    assert (
        CliRunner().invoke(cli, ["template", "preview", str(SUMMARY), "-o", str(summary)]).exit_code
        == 0
    )
    rows = summary_by_id(summary)  # 10-4 has two lead units: a row each
    assert rows["10-4"]["evaluation"].split("\n") == ["▋", "未报送"]
    assert rows["10-4"]["progress"].startswith("民治街道：\n1.")
    assert rows["10-4"]["progress"].endswith("\n区委组织部：未报送")


def test_preview_with_a_register(tmp_path, seed_register):
    out = tmp_path / "预览.docx"
    args = ["template", "preview", str(FORM), "-r", str(seed_register), "-q", "3"]
    result = CliRunner().invoke(cli, [*args, "--unit", "民政局", "-o", str(out)])
    assert result.exit_code == 0, result.output
    form = read_return(out, quarter=3)
    register = read_register(seed_register)
    assert form.unit_line == "民政局"
    assert [r.id for r in form.rows] == [p.id for p in register.projects_of("民政局")]
    summary = tmp_path / "一览表预览.docx"
    args = [
        "template",
        "preview",
        str(SUMMARY),
        "-r",
        str(seed_register),
        "-q",
        "3",
        "-o",
        str(summary),
    ]
    assert CliRunner().invoke(cli, args).exit_code == 0
    rows = summary_by_id(summary)
    assert list(rows) == [p.id for p in register.projects]
    assert all(r["progress"].endswith("未报送") for r in rows.values())


def test_preview_usage_errors(tmp_path):
    same = CliRunner().invoke(cli, ["template", "preview", str(FORM), "-o", str(FORM)])
    assert same.exit_code == 2 and "不能是模板本身" in same.stderr
    quarter = CliRunner().invoke(
        cli, ["template", "preview", str(FORM), "-q", "3", "-o", str(tmp_path / "x.docx")]
    )
    assert quarter.exit_code == 2 and "--register" in quarter.stderr
    assert not (tmp_path / "x.docx").exists()


# ---------------------------------------------------------------- a maintainer adds a column


def test_maintainer_adds_a_column_to_both_templates_and_the_register(tmp_path):
    """The 责任人 column, following docs/templates.md: register, form, summary, check, run."""
    docs = DOCS.read_text(encoding="utf-8")
    assert "{{ row.extra['责任人'] }}" in docs and "在左侧插入" in docs
    value = "{{ row.extra['责任人'] }}"
    form_t = edited(FORM, tmp_path / "填报表模板.docx", add_column("主办单位", "责任人", value))
    summary_t = edited(
        SUMMARY, tmp_path / "一览表模板.docx", add_column("主办单位", "责任人", value)
    )
    for path in (form_t, summary_t):
        rc, data = check_json(path)
        assert (rc, data["problems"], data["extra_columns"]) == (0, [], ["责任人"])

    register, owners = write_owners_register(tmp_path / "登记表.xlsx")

    out = tmp_path / "填报表"
    args = ["generate", str(register), "-q", "3", "-t", str(form_t), "-o", str(out), "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    generated = json.loads(result.stdout)["forms"]
    assert len(generated) == 8
    for f in generated:
        form = read_return(Path(f["file"]), quarter=3)
        assert form.headers[-3:] == ["责任人", "主办单位", "协办单位"]
        assert {r.id: r.extra["责任人"] for r in form.rows} == {i: owners[i] for i in f["rows"]}

    returns = tmp_path / "回收表"
    returns.mkdir()
    for f in generated:
        fill = {
            pid: {"进展情况": f"1.{f['unit']}已推进。", "存在问题": "无。", "进度评价": "正常推进"}
            for pid in f["rows"]
        }
        fill_form(Path(f["file"]), returns / Path(f["file"]).name, fill)

    summary = tmp_path / "一览表.docx"
    args = [
        "merge",
        str(returns),
        "-r",
        str(register),
        "-q",
        "3",
        "-t",
        str(summary_t),
        "--out",
        str(summary),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    merged = read_return(summary, quarter=3)
    assert merged.headers[-3:] == ["责任人", "主办单位", "协办单位"]
    rows = summary_by_id(summary)  # 责任人 is the project's: merged over a joint project's rows
    assert {pid: r["责任人"] for pid, r in rows.items()} == owners
    assert all(set(r["evaluation"].split("\n")) == {"▋"} for r in rows.values())


def test_a_column_filled_by_the_units_reaches_the_summary(tmp_path, seed_register):
    """A column only in the form (filled by units) comes to the 一览表 under its header text."""
    form_t = edited(FORM, tmp_path / "填报表模板.docx", add_column("主办单位", "联系人", ""))
    summary_t = edited(
        SUMMARY,
        tmp_path / "一览表模板.docx",
        add_column("主办单位", "联系人", "{{ row.extra.get('联系人', '') }}"),
    )
    assert check_json(summary_t)[0] == 0
    out = tmp_path / "填报表"
    args = ["generate", str(seed_register), "-q", "3", "-t", str(form_t), "-o", str(out), "--json"]
    generated = json.loads(CliRunner().invoke(cli, args).stdout)["forms"]
    mz = next(f for f in generated if f["unit"] == "民治街道")
    returns = tmp_path / "回收表"
    returns.mkdir()
    fill = {
        pid: {"进展情况": "1.已推进。", "进度评价": "正常推进", "联系人": "王五"}
        for pid in mz["rows"]
    }
    fill_form(Path(mz["file"]), returns / "民治街道.docx", fill)
    summary = tmp_path / "一览表.docx"
    args = [
        "merge",
        str(returns),
        "-r",
        str(seed_register),
        "-q",
        "3",
        "-t",
        str(summary_t),
        "--out",
        str(summary),
    ]
    assert CliRunner().invoke(cli, args).exit_code == 0
    contacts = {r.id: r.extra["联系人"] for r in read_return(summary, quarter=3).rows}
    solely_mz = {
        p.id
        for p in read_register(seed_register).projects
        if [lead.unit for lead in p.leads] == ["民治街道"]
    }
    assert solely_mz and all(contacts[i] == "王五" for i in solely_mz)
    assert all(v == "" for i, v in contacts.items() if i not in mz["rows"])
    assert re.search(r"row\.extra\.get\('联系人', ''\)", DOCS.read_text(encoding="utf-8"))


def test_merge_result_without_returns_is_all_not_returned(seed_register):
    # The summary preview is this: the 一览表 before any return came in.
    register = read_register(seed_register)
    period = resolve_period(register, 3, None)
    ctx = summary_context(MergeResult(register, period, [], []))
    statuses = {row["status"] for g in ctx["groups"] for row in g["rows"]}
    assert statuses == {"未报送"}


def test_every_problem_code_is_documented():
    sources = "".join(
        (ROOT / "toolkit" / "templating" / f"{m}.py").read_text(encoding="utf-8")
        for m in ("check", "kinds", "tags", "variables")
    )
    codes = set(re.findall(r'Problem\(\s*"([a-z_]+)"', sources))
    codes |= set(re.findall(r'self\.problem\(\s*node,\s*"([a-z_]+)"', sources))
    codes |= {f"{level}_not_alone" for level in ("tr", "tc", "p")}
    codes |= set(re.findall(r'"((?:form|summary)_missing_column)"', sources))
    codes.add("unknown_variable")
    assert len(codes) > 20
    docs = DOCS.read_text(encoding="utf-8")
    assert [c for c in sorted(codes) if f"`{c}`" not in docs] == []
