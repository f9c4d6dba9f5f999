"""The fast paths give what the straightforward ones give: --jobs, zip output, text."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from docx_factory import make_docx, para, run, table
from openpyxl import load_workbook
from support.cli import invoke
from support.fill import fill_form
from support.registers import write_register
from support.template_edits import rewrite
from toolkit.templates import default_path

from toolkit.core import parallel
from toolkit.forms import rendering
from toolkit.office.ooxml import W_NS
from toolkit.office.wordml import TC, P
from toolkit.returns.reader import _open
from toolkit.summary import outputs
from toolkit.templating import samples

UNITS = 45  # above parallel.MIN_PARALLEL, so --jobs 2 really uses processes
ROWS_PER_UNIT = 12  # over outputs.MIN_PARALLEL_PROJECTS in all, so the 一览表 is parallel too


def test_the_sizes_below_use_processes():
    assert UNITS >= parallel.MIN_PARALLEL
    assert UNITS * ROWS_PER_UNIT >= outputs.MIN_PARALLEL_PROJECTS


@pytest.fixture(scope="module")
def big_register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert UNITS >= parallel.MIN_PARALLEL
    streets = [f"第{i}街道" for i in range(1, 6)]
    departments = [f"区第{i}局" for i in range(1, UNITS - 4)]
    rows = [
        ["", f"{n}-{k}", f"项目{n}-{k}", "完工。", "", "", f"完成{n}0%。", "", unit, "/"]
        for n, unit in enumerate(streets + departments, start=1)
        for k in range(1, ROWS_PER_UNIT + 1)
    ]
    rows.append(["", "99-1", "全区街道项目", "完工。", "", "", "推进。", "", "各街道", "/"])
    units = [(s, "街道") for s in streets] + [(d, "区直部门") for d in departments]
    return write_register(tmp_path_factory.mktemp("reg") / "register.xlsx", rows, units=units)


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        return {i.filename: zf.read(i) for i in zf.infolist()}


def test_generate_with_processes_writes_the_serial_forms(tmp_path: Path, big_register: Path):
    one = invoke(
        "generate", str(big_register), "-q", "3", "-o", str(tmp_path / "1"), "--jobs", "1", "--json"
    )
    two = invoke(
        "generate", str(big_register), "-q", "3", "-o", str(tmp_path / "2"), "-j", "2", "--json"
    )
    assert one.exit_code == 0 and two.exit_code == 0, one.output + two.output
    forms_1, forms_2 = json.loads(one.stdout)["forms"], json.loads(two.stdout)["forms"]
    assert len(forms_1) == UNITS
    strip = lambda forms: [{**f, "file": Path(f["file"]).name} for f in forms]  # noqa: E731
    assert strip(forms_1) == strip(forms_2)  # same units, order, ids, rows
    for f in forms_1:
        name = Path(f["file"]).name
        assert _entries(tmp_path / "1" / name) == _entries(tmp_path / "2" / name)
    lists = [load_workbook(tmp_path / d / "分发清单.xlsx").active for d in ("1", "2")]
    assert [list(r) for r in lists[0].values] == [list(r) for r in lists[1].values]


def test_check_and_merge_with_processes_match_serial(tmp_path: Path, big_register: Path):
    forms = tmp_path / "forms"
    made = invoke("generate", str(big_register), "-q", "3", "-o", str(forms), "--json")
    assert made.exit_code == 0, made.output
    returns = tmp_path / "returns"
    returns.mkdir()
    for n, form in enumerate(json.loads(made.stdout)["forms"]):
        # Some rows with mistakes, so there are findings whose order could differ.
        progress = "1、第一项。\n2、第二项。" if n % 3 else "1.完成。"
        rows = {
            pid: {"进展情况": progress, "进度评价": "" if n % 4 else "正常推进"}
            for pid in form["rows"]
        }
        fill_form(Path(form["file"]), returns / Path(form["file"]).name, rows)
    outputs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        merged = invoke(
            "merge",
            str(returns),
            "-r",
            str(big_register),
            "-q",
            "3",
            "--out",
            str(out / "一览表.docx"),
            "--json",
            "-j",
            jobs,
        )
        checked = invoke(
            "check", str(returns), "-r", str(big_register), "-q", "3", "--json", "-j", jobs
        )
        assert merged.exit_code == 0, merged.output
        assert checked.exit_code == 1  # the mistakes are errors
        data = json.loads(merged.stdout)
        outputs[jobs] = (data["units"], data["findings"], json.loads(checked.stdout), out)
    (units_1, findings_1, check_1, out_1), (units_2, findings_2, check_2, out_2) = outputs.values()
    assert len(units_1) == UNITS and all(u["status"] == "returned" for u in units_1)
    assert any(f["code"] == "numbering" for f in findings_1)
    assert (units_1, findings_1, check_1) == (units_2, findings_2, check_2)
    assert (
        _entries(out_1 / "一览表.docx")["word/document.xml"]
        == _entries(out_2 / "一览表.docx")["word/document.xml"]
    )
    sheets = [load_workbook(d / "一览表.xlsx").active for d in (out_1, out_2)]
    assert [list(r) for r in sheets[0].values] == [list(r) for r in sheets[1].values]


@pytest.mark.parametrize("value", ["0", "-1", "两"])
def test_jobs_must_be_a_positive_number(tmp_path: Path, big_register: Path, value: str):
    result = invoke("generate", str(big_register), "-q", "3", "-o", str(tmp_path), "--jobs", value)
    assert result.exit_code == 2
    assert "进程数应为正整数" in result.output
    assert not list(tmp_path.glob("*.docx"))


def test_default_jobs_is_the_usable_cores():
    assert parallel.default_jobs() >= 1
    assert parallel.chunks(list(range(10)), 2) == [[0, 1], [2, 3], [4], [5], [6], [7], [8], [9]]
    assert [i for chunk in parallel.chunks(list(range(401)), 2) for i in chunk] == list(range(401))


def test_rendered_zip_is_what_zipfile_writes(tmp_path: Path):
    """Entries compressed once per template give the bytes zipfile gives, entry for entry."""
    prepared = rendering.PreparedTemplate(default_path("summary"))

    context = samples.sample_context("summary")
    data = prepared.render_bytes(context)
    again = prepared.render_bytes(context)  # reuses the compressed entries
    assert data == again
    parts = prepared.render_parts(context)
    reference = tmp_path / "reference.docx"
    with zipfile.ZipFile(reference, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, original in prepared.entries:
            zf.writestr(
                info, parts.get(info.filename, original), compress_type=zipfile.ZIP_DEFLATED
            )
    assert data == reference.read_bytes()


def test_plain_paragraph_text_matches_the_run_by_run_reading(tmp_path: Path):
    w = f'xmlns:w="{W_NS}"'
    assert w  # the snippets below rely on make_docx declaring the w: prefix
    tab_stops = '<w:tabs><w:tab w:val="left" w:pos="4000"/></w:tabs>'
    body = "".join(
        [
            para("填报单位：", "<w:r><w:tab/></w:r>", "民治街道", ppr=tab_stops),
            para(
                "第一行",
                "<w:r><w:br/><w:t>第二行</w:t></w:r>",
                "<w:r><w:cr/><w:noBreakHyphen/></w:r>",
            ),
            para(
                '<w:hyperlink w:history="1">' + run("链接") + "</w:hyperlink>",
                '<w:proofErr w:type="spellStart"/>',
                "后文",
            ),
            para(
                '<w:ins w:id="1" w:author="a">' + run("新增") + "</w:ins>",
                "<w:smartTag>" + run("智能") + "</w:smartTag>",
            ),
            para(
                '<w:del w:id="2" w:author="a"><w:r><w:delText>删掉</w:delText></w:r></w:del>',
                "保留",
            ),
            para(run("隐藏", "<w:vanish/>"), "可见"),
            para(
                '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
                "3",
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
            ),
            para("<w:sdt><w:sdtContent>" + run("控件内") + "</w:sdtContent></w:sdt>"),
            para(
                "前",
                "<w:r><w:pict><v:shape xmlns:v='urn:schemas-microsoft-com:vml'><v:textbox>"
                "<w:txbxContent>"
                + para("框内")
                + "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>",
                "后",
            ),
            table(["序号", "进展情况"], ["1", "1.完成\t主体"]),
        ]
    )
    path = make_docx(tmp_path / "mixed.docx", body)
    doc, _ = _open(path)
    fast = [doc.paragraph_text(p) for p in doc.body.iter(P)] + [
        doc.cell_text(tc) for tc in doc.body.iter(TC)
    ]
    doc._special = set(doc.body.iter(P))  # every paragraph the long way
    slow = [doc.paragraph_text(p) for p in doc.body.iter(P)] + [
        doc.cell_text(tc) for tc in doc.body.iter(TC)
    ]
    assert fast == slow
    assert fast[:6] == [
        "填报单位：\t民治街道",
        "第一行\n第二行\n-",
        "链接后文",
        "新增智能",
        "保留",
        "可见",
    ]
    assert fast[6:8] == ["3", "控件内"]
    assert fast[8] == "前后\n框内"  # a text box's lines follow its anchor paragraph


def test_a_broken_summary_template_leaves_no_new_file_with_processes(
    tmp_path: Path, big_register: Path
):
    forms = tmp_path / "forms"
    made = invoke("generate", str(big_register), "-q", "3", "-o", str(forms), "--json")
    assert made.exit_code == 0
    first = json.loads(made.stdout)["forms"][0]
    returned = tmp_path / "returns" / "第1街道.docx"
    returned.parent.mkdir()
    fill_form(Path(first["file"]), returned, {pid: {"进展情况": "完成。"} for pid in first["rows"]})
    template = tmp_path / "broken.docx"
    rewrite(
        default_path("summary"),
        template,
        lambda xml: xml.replace(b"{{ stats_text }}", b"{{ no_such_field }}"),
    )
    out = tmp_path / "out"
    result = invoke(
        "merge",
        str(forms),  # blank forms beside the one return: skipped
        str(returned),
        "-r",
        str(big_register),
        "-q",
        "3",
        "-t",
        str(template),
        "--out",
        str(out / "一览表.docx"),
        "-j",
        "2",
    )
    assert result.exit_code == 1
    assert "no_such_field" in result.output
    assert not out.exists() or not list(out.iterdir())
