"""Reading returned forms: every WordprocessingML rule on a real .docx package."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx_factory import HEADERS, cell, make_docx, para, project_table, row, run, table

from toolkit.core import rules
from toolkit.errors import ReturnError
from toolkit.office.ooxml import OLE_MAGIC
from toolkit.office.wordml import format_number
from toolkit.returns.reader import PROJECT, ReturnedForm, read_return

TITLE = para("2023年第三季度民生实事进展情况表")


def read_body(tmp_path: Path, body: str, name: str = "r.docx", **kw: object) -> ReturnedForm:
    return read_return(make_docx(tmp_path / name, body, **kw))  # type: ignore[arg-type]


def progress_of(tmp_path: Path, *content: str, **kw: object) -> str:
    """The 进展情况 text of a one-row return whose progress cell holds `content`."""
    data = row("1", "项目", "", "", cell(*content), "", "正常推进")
    form = read_body(tmp_path, TITLE + project_table(data), **kw)  # type: ignore[arg-type]
    assert [r.id for r in form.rows] == ["1"]
    return form.rows[0].cells[rules.PROGRESS]


# ---------------------------------------------------------------- paragraph text


def test_runs_split_at_every_digit_are_joined(tmp_path: Path) -> None:
    id_cell = cell(para(run("1"), run("0"), run("-"), run("3")))
    progress = cell(para(run("已完成"), run("1"), run("2"), run("0"), run("户")))
    form = read_body(tmp_path, project_table(row(id_cell, "名称", "", "", progress, "", "")))
    assert form.rows[0].id == "10-3"
    assert form.rows[0].cells[rules.PROGRESS] == "已完成120户"


def test_breaks_tabs_and_hyphens(tmp_path: Path) -> None:
    p = para(
        run("甲"),
        "<w:r><w:br/><w:t>乙</w:t><w:tab/><w:t>丙</w:t><w:cr/><w:t>丁</w:t>"
        '<w:br w:type="page"/><w:t>A</w:t><w:noBreakHyphen/><w:t>B</w:t>'
        '<w:sym w:font="Wingdings" w:char="F0FC"/><w:softHyphen/></w:r>',
    )
    assert progress_of(tmp_path, p) == "甲\n乙\t丙\n丁\nA-B✓"  # Wingdings' check mark


def test_cell_paragraphs_joined_and_blank_edges_trimmed(tmp_path: Path) -> None:
    text = progress_of(tmp_path, para(), "1.第一项", para(), "2.第二项", para(), para(" "))
    assert text == "1.第一项\n\n2.第二项"


def test_tracked_changes(tmp_path: Path) -> None:
    p = para(
        run("原"),
        '<w:ins w:id="1" w:author="a"><w:r><w:t>新增</w:t></w:r></w:ins>',
        '<w:del w:id="2" w:author="a"><w:r><w:delText>删除</w:delText></w:r></w:del>',
        '<w:moveFrom w:id="3" w:author="a"><w:r><w:t>移走</w:t></w:r></w:moveFrom>',
        '<w:moveTo w:id="4" w:author="a"><w:r><w:t>移来</w:t></w:r></w:moveTo>',
    )
    assert progress_of(tmp_path, p) == "原新增移来"


def test_tracked_deleted_row_and_paragraph_mark(tmp_path: Path) -> None:
    merged = para("上半", ppr='<w:rPr><w:del w:id="1" w:author="a"/></w:rPr>') + para("下半")
    deleted = row("2", "删掉的项目", "", "", "", "", "", trpr='<w:del w:id="2" w:author="a"/>')
    body = project_table(row("1", "名", "", "", cell(merged), "", ""), deleted)
    form = read_body(tmp_path, body)
    assert [r.id for r in form.rows] == ["1"]
    assert form.rows[0].cells[rules.PROGRESS] == "上半下半"


def test_hidden_text_dropped(tmp_path: Path) -> None:
    p = para(run("看得见"), run("看不见", "<w:vanish/>"), run("也看得见", '<w:vanish w:val="0"/>'))
    assert progress_of(tmp_path, p) == "看得见也看得见"


def test_hyperlink_smart_tag_custom_xml_and_simple_field(tmp_path: Path) -> None:
    p = para(
        '<w:hyperlink r:id="rId9"><w:r><w:t>链接</w:t></w:r></w:hyperlink>',
        '<w:smartTag w:uri="u" w:element="place"><w:r><w:t>民治</w:t></w:r></w:smartTag>',
        '<w:customXml w:element="x"><w:r><w:t>定制</w:t></w:r></w:customXml>',
        '<w:fldSimple w:instr=" PAGE "><w:r><w:t>7</w:t></w:r></w:fldSimple>',
    )
    assert progress_of(tmp_path, p) == "链接民治定制7"


def test_complex_field_code_dropped_result_kept(tmp_path: Path) -> None:
    begin, sep, end = (
        f'<w:r><w:fldChar w:fldCharType="{k}"/></w:r>' for k in ("begin", "separate", "end")
    )
    instr = '<w:r><w:instrText xml:space="preserve"> {} </w:instrText></w:r>'
    nested_in_code = (
        begin + instr.format("IF") + begin + instr.format("REF x") + sep + run("代码里的结果") + end
    )
    p = para(
        run("共"),
        nested_in_code
        + sep
        + run("1")
        + begin
        + instr.format("REF y")
        + sep
        + run("2")
        + end
        + end,
        run("户"),
    )
    assert progress_of(tmp_path, p) == "共12户"


def test_content_controls_at_every_level(tmp_path: Path) -> None:
    def sdt(inner: str) -> str:
        props = "<w:sdtPr><w:alias w:val='填写'/></w:sdtPr>"
        return f"<w:sdt>{props}<w:sdtContent>{inner}</w:sdtContent></w:sdt>"

    run_level = cell(para(run("完成"), sdt(run("80%"))))
    cell_level = sdt(cell("正常推进"))
    paragraph_level = cell(sdt(para("问题")))
    data = row("1", "名", "", "", run_level, paragraph_level, cell_level)
    row_level = sdt(row("2", "名二", "", "", "行级", "", ""))
    body = TITLE + sdt(project_table(data, row_level))  # block-level around the table
    form = read_body(tmp_path, body)
    assert [r.id for r in form.rows] == ["1", "2"]
    first = form.rows[0].cells
    assert (first[rules.PROGRESS], first[rules.PLAN], first[rules.EVALUATION]) == (
        "完成80%",
        "问题",
        "正常推进",
    )
    assert form.rows[1].cells[rules.PROGRESS] == "行级"


def test_nested_table_text_in_order(tmp_path: Path) -> None:
    nested = table(["甲", "乙"], ["丙", ""])
    assert progress_of(tmp_path, "前", nested, "后") == "前\n甲\n乙\n丙\n后"


# ---------------------------------------------------------------- numbering


def _numbering(
    *levels: str, nums: str = '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
) -> str:
    return f'<w:abstractNum w:abstractNumId="0">{"".join(levels)}</w:abstractNum>{nums}'


def _lvl(ilvl: int, fmt: str, text: str, start: int = 1, suff: str = "") -> str:
    s = f'<w:suff w:val="{suff}"/>' if suff else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{s}'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
    )


def _numbered(text: str, num_id: int = 1, ilvl: int = 0) -> str:
    return para(text, ppr=f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')


def test_numbering_decimal_materialised(tmp_path: Path) -> None:
    text = progress_of(
        tmp_path,
        _numbered("完成选址"),
        _numbered("5万元到位"),
        numbering=_numbering(_lvl(0, "decimal", "%1.")),
    )
    assert text == "1. 完成选址\n2. 5万元到位"
    assert rules.check_numbering(text) is None


def test_numbering_wrong_marker_kept_as_typed_and_no_space_for_suff_nothing(tmp_path: Path) -> None:
    numbering = _numbering(_lvl(0, "decimal", "%1、", suff="nothing"))
    text = progress_of(tmp_path, _numbered("甲"), _numbered("乙"), numbering=numbering)
    assert text == "1、甲\n2、乙"
    issue = rules.check_numbering(text)
    assert issue is not None and issue.kind == "wrong_marker"


def test_numbering_circled_chinese_and_bullet(tmp_path: Path) -> None:
    abstracts = (
        '<w:abstractNum w:abstractNumId="0">'
        + _lvl(0, "decimalEnclosedCircle", "%1", suff="nothing")
        + "</w:abstractNum>"
        '<w:abstractNum w:abstractNumId="1">'
        + _lvl(0, "chineseCounting", "%1、", suff="nothing")
        + "</w:abstractNum>"
        '<w:abstractNum w:abstractNumId="2">' + _lvl(0, "bullet", "\uf0b7") + "</w:abstractNum>"
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
        '<w:num w:numId="3"><w:abstractNumId w:val="2"/></w:num>'
    )
    paras = [
        _numbered("甲", 1),
        _numbered("乙", 1),
        _numbered("总", 2),
        _numbered("点", 3),
        _numbered("无", 0),
    ]
    assert progress_of(tmp_path, *paras, numbering=abstracts) == "①甲\n②乙\n一、总\n• 点\n无"


def test_numbering_restart_and_continuation_across_num_ids(tmp_path: Path) -> None:
    nums = (
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="0"/></w:num>'  # continues numId 1
        '<w:num w:numId="3"><w:abstractNumId w:val="0"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
    )
    numbering = _numbering(_lvl(0, "decimal", "%1."), nums=nums)
    data = [
        row("1", "甲", "", "", cell(_numbered("a", 1), _numbered("b", 1)), "", ""),
        row(
            "2",
            "乙",
            "",
            "",
            cell(_numbered("c", 2)),
            cell(_numbered("d", 3), _numbered("e", 3)),
            "",
        ),
    ]
    form = read_body(tmp_path, project_table(*data), numbering=numbering)
    assert form.rows[0].cells[rules.PROGRESS] == "1. a\n2. b"
    assert form.rows[1].cells[rules.PROGRESS] == "3. c"
    assert form.rows[1].cells[rules.PLAN] == "1. d\n2. e"


def test_numbering_multi_level_resets_deeper_levels(tmp_path: Path) -> None:
    numbering = _numbering(
        _lvl(0, "decimal", "%1.", suff="nothing"), _lvl(1, "decimal", "%1.%2.", suff="nothing")
    )
    paras = [
        _numbered("甲"),
        _numbered("a", ilvl=1),
        _numbered("b", ilvl=1),
        _numbered("乙"),
        _numbered("c", ilvl=1),
    ]
    assert progress_of(tmp_path, *paras, numbering=numbering) == "1.甲\n1.1.a\n1.2.b\n2.乙\n2.1.c"


def test_numbering_via_paragraph_style(tmp_path: Path) -> None:
    styles = (
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"/>'
        '<w:style w:type="paragraph" w:styleId="ListNumber"><w:basedOn w:val="Normal"/>'
        '<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="MyList"><w:basedOn w:val="ListNumber"/></w:style>'
    )
    paras = [
        para("一", ppr='<w:pStyle w:val="ListNumber"/>'),
        para("二", ppr='<w:pStyle w:val="MyList"/>'),
        "三",
    ]
    text = progress_of(
        tmp_path, *paras, numbering=_numbering(_lvl(0, "decimal", "%1.")), styles=styles
    )
    assert text == "1. 一\n2. 二\n三"


def test_format_number() -> None:
    assert [format_number(n, "chineseCounting") for n in (1, 10, 11, 20, 99)] == [
        "一",
        "十",
        "十一",
        "二十",
        "九十九",
    ]
    assert format_number(3, "decimalFullWidth") == "３"
    assert format_number(27, "lowerLetter") == "aa"
    assert format_number(21, "decimalEnclosedCircle") == "㉑"
    assert format_number(99, "decimalEnclosedCircle") == "99"


# ---------------------------------------------------------------- the project table


def test_columns_found_by_header_text_reordered_and_extra(tmp_path: Path) -> None:
    headers = [
        "进度评价",
        "序  号",
        "备注",
        "进展情况\n（300字以内）",
        "项目名称",
        "存在问题及下一步工作计划",
    ]
    body = TITLE + project_table(["已完成", "3", "无", "完工", "修路", "无"], headers=headers)
    form = read_body(tmp_path, body)
    assert form.headers == headers
    r = form.rows[0]
    assert r.cells == {
        "evaluation": "已完成",
        "id": "3",
        "progress": "完工",
        "name": "修路",
        "plan": "无",
    }
    assert r.extra == {"备注": "无"}


def test_quarter_picks_its_target_column(tmp_path: Path) -> None:
    headers = ["序号", "第二季度目标", "第三季度目标", "进展情况"]
    path = make_docx(tmp_path / "q.docx", project_table(["1", "旧", "新", "完成"], headers=headers))
    r = read_return(path, quarter=3).rows[0]
    assert r.cells[rules.QUARTER_TARGET] == "新"
    assert r.extra == {"第二季度目标": "旧"}


def test_header_repeated_and_example_and_blank_rows_skipped(tmp_path: Path) -> None:
    body = project_table(
        ["示  例", "XX项目", "", "", "1.完成……", "", "正常推进"],
        ["1", "甲", "", "", "a", "", ""],
        ["", "", "", "", "", "", ""],
        list(HEADERS),
        ["合计", "", "", "", "", "", ""],
        ["2", "乙", "", "", "b", "", ""],
    )
    form = read_body(tmp_path, body)
    assert [r.id for r in form.rows] == ["1", "合计", "2"]  # odd ids kept for the checker


def test_full_width_id_normalised(tmp_path: Path) -> None:
    form = read_body(tmp_path, project_table(["１０－３", "名", "", "", "", "", ""]))
    assert (form.rows[0].id, form.rows[0].id_text) == ("10-3", "１０－３")


def test_table_split_by_paragraph_continues(tmp_path: Path) -> None:
    first = project_table(["1", "甲", "", "", "a", "", ""])
    continued = table(["2", "乙", "", "", "b", "", ""])
    own_header = project_table(["5", "戊", "e"], headers=["序号", "项目名称", "进展情况"])
    other_width = table(["填报人：", "张三"])
    body = TITLE + first + para("") + continued + own_header + other_width + table(["9", "x"])
    form = read_body(tmp_path, body)
    assert [(r.id, r.table_index) for r in form.rows] == [("1", 0), ("2", 1), ("5", 2)]
    assert form.rows[2].cells == {"id": "5", "name": "戊", "progress": "e"}
    assert form.headers == HEADERS


def test_table_with_same_width_but_no_ids_is_not_a_continuation(tmp_path: Path) -> None:
    signature = table(["填报人：", "", "", "", "联系电话：", "", ""])
    form = read_body(tmp_path, project_table(["1", "甲", "", "", "a", "", ""]) + signature)
    assert [r.id for r in form.rows] == ["1"]


def test_grid_span_maps_to_first_column(tmp_path: Path) -> None:
    spanned = cell("完成并验收", tcpr='<w:gridSpan w:val="2"/>')
    section = row(cell("一、教育", tcpr='<w:gridSpan w:val="7"/>'))
    body = project_table(row("1", "甲", "", "", spanned, "正常推进"), section)
    form = read_body(tmp_path, body)
    # The full-width section row is read too: the check reports and quotes it.
    assert [(r.id, r.kind) for r in form.rows] == [("1", PROJECT), ("一、教育", PROJECT)]
    cells = form.rows[0].cells
    assert (cells[rules.PROGRESS], cells[rules.PLAN], cells[rules.EVALUATION]) == (
        "完成并验收",
        "",
        "正常推进",
    )


def test_hostile_grid_span_is_capped(tmp_path: Path) -> None:
    huge = cell("x", tcpr='<w:gridSpan w:val="999999999"/>')
    form = read_body(tmp_path, project_table(row("1", "甲", "", "", huge)))
    assert form.rows[0].cells[rules.PROGRESS] == "x"


def test_vertical_merge_continuation_reported(tmp_path: Path) -> None:
    restart = cell("两项一起推进", tcpr='<w:vMerge w:val="restart"/>')
    cont = cell("残留", tcpr="<w:vMerge/>")
    body = project_table(
        row("1", "甲", "", "", restart, "", ""), row("2", "乙", "", "", cont, "", "")
    )
    form = read_body(tmp_path, body)
    assert form.rows[0].cells[rules.PROGRESS] == "两项一起推进"
    assert form.rows[1].cells[rules.PROGRESS] == ""
    assert form.rows[1].continued == {rules.PROGRESS}
    assert form.rows[0].continued == set()


def test_two_row_header_with_merged_cells(tmp_path: Path) -> None:
    top = row(
        cell("序号", tcpr='<w:vMerge w:val="restart"/>'),
        cell("目标", tcpr='<w:gridSpan w:val="2"/>'),
        cell("进展情况", tcpr='<w:vMerge w:val="restart"/>'),
    )
    sub = row(cell("", tcpr="<w:vMerge/>"), "年度目标", "本季度目标", cell("", tcpr="<w:vMerge/>"))
    body = table(top, sub, ["1", "全年", "本季", "完成"], grid=4)
    r = read_body(tmp_path, body).rows
    assert len(r) == 1
    assert r[0].cells == {
        "id": "1",
        "annual_target": "全年",
        "quarter_target": "本季",
        "progress": "完成",
    }


def test_no_project_table_is_not_an_error(tmp_path: Path) -> None:
    form = read_body(tmp_path, para("随便写的") + table(["a", "b"]))
    assert (form.rows, form.headers, form.title, form.period) == ([], [], None, None)


# ---------------------------------------------------------------- title, unit, properties


@pytest.mark.parametrize(
    ("line", "unit"),
    [
        ("填报单位：民治街道    填报时间：2023年9月", "民治街道"),
        ("填报单位:民治街道\t填报时间：", "民治街道"),
        ("填报单位（盖章）： 区教育局 联系人：张三", "区教育局"),
        ("填报单位：　　　　　　填报时间：", ""),
    ],
)
def test_unit_line(tmp_path: Path, line: str, unit: str) -> None:
    pieces = line.split("\t")  # a typed tab is a w:tab element, not a character
    body = TITLE + para("<w:r><w:tab/></w:r>".join(run(t) for t in pieces))
    assert read_body(tmp_path, body).unit_line == unit


def test_unit_line_absent(tmp_path: Path) -> None:
    assert read_body(tmp_path, TITLE).unit_line is None


def test_title_and_period(tmp_path: Path) -> None:
    body = (
        para("")
        + para("附件2")
        + para("２０２３年 第三季度", "民生实事进展情况表")
        + project_table(["1", "", "", "", "", "", ""])
    )
    form = read_body(tmp_path, body)
    assert form.title == "２０２３年 第三季度民生实事进展情况表"
    assert form.period == (2023, 3)
    form = read_body(tmp_path, para("2024年第4季度报表") + project_table(), name="b.docx")
    assert form.period == (2024, 4)


def test_title_in_merged_row_above_header(tmp_path: Path) -> None:
    top = row(cell("2023年第二季度民生实事进展表", tcpr='<w:gridSpan w:val="7"/>'))
    form = read_body(tmp_path, table(top, list(HEADERS), ["1", "", "", "", "", "", ""], grid=7))
    assert form.period == (2023, 2)


def test_custom_properties(tmp_path: Path) -> None:
    form = read_body(
        tmp_path, project_table(), custom={"msss_unit": "民治街道", "msss_period": "2023Q3"}
    )
    assert form.properties == {"msss_unit": "民治街道", "msss_period": "2023Q3"}


def test_docm_is_read_as_data(tmp_path: Path) -> None:
    form = read_body(tmp_path, project_table(["1", "甲", "", "", "a", "", ""]), name="r.docm")
    assert form.rows[0].cells[rules.PROGRESS] == "a"


# ---------------------------------------------------------------- unreadable files


def _error(path: Path) -> str:
    with pytest.raises(ReturnError) as info:
        read_return(path)
    return info.value.message


def test_error_empty(tmp_path: Path) -> None:
    (tmp_path / "e.docx").write_bytes(b"")
    assert "文件为空（0 字节）" in _error(tmp_path / "e.docx")


def test_error_not_zip(tmp_path: Path) -> None:
    (tmp_path / "t.docx").write_text("只是文本", encoding="utf-8")
    assert "不是 Word 文件" in _error(tmp_path / "t.docx")
    (tmp_path / "r.docx").write_bytes(b"{\\rtf1\\ansi hello}")
    assert "RTF" in _error(tmp_path / "r.docx")


def test_error_truncated_zip(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "g.docx", project_table())
    (tmp_path / "cut.docx").write_bytes(good.read_bytes()[:200])
    assert "损坏" in _error(tmp_path / "cut.docx")


def test_error_pdf(tmp_path: Path) -> None:
    (tmp_path / "p.docx").write_bytes(b"%PDF-1.7\n...")
    assert _error(tmp_path / "p.docx").startswith("这是 PDF 文件，不是 Word 文件")


def test_error_excel_renamed(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "x.docx", "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    assert _error(tmp_path / "x.docx").startswith("这是 Excel 文件")


def test_error_zip_without_document(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "z.docx", "w") as zf:
        zf.writestr("a/b.docx", "x")
    assert "压缩包" in _error(tmp_path / "z.docx")


def test_error_ole_with_and_without_encryption_info(tmp_path: Path) -> None:
    filler = b"\0" * 70_000  # the stream name sits past the first 64 KB
    (tmp_path / "enc.docx").write_bytes(OLE_MAGIC + filler + "EncryptionInfo".encode("utf-16-le"))
    assert _error(tmp_path / "enc.docx").startswith("文件设置了打开密码")
    (tmp_path / "old.doc").write_bytes(
        OLE_MAGIC + b"\0" * 1000 + "WordDocument".encode("utf-16-le")
    )
    assert _error(tmp_path / "old.doc").startswith("这是旧版 .doc/.wps 格式")


def test_error_folder_and_missing(tmp_path: Path) -> None:
    (tmp_path / "d.docx").mkdir()
    assert "这是一个文件夹，不是文件" in _error(tmp_path / "d.docx")
    assert "不存在" in _error(tmp_path / "none.docx")


# ---------------------------------------------------------------- a Word-like file


def test_document_made_by_python_docx(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("2023年第三季度民生实事进展情况表")
    document.add_paragraph("填报单位：民治街道        填报时间：2023年10月8日")
    grid = document.add_table(rows=3, cols=len(HEADERS))
    for i, h in enumerate(HEADERS):
        grid.cell(0, i).text = h
    grid.cell(1, 0).text = "示例"
    values = ["１０－３", "学位建设", "新增学位1000个", "完成主体", "", "无", "正常推进"]
    for i, v in enumerate(values):
        grid.cell(2, i).text = v
    progress = grid.cell(2, 4)
    progress.paragraphs[0].text = "完成主体结构"
    progress.paragraphs[0].style = document.styles["List Number"]
    progress.add_paragraph("完成投资5000万元", style="List Number")
    path = tmp_path / "word.docx"
    document.save(str(path))

    form = read_return(path)
    assert (form.unit_line, form.period, form.headers) == ("民治街道", (2023, 3), HEADERS)
    assert [r.id for r in form.rows] == ["10-3"]
    assert form.rows[0].cells[rules.PROGRESS] == "1. 完成主体结构\n2. 完成投资5000万元"
    assert form.rows[0].cells[rules.EVALUATION] == "正常推进"


# ---------------------------------------------------------------- struck, hidden by style, objects


def cell_of(tmp_path: Path, *content: str, **kw: object):  # type: ignore[no-untyped-def]
    """The progress cell (text, struck pieces, unread things) of a one-row return."""
    data = row("1", "项目", "", "", cell(*content), "", "正常推进")
    path = make_docx(tmp_path / "c.docx", project_table(data), **kw)  # type: ignore[arg-type]
    form = read_return(path)
    r = form.rows[0]
    return r.cells[rules.PROGRESS], r.struck, r.unread


def test_struck_runs_are_left_out_as_pieces(tmp_path: Path) -> None:
    p = para(
        run("50", "<w:strike/>"),
        run("00", "<w:dstrike/>"),
        run("3000万元"),
        run("旧", "<w:strike/>"),
        run("不算", '<w:strike w:val="0"/>'),
        run("藏", "<w:strike/><w:vanish/>"),
    )
    text, struck, _ = cell_of(tmp_path, p)
    assert text == "3000万元不算"
    assert struck == [(rules.PROGRESS, "5000"), (rules.PROGRESS, "旧")]


def test_fully_struck_numbered_paragraph_loses_its_number(tmp_path: Path) -> None:
    numbering = _numbering(_lvl(0, "decimal", "%1."))
    crossed = para(
        run("删去的一条", "<w:strike/>"),
        ppr='<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>',
    )
    text, struck, _ = cell_of(tmp_path, _numbered("保留"), crossed, numbering=numbering)
    assert text == "1. 保留"
    assert struck == [(rules.PROGRESS, "删去的一条")]


def test_document_defaults_hide_unless_a_nearer_level_shows(tmp_path: Path) -> None:
    styles = (
        "<w:docDefaults><w:rPrDefault><w:rPr><w:vanish/></w:rPr></w:rPrDefault></w:docDefaults>"
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal">'
        '<w:rPr><w:vanish w:val="0"/></w:rPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="Plain"/>'
    )
    p = para(run("默认隐藏"), run("显示", '<w:vanish w:val="0"/>'), ppr='<w:pStyle w:val="Plain"/>')
    assert cell_of(tmp_path, p, "正常段落", styles=styles)[0] == "显示\n正常段落"


def test_paragraph_style_strikes_and_character_style_overrides(tmp_path: Path) -> None:
    styles = (
        '<w:style w:type="paragraph" w:styleId="Old"><w:rPr><w:strike/></w:rPr></w:style>'
        '<w:style w:type="character" w:styleId="Keep"><w:rPr><w:strike w:val="0"/></w:rPr></w:style>'
    )
    p = para(run("划掉"), run("保留", '<w:rStyle w:val="Keep"/>'), ppr='<w:pStyle w:val="Old"/>')
    text, struck, _ = cell_of(tmp_path, p, styles=styles)
    assert (text, struck) == ("保留", [(rules.PROGRESS, "划掉")])


def test_placeholder_cell_level_content_control(tmp_path: Path) -> None:
    placeholder = (
        "<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>"
        + cell("单击此处输入文字。")
        + "</w:sdtContent></w:sdt>"
    )
    data = row("1", "项目", "", "", placeholder, "计划", "正常推进")
    form = read_body(tmp_path, project_table(data))
    assert form.rows[0].cells[rules.PROGRESS] == ""
    assert form.rows[0].cells[rules.PLAN] == "计划"  # the columns after it stay in place


def test_vml_text_box_footnote_math_and_unknown_symbol(tmp_path: Path) -> None:
    box = (
        "<w:r><w:pict><v:shape xmlns:v='urn:schemas-microsoft-com:vml'><v:textbox><w:txbxContent>"
        + para("框内")
        + "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
    )
    note = '<w:r><w:footnoteReference w:id="1"/></w:r>'
    math = (
        "<m:oMath xmlns:m='http://schemas.openxmlformats.org/officeDocument/2006/math'>"
        "<m:r><m:t>x</m:t></m:r></m:oMath>"
    )
    sym = '<w:r><w:sym w:font="Marlett" w:char="F061"/><w:sym w:char="2714"/></w:r>'
    text, _, unread = cell_of(tmp_path, para(run("前"), box, note, math, sym, run("后")))
    assert text == "前✔后\n框内"
    assert [u for _, u in unread] == ["脚注", "公式", "符号（Marlett）"]


def test_cells_right_of_the_header_are_kept_as_an_extra_column(tmp_path: Path) -> None:
    body = table(["序号", "进展情况"], ["1", "进展", "表外的字"], grid=3)
    r = read_body(tmp_path, body).rows[0]
    assert r.cells[rules.PROGRESS] == "进展"
    assert r.extra == {"表头以外的单元格": "表外的字"}


def test_header_repeated_only_when_every_cell_says_its_header(tmp_path: Path) -> None:
    body = project_table(
        ["1", "甲", "", "", "a", "", ""],
        list(HEADERS),
        ["序号", "乙", "", "", "进展情况里写的字", "", ""],
    )
    assert [r.id for r in read_body(tmp_path, body).rows] == ["1", "序号"]
