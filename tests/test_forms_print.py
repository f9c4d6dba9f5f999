"""The form a unit receives: 进度评价 as a drop-down list, one page for one project,
and a quarter whose targets are missing from the register said out loud."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
import support
from lxml import etree
from support import seed
from support.cli import invoke
from support.fill import fill_form
from support.lo import _run_uno_script, pdf_page_sizes, pdf_text, require_libreoffice
from support.registers import seed_rows, write_register

from toolkit.core.rules import EVALUATIONS
from toolkit.office.libreoffice import convert
from toolkit.returns.reader import read_return

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
UNO_DROPDOWN = Path(support.__file__).with_name("uno_dropdown.py")


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    root = tmp_path_factory.mktemp("forms")
    register = write_register(root / "登记表.xlsx")
    done = invoke("generate", register, "-q", "3", "-o", root / "forms")
    assert done.exit_code == 0, done.stderr
    return register, {u: next((root / "forms").glob(f"*（{u}）.docx")) for u in seed.UNITS}


def evaluation_cells(docx: Path) -> list[etree._Element]:
    """The 进度评价 cell of every project row of a form."""
    with zipfile.ZipFile(docx) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    rows = root.findall(".//w:tbl/w:tr", NS)
    header = ["".join(tc.itertext()) for tc in rows[0].findall("w:tc", NS)]
    col = header.index("进度评价")
    ids = set(seed.IDS)
    return [
        tr.findall("w:tc", NS)[col]
        for tr in rows
        if "".join(tr.findall("w:tc", NS)[0].itertext()).strip() in ids
    ]


# ---------------------------------------------------------------- the drop-down list


def test_every_row_offers_the_four_values_and_holds_nothing(forms):
    _, paths = forms
    cells = evaluation_cells(paths["民治街道"])
    assert len(cells) == len(seed.IDS)
    for tc in cells:
        (sdt,) = tc.findall(".//w:sdt", NS)
        items = [i.get(f"{{{W}}}displayText") for i in sdt.findall(".//w:listItem", NS)]
        assert items == list(EVALUATIONS)
        assert sdt.find("w:sdtPr/w:showingPlcHdr", NS) is None  # no placeholder text
        assert "".join(sdt.itertext()) == ""
    form = read_return(paths["民治街道"], quarter=3)
    assert all(row.cells["evaluation"] == "" for row in form.rows)


def test_an_untouched_form_is_still_a_blank_form(forms, tmp_path):
    register, paths = forms
    returns = tmp_path / "returns"
    returns.mkdir()
    (returns / "民政局.docx").write_bytes(paths["民政局"].read_bytes())
    fill_form(paths["民治街道"], returns / "民治街道.docx", {"19-2": {"进展情况": "1.已完成。"}})
    done = invoke("check", returns, "-r", register, "-q", "3", "--json")
    assert done.exit_code == 1
    data = json.loads(done.stdout)
    assert any(s["kind"] == "blank_form" for s in data["skipped"])


@pytest.mark.libreoffice
def test_libreoffice_shows_the_list_and_keeps_the_choice(forms, tmp_path):
    """Chosen from the list in LibreOffice, saved as .docx: the list stays, the value merges."""
    require_libreoffice()
    register, paths = forms
    returns = tmp_path / "returns"
    report = tmp_path / "controls.json"
    chosen = {"10-3": "进度滞后", "13-3": "已完成", "40": "严重滞后"}
    spec = {
        "input": str(paths["民治街道"]),
        "output": str(returns / "民治街道.docx"),
        "report": str(report),
        "rows": chosen,
    }
    _run_uno_script(UNO_DROPDOWN, [spec])
    shown = json.loads(report.read_text("utf-8"))
    assert {pid: shown[pid] for pid in seed.IDS} == {pid: list(EVALUATIONS) for pid in seed.IDS}
    saved = returns / "民治街道.docx"
    for tc in evaluation_cells(saved):  # LibreOffice wrote the lists back
        assert tc.find(".//w:sdt/w:sdtPr/w:dropDownList", NS) is not None
    form = read_return(saved, quarter=3)
    assert {r.id: r.cells["evaluation"] for r in form.rows if r.id in chosen} == chosen
    done = invoke("merge", returns, "-r", register, "-q", "3", "--out", tmp_path / "一览表.docx")
    assert done.exit_code == 0, done.stderr


# ---------------------------------------------------------------- one project, one page


@pytest.mark.libreoffice
def test_a_form_with_one_project_prints_on_one_page_with_the_signature_line(forms, tmp_path):
    require_libreoffice()
    _, paths = forms
    single = [u for u in seed.UNITS if u != "民治街道"]  # every unit but 民治街道 leads only 40
    pdfs = convert([paths[u] for u in single], "pdf", tmp_path / "pdf")
    for unit in single:
        pdf = pdfs[paths[unit]]
        assert len(pdf_page_sizes(pdf)) == 1, unit
        text = re.sub(r"\s+", "", pdf_text(pdf))
        assert f"填报单位：{unit}" in text and "填报人：联系电话：填报日期：" in text, unit


# ---------------------------------------------------------------- the quarter's targets


def test_some_empty_targets_are_named_and_the_forms_are_made(tmp_path):
    rows = seed_rows()
    for n, row in enumerate(rows):
        row[4] = "" if n in (2, 5) else f"第一季度完成{n}项。"  # 第一季度目标
    register = write_register(tmp_path / "登记表.xlsx", rows)
    done = invoke("generate", register, "-q", "1", "-o", tmp_path / "q1", "--json")
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["empty_targets"] == ["18-8", "31-11"]
    assert "“第一季度目标”列有 2 个项目为空（序号 18-8、31-11）" in done.stderr
    assert any("第一季度目标" in w for w in data["warnings"])


def test_all_empty_targets_make_no_forms_unless_allowed(tmp_path):
    register = write_register(tmp_path / "登记表.xlsx")  # only third-quarter targets
    done = invoke("generate", register, "-q", "1", "-o", tmp_path / "q1")
    assert done.exit_code == 1
    assert "“第一季度目标”列是空的" in done.stderr and "--allow-empty-targets" in done.stderr
    assert not (tmp_path / "q1").exists()
    args = ["-q", "1", "-o", tmp_path / "q1", "--allow-empty-targets", "--json"]
    allowed = invoke("generate", register, *args)
    assert allowed.exit_code == 0, allowed.stderr
    assert sorted(json.loads(allowed.stdout)["empty_targets"]) == sorted(seed.IDS)
