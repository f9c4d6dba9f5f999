"""What a unit sees in its return is in the 一览表, or a finding quotes it (docs/checks.md).

Each case is something a unit does in Word, applied to a real filled form
(support.edits), then `toolkit merge` and `toolkit check` through the CLI:
the 一览表 cell text is read back from the written .docx and .xlsx, the
finding from --json and from the 问题清单.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from support import seed
from support.cli import invoke
from support.edits import Return
from support.fill import fill_form
from support.lo import edit_with_libreoffice, require_libreoffice
from support.template_edits import rewrite
from toolkit.templates import default_path

from toolkit.core import rules
from toolkit.returns.reader import read_return

UNIT = "民治街道"


def typed(pid: str) -> dict[str, str]:
    return {
        "进展情况": f"1.{pid}完成主体施工。\n2.{pid}投资到位。",
        "存在问题及下一步工作计划": f"{pid}下一步加快验收。",
        "进度评价": "正常推进",
    }


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from support.registers import write_register

    root = tmp_path_factory.mktemp("seed")
    register = write_register(root / "register.xlsx")
    assert invoke("generate", register, "-q", "3", "-o", root / "forms").exit_code == 0
    form = next((root / "forms").glob(f"*（{UNIT}）.docx"))
    filled = fill_form(form, root / "filled.docx", {pid: typed(pid) for pid in seed.IDS})
    return {"register": register, "form": form, "filled": filled}


@pytest.fixture
def ret(forms: dict[str, Path]) -> Return:
    """民治街道's filled return, ready to be edited."""
    return Return(forms["filled"])


class Merged:
    """One `toolkit merge` of a single return: its JSON, 一览表 rows and 问题清单."""

    def __init__(self, tmp_path: Path, forms: dict[str, Path], edited: Return | Path, *args: str):
        folder = tmp_path / "returns"
        if isinstance(edited, Return):
            folder.mkdir()
            edited.save(folder / f"{UNIT}.docx")
        out = tmp_path / "out" / "一览表.docx"
        common = [folder, "-r", forms["register"], "-q", "3", "--json", *args]
        result = invoke("merge", *common, "--out", out)
        assert result.exit_code == 0, result.output
        self.data: dict[str, Any] = json.loads(result.stdout)
        checked = invoke("check", *common)
        assert checked.exit_code in (0, 1), checked.output
        assert json.loads(checked.stdout)["findings"] == self.data["findings"]
        self.docx = {r.id: r.cells for r in read_return(out).rows}
        sheet = load_workbook(out.with_suffix(".xlsx")).active
        headers = [c.value for c in sheet[5]]
        self.xlsx = {
            r[1]: dict(zip(headers, r, strict=True))
            for r in sheet.iter_rows(min_row=6, values_only=True)
        }
        report = load_workbook(next(out.parent.glob("问题清单*.xlsx")))["问题清单"]
        self.report = [r for r in report.iter_rows(min_row=2, values_only=True)]

    def findings(self, code: str) -> list[dict[str, str]]:
        mine = [f for f in self.data["findings"] if f["code"] == code and f["unit"] == UNIT]
        listed = sorted((r[1] or "", r[4]) for r in self.report if r[6] == code)
        assert listed == sorted((f["id"] or "", f["message"]) for f in mine)  # in the 问题清单 too
        return mine

    def codes(self) -> set[str]:
        return {f["code"] for f in self.data["findings"] if f["unit"] == UNIT}

    def progress(self, pid: str) -> str:
        """The 一览表's 进展情况 for a row, the same in the .docx and the .xlsx."""
        text = self.docx[pid][rules.PROGRESS]
        assert (self.xlsx[pid]["第三季度进展情况"] or "") == text
        return text

    def plan(self, pid: str) -> str:
        text = self.docx[pid][rules.PLAN]
        assert (self.xlsx[pid]["存在问题及下一步工作计划"] or "") == text
        return text


# ---------------------------------------------------------------- rows


