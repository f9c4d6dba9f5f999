"""The 一览表's public edition and `toolkit inspect`.

The office's own 一览表 template, as WPS leaves one it saved: the editor's
name and company, `KSO…` custom properties, a comment, tracked changes,
hidden text, revision ids, a document variable; and two contact columns
(联系人, 联系电话) filled from the register. `merge --public` must leave all
of that out of the 公开版 (.docx and PDF) and keep what the office
publishes; `toolkit inspect` must show it on the template and nothing on
the 公开版.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from support.browser import fill_form
from support.cli import invoke
from support.desk import desk_client, workspace
from support.lo import require_libreoffice
from support.pdf_layout import pdf_raw_text
from support.registers import HEADER, seed_rows, write_register
from support.seed import MINZHI_Q3
from support.template_edits import SUMMARY, add_column, edited, rewrite

from toolkit.core.period import Period
from toolkit.desk.workspace import Workspace
from toolkit.office.metadata import inspect_package, scrub_docx

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
Q3 = Period(2023, 3)
PLAN = "1.征地拆迁尚未完成，内部协调难度大。\n2.下一步请区领导协调。"
CONTACTS = {"10-3": ("张建国", "13800001111"), "13-3": ("李红", "0755-28000000")}
KSO_RECORD = "eyJhY2NvdW50SWQiOiIxMjM0NTY3ODkiLCJ1c2VyIjoid3BzLXVzZXIifQ=="
CUSTOM = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
 xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">
<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="KSOProductBuildVer"><vt:lpwstr>2052-12.1.0.16120</vt:lpwstr></property>
<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="3" name="KSOTemplateDocerSaveRecord"><vt:lpwstr>{KSO_RECORD}</vt:lpwstr></property>
</Properties>""".encode()
COMMENTS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:comments xmlns:w="{W_NS}"><w:comment w:id="0" w:author="王五" w:date="2023-10-01T09:00:00Z" w:initials="W">
<w:p><w:r><w:t>这一段对外要删掉</w:t></w:r></w:p></w:comment></w:comments>""".encode()
PEOPLE = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml"><w15:person w15:author="\xe7\x8e\x8b\xe4\xba\x94"/></w15:people>"""
# A paragraph as a colleague left it: commented, with a change made and one deleted, and hidden.
MARKED = (
    f'<w:p xmlns:w="{W_NS}" w:rsidR="00A1B2C3" w:rsidRDefault="00A1B2C3">'
    '<w:commentRangeStart w:id="0"/><w:r w:rsidR="00D4E5F6"><w:t>内部草稿</w:t></w:r>'
    '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>'
    '<w:ins w:id="1" w:author="李四" w:date="2023-10-02T09:00:00Z"><w:r><w:t>（已核对）</w:t></w:r></w:ins>'
    '<w:del w:id="2" w:author="李四" w:date="2023-10-02T09:00:00Z"><w:r><w:delText>删除的旧提法</w:delText></w:r></w:del>'
    "<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏的内部说明</w:t></w:r></w:p>"
)
SECRETS = (
    "张三",
    "李四",
    "王五",
    "某某科技",
    KSO_RECORD,
    "删除的旧提法",
    "隐藏的内部说明",
    "这一段对外要删掉",
)


