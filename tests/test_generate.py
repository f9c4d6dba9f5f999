"""`toolkit generate`: one form per unit, read back from the files written."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import Result
from lxml import etree
from openpyxl import load_workbook
from support import seed
from support.cli import invoke
from support.lo import pdf_page_sizes, pdf_text, require_libreoffice
from support.registers import seed_rows, write_register

from toolkit.core import rules
from toolkit.forms import identity
from toolkit.office.fileset import RECORD
from toolkit.office.libreoffice import convert
from toolkit.office.ooxml import Package, read_custom_properties
from toolkit.register.model import rows_fingerprint
from toolkit.register.reader import read_register
from toolkit.returns.reader import read_return

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}
EIGHT_UNITS = seed.UNITS


def generate(register: Path, out: Path, *args: str) -> Result:
    return invoke("generate", register, "-q", "3", "-o", out, *args)


def form_of(out: Path, unit: str) -> Path:
    return out / f"龙华区2023年第三季度民生实事项目进展情况表（{unit}）.docx"


def document(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read("word/document.xml"))


def data_rows(path: Path) -> list[list[str]]:
    """Cell texts of the project table's rows below header and 示例 (paragraphs joined by \\n)."""
    tbl = document(path).find(".//w:tbl", NS)
    rows = []
    for tr in tbl.findall("w:tr", NS)[2:]:
        cells = []
        for tc in tr.findall("w:tc", NS):
            paras = []
            for p in tc.findall("w:p", NS):
                parts = []
                for el in p.iter(f"{W}t", f"{W}br"):
                    parts.append("\n" if el.tag == f"{W}br" else el.text or "")
                paras.append("".join(parts))
            cells.append("\n".join(paras))
        rows.append(cells)
    return rows


@pytest.fixture
def seed_forms(tmp_path: Path, seed_register: Path) -> Path:
    out = tmp_path / "forms"
    result = generate(seed_register, out)
    assert result.exit_code == 0, result.stderr
    return out


def test_eight_forms_named_by_unit(seed_forms):
    names = sorted(p.name for p in seed_forms.iterdir())
    # and the hidden record of what was written (toolkit.office.fileset), nothing else
    expected = [form_of(seed_forms, u).name for u in EIGHT_UNITS] + ["分发清单.xlsx"]
    assert names == sorted([*expected, RECORD])


def test_each_unit_gets_exactly_its_rows_with_the_register_text(seed_forms, seed_register):
    reg = read_register(seed_register)
    for unit in EIGHT_UNITS:
        expected = reg.projects_of(unit)
        rows = data_rows(form_of(seed_forms, unit))
        assert [r[0] for r in rows] == [p.id for p in expected], unit
        for cells, p in zip(rows, expected, strict=True):
            assert cells[:4] == [p.id, p.name, p.annual_target, p.quarter_target(3)]
            # No history yet: the reference column says why it shows no texts.
            assert cells[4] == "没有报送历史记录，无法列出二季度内容"
            assert cells[5:8] == ["", "", ""]  # progress, plan, evaluation left blank
            assert cells[8:] == [p.lead, p.co]


def test_the_reader_finds_what_generate_wrote(seed_forms):
    form = read_return(form_of(seed_forms, "民治街道"))
    assert form.unit_line == "民治街道"
    assert form.period == (2023, 3)
    assert [r.id for r in form.rows] == seed.IDS
    assert form.rows[2].cells[rules.LEAD] == "民治街道（工务）"
    assert rules.header_key(form.headers[4]) == rules.REFERENCE
    assert rules.header_key(form.headers[5]) == rules.PROGRESS


def test_forms_carry_their_identity_as_custom_properties(seed_forms, seed_register):
    reg = read_register(seed_register)
    with Package(form_of(seed_forms, "观湖街道")) as pkg:
        props = read_custom_properties(pkg)
    assert props[identity.PROP_UNIT] == "观湖街道"
    assert (props[identity.PROP_YEAR], props[identity.PROP_QUARTER]) == ("2023", "3")
    assert props[identity.PROP_ROWS] == "40"
    assert props[identity.PROP_FINGERPRINT] == rows_fingerprint(reg.projects_of("观湖街道"), 3)
    assert props[identity.PROP_FORM_ID].startswith("2023Q3-")


def test_form_layout_title_unit_and_header(seed_forms):
    root = document(form_of(seed_forms, "民政局"))
    texts = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p")]
    assert "龙华区2023年第三季度民生实事项目进展情况表" in texts
    assert "填报单位：民政局" in texts
    assert any("已完成 / 正常推进 / 进度滞后 / 严重滞后" in t for t in texts)
    assert any(t.startswith("填报人：") and "联系电话：" in t for t in texts)
    tbl = root.find(".//w:tbl", NS)
    header = tbl.find("w:tr", NS)
    assert header.find("w:trPr/w:tblHeader", NS) is not None
    cells = header.findall("w:tc", NS)
    assert ["".join(t.text for t in tc.iter(f"{W}t")) for tc in cells] == seed.SHIPPED_FORM_HEADERS
    widths = [int(c.get(f"{W}w")) for c in tbl.findall("w:tblGrid/w:gridCol", NS)]
    assert len(widths) == 10 and min(widths) > 500
    sect = root.find(".//w:sectPr/w:pgSz", NS)
    assert sect.get(f"{W}orient") == "landscape" and int(sect.get(f"{W}w")) > int(sect.get(f"{W}h"))