def test_summary_row_and_odd_ids_with_other_findings_do_not_stop_the_run(tmp_path, forms, ret):
    """合计 and `（一）` rows next to a row-level finding: merge and check finish, sorted."""
    last = ret.rows()[-1]
    total = ret.insert_row(last, {ret.column("序号"): "合计", ret.column("进展情况"): "共完成9项"})
    ret.insert_row(total, {ret.column("序号"): "（一）", ret.column("进展情况"): "新增小项"})
    ret.insert_row(total, {ret.column("序号"): "1-a", ret.column("进展情况"): "补充内容"})
    ret.set_text(ret.row("19-2"), ret.column("进度评价"), "很好")  # invalid_evaluation
    merged = Merged(tmp_path, forms, ret)
    summary = merged.findings("summary_row")
    assert len(summary) == 1 and "合计 | 共完成9项" in summary[0]["message"]
    assert summary[0]["level"] == "warning"
    unknown = {f["id"]: f["message"] for f in merged.findings("unknown_row")}
    assert "“（一）”" in unknown["(一)"] and "新增小项" in unknown["(一)"]
    assert "补充内容" in unknown["1-a"]
    assert merged.findings("invalid_evaluation")
    assert merged.progress("32-5") == typed("32-5")["进展情况"]  # the rest merged as ever
    checked = invoke("check", tmp_path / "returns", "-r", forms["register"], "-q", "3")
    assert checked.exit_code == 1 and "序号 (一)" in checked.stdout


def test_continuation_row_under_a_project_is_joined_and_reported(tmp_path, forms, ret):
    row = ret.row("13-3")
    progress, plan = ret.column("进展情况"), ret.column("存在问题")
    ret.insert_row(row, {progress: "3.续写的进展。", plan: "续写的计划。"})
    merged = Merged(tmp_path, forms, ret)
    assert merged.progress("13-3") == typed("13-3")["进展情况"] + "\n3.续写的进展。"
    assert merged.plan("13-3") == typed("13-3")["存在问题及下一步工作计划"] + "\n续写的计划。"
    (found,) = merged.findings("continuation_row")
    assert found["id"] == "13-3" and "“3.续写的进展。 | 续写的计划。”" in found["message"]
    assert found["level"] == "warning"


def test_a_blank_form_with_only_an_added_row_is_a_return(tmp_path, forms):
    blank = Return(forms["form"])
    blank.insert_row(blank.row("19-2"), {blank.column("进展情况"): "只写在新加的一行里"})
    merged = Merged(tmp_path, forms, blank)
    assert "blank_form" not in merged.codes()
    assert merged.progress("19-2") == "只写在新加的一行里"
    assert [f["id"] for f in merged.findings("continuation_row")] == ["19-2"]


def test_a_blank_form_with_only_struck_text_is_a_return(tmp_path, forms):
    blank = Return(forms["form"])
    (run,) = blank.set_text(blank.row("13-3"), blank.column("第三季度目标"), "完成工程量80%。")
    blank.format_run(run, "strike")
    merged = Merged(tmp_path, forms, blank)
    assert "blank_form" not in merged.codes()
    (struck,) = merged.findings("struck_text")
    assert struck["id"] == "13-3" and "“完成工程量80%。”" in struck["message"]


def test_row_whose_id_cell_is_merged_with_the_one_above_is_joined(tmp_path, forms, ret):
    row = ret.row("18-8")
    extra = ret.insert_row(row, {ret.column("进展情况"): "合并序号后补充的一行。"})
    ret.merge_with_above(extra, ret.column("序号"))
    merged = Merged(tmp_path, forms, ret)
    assert merged.progress("18-8").endswith("\n合并序号后补充的一行。")
    assert [f["id"] for f in merged.findings("continuation_row")] == ["18-8"]


def test_row_without_id_under_the_example_row_is_quoted_not_merged(tmp_path, forms, ret):
    example = ret.rows()[0]
    assert ret.cells(example)[ret.column("序号")].findtext(".//{*}t") == "示例"
    ret.insert_row(example, {ret.column("进展情况"): "没有序号的新内容"})
    merged = Merged(tmp_path, forms, ret)
    (found,) = merged.findings("unknown_row")
    assert found["id"] is None and "没有序号的新内容" in found["message"]
    assert all("没有序号的新内容" not in merged.progress(pid) for pid in seed.IDS if pid != "40")


def test_example_row_skipped_only_when_it_is_the_example(tmp_path, forms, ret):
    ret.insert_row(
        ret.row("10-3"), {ret.column("序号"): "例外", ret.column("进展情况"): "例外的一行"}
    )
    merged = Merged(tmp_path, forms, ret)
    assert "例外的一行" in merged.findings("unknown_row")[0]["message"]
    assert "填报示例" not in json.dumps(merged.data, ensure_ascii=False)  # the form's own row