def wps_template(tmp_path: Path) -> Path:
    """The shipped 一览表 template with 联系人 and 联系电话 columns, as WPS would save it."""
    columns = tmp_path / "columns.docx"
    shutil.copy(SUMMARY, columns)
    for header in ("联系人", "联系电话"):
        edited(
            columns,
            columns.with_suffix(".tmp"),
            add_column("协办单位", header, f"{{{{ row.extra['{header}'] }}}}", 600),
        )
        columns.with_suffix(".tmp").replace(columns)

    def body(data: bytes) -> bytes:
        root = etree.fromstring(data)
        root.find(f"{W}body").insert(0, etree.fromstring(MARKED))
        for p in root.iter(f"{W}p"):
            p.set(f"{W}rsidR", "00112233")
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    staged = rewrite(columns, tmp_path / "staged.docx", body)
    out = tmp_path / "一览表模板（WPS）.docx"
    with zipfile.ZipFile(staged) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            text = data.decode("utf-8")
            if info.filename == "docProps/core.xml":
                text = text.replace("minsheng-toolkit</dc:creator>", "张三</dc:creator>")
                text = text.replace(
                    "minsheng-toolkit</cp:lastModifiedBy>", "李四</cp:lastModifiedBy>"
                )
            elif info.filename == "docProps/app.xml":
                text = text.replace("<Template>", "<Company>某某科技</Company><Template>")
            elif info.filename == "word/settings.xml":
                text = text.replace(
                    "<w:zoom",
                    '<w:trackRevisions/><w:docVars><w:docVar w:name="KSOPersonal" w:val="张三"/></w:docVars>'
                    '<w:rsids><w:rsidRoot w:val="00112233"/><w:rsid w:val="00A1B2C3"/></w:rsids><w:zoom',
                )
            elif info.filename == "[Content_Types].xml":
                text = text.replace(
                    "</Types>",
                    '<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
                    '<Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/>'
                    '<Override PartName="/word/people.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.people+xml"/></Types>',
                )
            elif info.filename == "_rels/.rels":
                text = text.replace(
                    "</Relationships>",
                    '<Relationship Id="rIdK" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>',
                )
            elif info.filename == "word/_rels/document.xml.rels":
                text = text.replace(
                    "</Relationships>",
                    '<Relationship Id="rIdC" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="comments.xml"/>'
                    '<Relationship Id="rIdP" Type="http://schemas.microsoft.com/office/2011/relationships/people" Target="people.xml"/></Relationships>',
                )
            zout.writestr(info, text.encode("utf-8"))
        zout.writestr("docProps/custom.xml", CUSTOM)
        zout.writestr("word/comments.xml", COMMENTS)
        zout.writestr("word/people.xml", PEOPLE)
    return out