def test_distribution_list(seed_forms):
    ws = load_workbook(seed_forms / "分发清单.xlsx").active
    assert ws.cell(1, 1).value == "龙华区2023年第三季度民生实事项目进展情况表分发清单"
    assert ws.print_title_rows == "$2:$2" and ws.page_setup.orientation == "landscape"
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == EIGHT_UNITS
    minzhi = rows[1]
    assert minzhi[1] == "街道" and minzhi[5] == form_of(seed_forms, "民治街道").name
    assert minzhi[6] == 9 and minzhi[7].startswith("10-3、13-3")


def test_text_is_literal_escaped_and_line_broken(tmp_path):
    rows = seed_rows()[:1]
    rows[0][2] = "A&B <x> {{ unit }} {% if 1 %}“引号”'单'"
    rows[0][3] = "第一行\n第二行"
    register = write_register(tmp_path / "r.xlsx", rows)
    out = tmp_path / "out"
    result = generate(register, out)
    assert result.exit_code == 0, result.stderr
    cells = data_rows(form_of(out, "民治街道"))[0]
    assert cells[1] == "A&B <x> {{ unit }} {% if 1 %}“引号”'单'"
    assert cells[2] == "第一行\n第二行"  # \n became a line break (w:br)


def test_existing_files_are_not_overwritten_without_force(seed_forms, seed_register):
    target = form_of(seed_forms, "民治街道")
    before = target.read_bytes()
    target.write_bytes(b"edited by hand")
    result = generate(seed_register, seed_forms)
    assert result.exit_code == 1 and "--force" in result.stderr
    assert target.read_bytes() == b"edited by hand"
    assert generate(seed_register, seed_forms, "--force").exit_code == 0
    assert target.read_bytes() != b"edited by hand" and len(target.read_bytes()) == len(before)


def test_unit_filter_and_did_you_mean(tmp_path, seed_register):
    out = tmp_path / "out"
    assert generate(seed_register, out, "--unit", "民政局", "-u", "观澜街道").exit_code == 0
    assert sorted(p.name for p in out.glob("*.docx")) == sorted(
        [form_of(out, "民政局").name, form_of(out, "观澜街道").name]
    )
    result = generate(seed_register, tmp_path / "o2", "--unit", "民治街")
    assert result.exit_code == 2 and "民治街道" in result.stderr


def test_json_output(tmp_path, seed_register):
    result = generate(seed_register, tmp_path / "out", "--json")
    data = json.loads(result.stdout)
    assert data["period"] == "2023Q3"
    assert [f["unit"] for f in data["forms"]] == EIGHT_UNITS
    assert data["forms"][1]["rows"][-1] == "40"


def test_missing_quarter_target_column(tmp_path):
    header = ["序号", "项目名称", "年度目标", "主办单位"]
    register = write_register(tmp_path / "r.xlsx", [["1", "项目", "目标", "民政局"]], header=header)
    result = generate(register, tmp_path / "out")
    assert result.exit_code == 1 and "第三季度目标" in result.stderr


def test_console_script_works_from_any_directory(tmp_path, seed_register):
    exe = Path(sys.executable).with_name("toolkit")
    done = subprocess.run(
        [str(exe), "generate", str(seed_register), "-q", "3", "-u", "民政局"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "输出" / "2023Q3" / "填报表" / "分发清单.xlsx").is_file()
    module = subprocess.run(
        [sys.executable, "-m", "toolkit", "--version"], capture_output=True, text=True, check=False
    )
    assert module.returncode == 0 and module.stdout.startswith("toolkit ")


@pytest.mark.libreoffice
def test_every_form_opens_in_libreoffice(seed_forms, tmp_path):
    require_libreoffice()
    pdfs = convert(sorted(seed_forms.glob("*.docx")), "pdf", tmp_path / "pdf")
    assert len(pdfs) == 8
    minzhi = pdfs[form_of(seed_forms, "民治街道")]
    sizes = pdf_page_sizes(minzhi)
    assert len(sizes) >= 2 and all(w > h for w, h in sizes)
    pages = pdf_text(minzhi).split("\f")
    for page in (p for p in pages if p.strip()):
        assert "进展情况" in page and "序号" in page  # the header repeats on every page
    text = "".join(pdf_text(minzhi).split())
    assert "填报单位：民治街道" in text
    for pid in ("10-3", "13-3", "18-8", "31-11", "32-5"):
        assert pid in text