def test_duplicate_and_foreign_rows_are_quoted(tmp_path, forms, ret):
    copy = ret.duplicate_row(ret.row("31-11"))
    ret.set_text(copy, ret.column("进展情况"), "第二份内容")
    merged = Merged(tmp_path, forms, ret)
    (dup,) = merged.findings("duplicate_row")
    assert "第二份内容" in dup["message"] and "樟坑" not in dup["message"]  # register text left out
    assert merged.progress("31-11") == typed("31-11")["进展情况"]


# ---------------------------------------------------------------- columns


def test_previous_quarter_column_before_the_real_one(tmp_path, forms, ret):
    at = ret.column("进展情况")
    rows = ret.rows()
    old = {rows.index(ret.row(pid)): f"{pid}上季度的进展" for pid in seed.IDS}
    ret.insert_column(at, "第二季度进展情况", old)
    merged = Merged(tmp_path, forms, ret)
    assert merged.progress("10-3") == typed("10-3")["进展情况"]
    unused = {f["id"]: f["message"] for f in merged.findings("unused_column")}
    assert "“第二季度进展情况”" in unused["10-3"] and "10-3上季度的进展" in unused["10-3"]
    assert "split_column" not in merged.codes()


def test_bare_progress_column_loses_to_the_quarter_named_one(tmp_path, forms, ret):
    rows = ret.rows()
    ret.insert_column(ret.column("进展情况"), "进展情况", {rows.index(ret.row("10-3")): "旧稿"})
    merged = Merged(tmp_path, forms, ret)
    assert merged.progress("10-3") == typed("10-3")["进展情况"]
    assert "旧稿" in merged.findings("unused_column")[0]["message"]


def test_plan_split_into_two_columns_is_joined_in_order(tmp_path, forms, ret):
    plan = ret.column("存在问题")
    ret.rename_header(plan, "存在问题")
    rows = ret.rows()
    ret.insert_column(plan + 1, "下一步工作计划", {rows.index(ret.row("19-2")): "下一步：验收。"})
    merged = Merged(tmp_path, forms, ret)
    assert merged.plan("19-2") == typed("19-2")["存在问题及下一步工作计划"] + "\n下一步：验收。"
    (split,) = merged.findings("split_column")
    assert "“存在问题”、“下一步工作计划”" in split["message"] and split["id"] is None


def test_two_progress_columns_and_a_blank_split_header_are_joined(tmp_path, forms, ret):
    at = ret.column("进展情况")
    rows = ret.rows()
    ret.insert_column(at + 1, "", {rows.index(ret.row("24-5")): "拆分出的后半"})
    ret.insert_column(at + 2, "第三季度进展情况", {rows.index(ret.row("24-5")): "第二列"})
    merged = Merged(tmp_path, forms, ret)
    assert merged.progress("24-5") == typed("24-5")["进展情况"] + "\n拆分出的后半\n第二列"
    (split,) = merged.findings("split_column")
    assert "（空白表头）" in split["message"]


def test_remarks_column_is_reported_with_its_text(tmp_path, forms, ret):
    rows = ret.rows()
    ret.insert_column(len(ret.headers()), "备注", {rows.index(ret.row("32-4")): "已报区领导"})
    merged = Merged(tmp_path, forms, ret)
    (unused,) = merged.findings("unused_column")
    assert (
        unused["id"] == "32-4"
        and "“备注”" in unused["message"]
        and "已报区领导" in unused["message"]
    )


def test_a_summary_template_using_the_column_carries_it(tmp_path, forms, ret):
    rows = ret.rows()
    ret.insert_column(len(ret.headers()), "备注", {rows.index(ret.row("32-4")): "已报区领导"})
    template = tmp_path / "一览表模板.docx"
    rewrite(
        default_path("summary"),
        template,
        lambda xml: xml.replace(
            b"{{ row.co }}",
            b"{{ row.co }}{{ row.extra.get('\xe5\xa4\x87\xe6\xb3\xa8', '') }}",
        ),
    )
    merged = Merged(tmp_path, forms, ret, "-t", str(template))
    assert "unused_column" not in merged.codes()
    assert merged.docx["32-4"][rules.CO].endswith("已报区领导")


def test_renamed_progress_header_still_finds_the_table(tmp_path, forms, ret):
    ret.rename_header(ret.column("进展情况"), "工作进展")
    merged = Merged(tmp_path, forms, ret)
    assert "no_table" not in merged.codes()
    unused = merged.findings("unused_column")
    assert len(unused) == len(seed.IDS) and "10-3完成主体施工" in unused[0]["message"]