@pytest.fixture
def quarter(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(register with contact columns, returns folder, the WPS-saved template)."""
    rows = [[*row, *CONTACTS.get(row[1], ("", ""))] for row in seed_rows()]
    register = write_register(
        tmp_path / "登记表.xlsx", rows, header=[*HEADER, "联系人", "联系电话"]
    )
    done = invoke("generate", register, "-q", "3", "-o", tmp_path / "forms", "-u", "民治街道")
    assert done.exit_code == 0, done.stderr
    form = next((tmp_path / "forms").glob("*（民治街道）.docx"))
    values = {
        pid: (progress, "", evaluation) for pid, (progress, _, evaluation) in MINZHI_Q3.items()
    }
    values["19-2"] = ("完成施工进度40%。", PLAN, "进度滞后")
    fill_form(form, tmp_path / "returns" / "民治街道.docx", values)
    return register, tmp_path / "returns", wps_template(tmp_path)


def merge_public(register: Path, returns: Path, template: Path, out: Path) -> dict:
    args = [returns, "-r", register, "-q", "3", "-t", template, "--out", out / "一览表.docx"]
    done = invoke("merge", *args, "--public", "--json")
    assert done.exit_code == 0, done.stderr
    return json.loads(done.stdout)["outputs"]["public"]


@pytest.mark.libreoffice
def test_the_public_edition_carries_nothing_it_should_not(quarter, tmp_path):
    require_libreoffice()
    register, returns, template = quarter
    assert invoke("template", "check", template).exit_code == 0
    public = merge_public(register, returns, template, tmp_path / "out")
    docx, pdf = Path(public["docx"]), Path(public["pdf"])
    assert docx.name == "一览表（公开版）.docx" and pdf.name == "一览表（公开版）.pdf"
    assert public["withheld_columns"] == ["存在问题及下一步工作计划", "联系人", "联系电话"]

    with zipfile.ZipFile(docx) as zf:
        names = set(zf.namelist())
        parts = {n: zf.read(n).decode("utf-8") for n in names if n.endswith((".xml", ".rels"))}
    assert not names & {"docProps/custom.xml", "word/comments.xml", "word/people.xml"}
    everything = "".join(parts.values())
    for secret in SECRETS:
        assert secret not in everything, secret
    for mark in (
        "KSO",
        "Minsheng",
        "<w:ins ",
        "<w:del ",
        "<w:vanish",
        "commentReference",
        "w:rsid",
        "docVar",
        "trackRevisions",
        "<Company>",
    ):
        assert mark not in everything, mark
    assert "<w:removePersonalInformation/>" in parts["word/settings.xml"]
    assert "（已核对）" in parts["word/document.xml"]  # an accepted change stays, as it reads
    assert "custom.xml" not in parts["[Content_Types].xml"] + parts["_rels/.rels"]
    assert "comments.xml" not in parts["word/_rels/document.xml.rels"]

    # What a reader of the PDF sees: no plan, no contacts; the progress and the projects are there.
    text = re.sub(r"\s+", "", pdf_raw_text(pdf))
    assert "存在问题" not in text and re.sub(r"\s+", "", PLAN)[:12] not in text
    assert "征地拆迁" not in text
    for name, phone in CONTACTS.values():
        assert name not in text and phone not in text
    assert "联系人" not in text and "联系电话" not in text
    assert "星河传奇暖蜂驿站" in text and "完成施工进度40%" in text
    # The internal 一览表 beside it keeps everything.
    internal = zipfile.ZipFile(tmp_path / "out" / "一览表.docx").read("word/document.xml").decode()
    assert "征地拆迁" in internal and "13800001111" in internal

    # `toolkit inspect`: the template carries all of it, the 公开版 none.
    shown = invoke("inspect", template)
    assert shown.exit_code == 1
    for said in (
        "KSOTemplateDocerSaveRecord",
        "作者：张三",
        "单位：某某科技",
        "作者：王五",
        "隐藏文字",
        "修订标识",
    ):
        assert said in shown.stdout, said
    clean = invoke("inspect", docx, "--json")
    assert clean.exit_code == 0, clean.stdout
    assert all(item["public"] for item in json.loads(clean.stdout)[0]["items"])

    # Merged again over a folder that holds it: the toolkit's own, by the folder's record.
    again = invoke("check", tmp_path / "out", returns, "-r", register, "-q", "3", "--json")
    skipped = {Path(s["file"]).name: s["kind"] for s in json.loads(again.stdout)["skipped"]}
    assert skipped["一览表（公开版）.docx"] == "own_output"
    assert skipped["一览表（公开版）.pdf"] == "own_output"


def test_the_setting_chooses_the_columns_withheld(quarter, tmp_path):
    register, returns, template = quarter
    from openpyxl import load_workbook

    book = load_workbook(register)
    book["设置"].append(["公开版不公开的列", "年度目标、联系电话、责任科室"])
    book.save(register)
    args = [
        returns,
        "-r",
        register,
        "-q",
        "3",
        "-t",
        template,
        "--out",
        tmp_path / "out" / "一览表.docx",
    ]
    done = invoke("merge", *args, "--public", "--json")
    if done.exit_code == 1 and "LibreOffice" in done.stderr:
        pytest.skip("LibreOffice is needed for the public PDF")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["outputs"]["public"]["withheld_columns"] == [
        "年度目标",
        "联系电话",
    ]
    assert "“责任科室”不是一览表中的列，已忽略" in done.stderr
    root = etree.fromstring(
        zipfile.ZipFile(tmp_path / "out" / "一览表（公开版）.docx").read("word/document.xml")
    )
    header = next(root.iter(f"{W}tr"))
    heads = ["".join(t.text or "" for t in tc.iter(f"{W}t")) for tc in header.iter(f"{W}tc")]
    assert "年度目标" not in heads and "联系电话" not in heads
    assert "存在问题及下一步工作计划" in heads and "联系人" in heads  # the setting says which
    grid = [int(g.get(f"{W}w")) for g in root.iter(f"{W}gridCol")]
    widths = [int(tc.find(f"{W}tcPr/{W}tcW").get(f"{W}w")) for tc in header.iter(f"{W}tc")]
    assert len(grid) == len(heads) and abs(sum(grid) - 14570) <= len(grid)  # still the page's width
    assert widths == grid


def test_a_setting_that_would_withhold_the_id_is_refused(quarter, tmp_path):
    register, returns, _ = quarter
    from openpyxl import load_workbook

    book = load_workbook(register)
    book["设置"].append(["公开版不公开的列", "序号"])
    book.save(register)
    args = [returns, "-r", register, "-q", "3", "--out", tmp_path / "out" / "一览表.docx"]
    done = invoke("merge", *args, "--public")
    assert done.exit_code == 1 and "“序号”不能不公开" in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.libreoffice
def test_the_desk_writes_the_public_edition(tmp_path):
    require_libreoffice()
    root = workspace(tmp_path)
    client = desk_client(root)
    client.post("/p/2023Q3/generate")
    ws = Workspace(root)
    form = ws.form_files(Q3)["民治街道"]
    values = {
        pid: (progress, PLAN, evaluation) for pid, (progress, _, evaluation) in MINZHI_Q3.items()
    }
    ws.file_return(Q3, "民治街道.docx", fill_form(form, tmp_path / "f.docx", values).read_bytes())
    page = client.post("/p/2023Q3/summary", data={"public": "1"}).text
    assert "公开版不含这些列：存在问题及下一步工作计划" in page
    name = "龙华区2023年第三季度民生实事项目进展情况一览表（公开版）"
    assert f"{name}.docx" in page and f"{name}.pdf" in page
    assert (ws.summary_dir(Q3) / f"{name}.pdf").is_file()
    text = re.sub(r"\s+", "", pdf_raw_text(ws.summary_dir(Q3) / f"{name}.pdf"))
    assert "征地拆迁" not in text and "星河传奇暖蜂驿站" in text


def test_inspect_refuses_what_it_cannot_read(tmp_path):
    doc = tmp_path / "旧格式.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0")
    refused = invoke("inspect", doc)
    assert refused.exit_code == 2 and ".docx" in refused.stderr
    assert invoke("inspect", tmp_path / "没有.docx").exit_code == 2
    broken = tmp_path / "坏.docx"
    broken.write_bytes(b"PK\x03\x04 half")
    done = invoke("inspect", broken)
    assert (
        done.exit_code == 1 and "坏.docx 无法读取" in done.stderr and "Traceback" not in done.stderr
    )


def test_inspect_lists_a_workbooks_comments_and_hidden_sheets(tmp_path):
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    book = Workbook()
    book.active["A1"] = "项目"
    book.active["A1"].comment = Comment("内部意见", "赵六")
    book.create_sheet("底稿").sheet_state = "hidden"
    book.properties.creator = "赵六"
    book.save(tmp_path / "台账.xlsx")
    done = invoke("inspect", tmp_path / "台账.xlsx")
    assert done.exit_code == 1
    assert "作者：赵六" in done.stdout and "批注 1 条" in done.stdout and "底稿" in done.stdout


# ---------------------------------------------------------------- scrubbing what people made

_W_DOC = f'<w:document xmlns:w="{W_NS}"><w:body>{{}}<w:sectPr/></w:body></w:document>'
_PIECES = {
    "plain": ("<w:r><w:t>{}</w:t></w:r>", True),
    "inserted": ('<w:ins w:id="9" w:author="甲"><w:r><w:t>{}</w:t></w:r></w:ins>', True),
    "deleted": (
        '<w:del w:id="8" w:author="乙"><w:r><w:delText>{}</w:delText></w:r></w:del>',
        False,
    ),
    "hidden": ("<w:r><w:rPr><w:vanish/></w:rPr><w:t>{}</w:t></w:r>", False),
    "shown": ('<w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t>{}</w:t></w:r>', True),
    "commented": (
        '<w:commentRangeStart w:id="1"/><w:r><w:t>{}</w:t></w:r><w:commentRangeEnd w:id="1"/>'
        '<w:r><w:commentReference w:id="1"/></w:r>',
        True,
    ),
}


def _package(document: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(SUMMARY) as zin, zipfile.ZipFile(buffer, "w") as zout:
        for info in zin.infolist():
            data = document.encode() if info.filename == "word/document.xml" else zin.read(info)
            zout.writestr(info, data)
    return buffer.getvalue()


@settings(max_examples=int(os.environ.get("TOOLKIT_HYPOTHESIS_EXAMPLES", "40")), deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(
                st.sampled_from(sorted(_PIECES)),
                st.text("甲乙丙丁一二三ABC12 ", min_size=1, max_size=6),
            ),
            min_size=1,
            max_size=6,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_scrubbing_keeps_what_reads_and_nothing_else(paragraphs):
    """Whatever mix of changes, hidden text and comments a paragraph has, the scrubbed
    document reads as the original reads with its changes accepted, and keeps no trace."""
    body = "".join(
        "<w:p>" + "".join(_PIECES[kind][0].format(text) for kind, text in para) + "</w:p>"
        for para in paragraphs
    )
    scrubbed = scrub_docx(_package(_W_DOC.format(body)))
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(scrubbed)).read("word/document.xml"))
    read = [
        "".join(t.text or "" for t in p.iter(f"{W}t", f"{W}delText")) for p in root.iter(f"{W}p")
    ]
    expected = ["".join(text for kind, text in para if _PIECES[kind][1]) for para in paragraphs]
    assert read == expected
    left = {etree.QName(el).localname for el in root.iter()}
    assert not left & {
        "ins",
        "del",
        "delText",
        "commentReference",
        "commentRangeStart",
        "commentRangeEnd",
    }
    assert not any(v.get(f"{W}val", "true") not in ("0", "false") for v in root.iter(f"{W}vanish"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "公开版.docx"
        path.write_bytes(scrubbed)
        assert [i for i in inspect_package(path) if not i.public] == []