def test_edited_unit_cell_is_reported(tmp_path, forms, ret):
    ret.set_text(ret.row("13-3"), ret.column("主办单位"), "民治街道党建办")
    merged = Merged(tmp_path, forms, ret)
    (changed,) = merged.findings("prefilled_changed")
    assert "主办单位" in changed["message"] and "民治街道党建办" in changed["message"]


# ---------------------------------------------------------------- formatting


def test_struck_text_is_left_out_and_quoted(tmp_path, forms, ret):
    struck, _, _ = ret.set_text(ret.row("10-3"), ret.column("进展情况"), "5000", "3000", "万元")
    ret.format_run(struck, "strike")
    ret.format_run(
        ret.set_text(ret.row("13-3"), ret.column("存在问题"), "旧计划", "新计划")[0], "style_strike"
    )
    merged = Merged(tmp_path, forms, ret)
    assert merged.progress("10-3") == "3000万元"
    found = {f["id"]: f["message"] for f in merged.findings("struck_text")}
    assert "进展情况中有删除线文字“5000”" in found["10-3"]
    assert merged.plan("13-3") == "新计划" and "“旧计划”" in found["13-3"]


@pytest.mark.parametrize("how", ["vanish", "style_vanish", "paragraph_vanish"])
def test_hidden_text_never_reaches_the_summary(tmp_path, forms, ret, how):
    runs = ret.set_text(ret.row("19-2"), ret.column("进展情况"), "看得见的进展", "藏起来的字")
    ret.format_run(runs[1], how)
    if how == "paragraph_vanish":
        ret.set_text(ret.row("19-2"), ret.column("存在问题"), "别处的字")
    merged = Merged(tmp_path, forms, ret)
    expected = "" if how == "paragraph_vanish" else "看得见的进展"
    assert merged.progress("19-2") == expected
    assert "藏起来的字" not in json.dumps(merged.data, ensure_ascii=False)


def test_wrappers_keep_their_text(tmp_path, forms, ret):
    runs = ret.set_text(ret.row("32-5"), ret.column("进展情况"), "控件里", "链接里", "标记里")
    for r, how in zip(runs, ("sdt", "hyperlink", "smart_tag"), strict=True):
        ret.format_run(r, how)
    assert Merged(tmp_path, forms, ret).progress("32-5") == "控件里链接里标记里"


# ---------------------------------------------------------------- content that is not plain runs

TEXT_BOX = (
    "<w:p><w:r><w:t>锚点段落</w:t></w:r><w:r><mc:AlternateContent>"
    '<mc:Choice Requires="wps"><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0"'
    ' simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
    '<wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset>'
    '</wp:positionH><wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset>'
    '</wp:positionV><wp:extent cx="1270000" cy="381000"/><wp:wrapSquare wrapText="bothSides"/>'
    '<wp:docPr id="1" name="文本框 1"/><a:graphic><a:graphicData'
    ' uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
    '<wps:cNvSpPr txBox="1"/><wps:spPr/><wps:txbx><w:txbxContent><w:p><w:r><w:t>框里的进展</w:t>'
    "</w:r></w:p></w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic>"
    "</wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>"
    "<w:p><w:r><w:t>框里的进展</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict>"
    "</mc:Fallback></mc:AlternateContent></w:r></w:p>"
)
PICTURE = (
    '<w:p><w:r><w:t>见图</w:t></w:r><w:r><w:drawing><wp:inline><wp:extent cx="9525" cy="9525"/>'
    '<wp:docPr id="2" name="图片 1"/><a:graphic><a:graphicData'
    ' uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic/></a:graphicData>'
    "</a:graphic></wp:inline></w:drawing></w:r></w:p>"
)


def test_text_box_in_a_cell_is_read_once(tmp_path, forms, ret):
    ret.set_xml(ret.row("10-3"), ret.column("进展情况"), TEXT_BOX)
    assert Merged(tmp_path, forms, ret).progress("10-3") == "锚点段落\n框里的进展"


def test_pictures_and_formulas_are_named(tmp_path, forms, ret):
    ret.set_xml(ret.row("10-3"), ret.column("进展情况"), PICTURE)
    math = "<w:p><m:oMath><m:r><m:t>x=1</m:t></m:r></m:oMath></w:p>"
    ret.set_xml(ret.row("13-3"), ret.column("存在问题"), math)
    merged = Merged(tmp_path, forms, ret)
    assert merged.progress("10-3") == "见图"
    found = {f["id"]: f["message"] for f in merged.findings("unread_content")}
    assert found["10-3"].startswith("进展情况中有图片") and "公式" in found["13-3"]


def test_placeholder_of_a_content_control_is_not_typed_text(tmp_path, forms, ret):
    placeholder = (
        "<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>{}</w:sdtContent></w:sdt>"
    )
    run_level = "<w:p>" + placeholder.format("<w:r><w:t>单击此处输入文字。</w:t></w:r>") + "</w:p>"
    block_level = placeholder.format("<w:p><w:r><w:t>单击或点击此处输入文字。</w:t></w:r></w:p>")
    ret.set_xml(ret.row("10-3"), ret.column("进展情况"), run_level)
    ret.set_xml(ret.row("13-3"), ret.column("进展情况"), block_level + "<w:p/>")
    merged = Merged(tmp_path, forms, ret)
    assert merged.progress("10-3") == merged.progress("13-3") == ""
    assert {f["id"] for f in merged.findings("empty_progress")} == {"10-3", "13-3"}


def test_symbols_and_ruby_base_text(tmp_path, forms, ret):
    sym = '<w:r><w:sym w:font="Wingdings" w:char="F0FE"/></w:r>'
    odd = '<w:r><w:sym w:font="Webdings" w:char="F021"/></w:r>'
    ruby = (
        "<w:r><w:ruby><w:rubyPr/><w:rt><w:r><w:t>lóng</w:t></w:r></w:rt>"
        "<w:rubyBase><w:r><w:t>龙</w:t></w:r></w:rubyBase></w:ruby></w:r>"
    )
    xml = f"<w:p>{sym}<w:r><w:t>已完成</w:t></w:r>{odd}{ruby}<w:r><w:t>华</w:t></w:r></w:p>"
    ret.set_xml(ret.row("19-2"), ret.column("进展情况"), xml)
    merged = Merged(tmp_path, forms, ret)
    assert merged.progress("19-2") == "☑已完成龙华"
    (found,) = merged.findings("unread_content")
    assert "符号（Webdings）" in found["message"]


def test_alt_chunks_are_read_or_named(tmp_path, forms, ret):
    html = "<html><body><p>插入的网页内容</p><p>第二段</p></body></html>".encode()
    html_id = ret.add_chunk("chunk1.htm", html, "application/xhtml+xml")
    rtf_id = ret.add_chunk("chunk2.rtf", b"{\\rtf1 hello}", "application/rtf")
    ret.set_xml(ret.row("10-3"), ret.column("进展情况"), f'<w:altChunk r:id="{html_id}"/><w:p/>')
    ret.set_xml(ret.row("13-3"), ret.column("进展情况"), f'<w:altChunk r:id="{rtf_id}"/><w:p/>')
    merged = Merged(tmp_path, forms, ret)
    assert merged.progress("10-3") == "插入的网页内容\n第二段"
    (found,) = merged.findings("unread_content")
    assert found["id"] == "13-3" and "插入的文档内容" in found["message"]


def test_alt_chunk_of_a_word_document(tmp_path, forms, ret):
    from docx_factory import make_docx, para

    inner = make_docx(tmp_path / "inner.docx", para("嵌入文档的第一段") + para("第二段"))
    main_ct = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    rid = ret.add_chunk("chunk.docx", inner.read_bytes(), main_ct)
    ret.set_xml(ret.row("31-11"), ret.column("进展情况"), f'<w:altChunk r:id="{rid}"/><w:p/>')
    assert Merged(tmp_path, forms, ret).progress("31-11") == "嵌入文档的第一段\n第二段"


def test_hidden_through_a_chain_of_styles_and_document_defaults(tmp_path, forms, ret):
    from lxml import etree
    from support.edits import W

    styles = ret.styles
    extra = etree.fromstring(
        f'<w:styles xmlns:w="{W}"><w:style w:type="character" w:styleId="Base">'
        '<w:rPr><w:vanish/></w:rPr></w:style><w:style w:type="character" w:styleId="Derived">'
        '<w:basedOn w:val="Base"/></w:style><w:style w:type="character" w:styleId="Shown">'
        '<w:basedOn w:val="Base"/><w:rPr><w:vanish w:val="0"/></w:rPr></w:style></w:styles>'
    )
    styles.extend(list(extra))
    runs = ret.set_text(ret.row("24-5"), ret.column("进展情况"), "藏", "显", "直")
    for r, style in zip(runs, ("Derived", "Shown", "Derived"), strict=True):
        rpr = etree.SubElement(r, f"{{{W}}}rPr")
        r.insert(0, rpr)
        etree.SubElement(rpr, f"{{{W}}}rStyle").set(f"{{{W}}}val", style)
    etree.SubElement(runs[2].find(f"{{{W}}}rPr"), f"{{{W}}}vanish").set(f"{{{W}}}val", "0")
    assert Merged(tmp_path, forms, ret).progress("24-5") == "显直"


# ---------------------------------------------------------------- the desk


def test_desk_pages_answer_for_odd_rows(tmp_path):
    """The desk sorts the same findings: 合计, `（一）` and `1-a` rows never make a page fail."""
    import warnings

    from support.registers import write_register

    from toolkit.core.period import Period
    from toolkit.desk.app import create_app
    from toolkit.desk.workspace import REGISTER_NAME, Workspace

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using `httpx`")
        from starlette.testclient import TestClient

    root = tmp_path / "报送工作"
    root.mkdir()
    write_register(root / REGISTER_NAME)
    client = TestClient(create_app(root), base_url="http://127.0.0.1:8321")
    assert client.post("/p/2023Q3/generate").status_code == 200
    form = Workspace(root).form_files(Period(2023, 3))[UNIT]
    edited = Return(
        fill_form(form, tmp_path / "filled.docx", {pid: typed(pid) for pid in seed.IDS})
    )
    last = edited.rows()[-1]
    for label in ("1-a", "（一）", "合计"):
        edited.insert_row(last, {edited.column("序号"): label, edited.column("进展情况"): "x"})
    edited.set_text(edited.row("10-3"), edited.column("进度评价"), "很好")
    data = edited.save(tmp_path / "edited.docx").read_bytes()
    upload = client.post(
        "/p/2023Q3/upload",
        files=[("files", (f"{UNIT}.docx", data, "application/octet-stream"))],
        headers={"Accept": "application/json"},
    )
    assert upload.status_code == 200
    unit_page = f"/p/2023Q3/u/{UNIT}"
    for path in ("/p/2023Q3", "/p/2023Q3/board", unit_page):
        assert client.get(path).status_code == 200, path
    assert "合计行未汇总" in client.get(unit_page).text
    for path in (unit_page + "/notice", "/p/2023Q3/summary"):
        assert client.post(path).status_code == 200, path


@pytest.mark.libreoffice
def test_unit_adds_a_continuation_row_and_a_remarks_column_in_libreoffice(tmp_path, forms):
    """Writer's own Table > Insert > Rows Below and Columns After, typed and saved as .docx."""
    require_libreoffice()
    folder = tmp_path / "returns"
    extra = {"row": "序号", "column": "协办单位", "offset": 1}
    steps = [
        {"do": "insert_row", "at": {"row": "10-3", "column": "序号"}},
        {
            "do": "type",
            "at": {"row": "10-3", "column": "进展情况", "rows_down": 1},
            "text": "3.续写在新加的一行。",
        },
        {"do": "insert_column", "side": "after", "at": {"row": "序号", "column": "协办单位"}},
        {"do": "type", "at": extra, "text": "备注"},
        {"do": "type", "at": {**extra, "row": "32-4"}, "text": "已报区领导"},
    ]
    output = folder / f"{UNIT}.docx"
    edit_with_libreoffice([{"input": str(forms["filled"]), "output": str(output), "steps": steps}])
    merged = Merged(tmp_path, forms, folder)
    assert merged.progress("10-3") == typed("10-3")["进展情况"] + "\n3.续写在新加的一行。"
    (joined,) = merged.findings("continuation_row")
    assert joined["id"] == "10-3" and "3.续写在新加的一行。" in joined["message"]
    (unused,) = merged.findings("unused_column")
    assert unused["id"] == "32-4" and "“备注”" in unused["message"]
    assert "已报区领导" in unused["message"]
    assert merged.progress("32-4") == typed("32-4")["进展情况"]


def test_every_finding_code_is_documented_with_its_level():
    from toolkit.core.findings import CODES, LEVEL_LABELS

    docs = (Path(__file__).parents[1] / "docs" / "checks.md").read_text(encoding="utf-8")
    for code, (level, name) in CODES.items():
        row = next((ln for ln in docs.splitlines() if ln.startswith(f"| `{code}` |")), None)
        assert row is not None, f"{code} ({name}) is not in docs/checks.md"
        assert LEVEL_LABELS[level] in row.split("|")[2], code
