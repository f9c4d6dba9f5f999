"""`toolkit check` and `toolkit merge`: returns read back, checked, merged."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from docx_factory import make_docx, para, project_table
from lxml import etree
from openpyxl import load_workbook
from support import seed
from support.cli import invoke
from support.fill import fill_form
from support.lo import fill_with_libreoffice, pdf_text, require_libreoffice, to_pdf
from support.pdf_layout import pdf_pages
from support.seed import MINZHI_Q3
from support.summaries import summary_by_id, summary_table

from toolkit.core import rules
from toolkit.returns.reader import read_return

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}
UNITS = seed.UNITS


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seed register and its eight generated Q3 forms (shared, read-only)."""
    from support.registers import write_register

    root = tmp_path_factory.mktemp("seed")
    register = write_register(root / "register.xlsx")
    result = invoke("generate", register, "-q", "3", "-o", root / "forms")
    assert result.exit_code == 0, result.stderr
    paths = {u: next((root / "forms").glob(f"*（{u}）.docx")) for u in UNITS}
    paths["register"] = register
    return paths


def seed_fill() -> dict[str, dict[str, str]]:
    return {
        pid: {"进展情况": p, "存在问题及下一步工作计划": plan, "进度评价": ev}
        for pid, (p, plan, ev) in MINZHI_Q3.items()
    }


def clean_fill(unit: str) -> dict[str, str]:
    return {
        "进展情况": f"1.{unit}已完成第一批审核。\n2.{unit}组织评审会2场。",
        "存在问题及下一步工作计划": f"1.{unit}下一步加快审批。",
        "进度评价": "正常推进",
    }


def returns_dir(tmp_path: Path, forms: dict[str, Path], fills: dict[str, dict]) -> Path:
    folder = tmp_path / "returns"
    folder.mkdir(exist_ok=True)
    for unit, rows in fills.items():
        fill_form(forms[unit], folder / f"{unit}-回收.docx", rows)
    return folder


def merge_json(tmp_path: Path, forms, *paths, extra=()) -> dict:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    result = invoke(
        "merge",
        *paths,
        "-r",
        forms["register"],
        "-q",
        "3",
        "--out",
        out / "一览表.docx",
        "--json",
        *extra,
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def codes(data: dict, unit: str | None = None) -> list[tuple[str, str | None]]:
    return sorted(
        (f["code"], f["id"]) for f in data["findings"] if unit is None or f["unit"] == unit
    )


def summary_rows(docx: Path) -> dict[str, dict[str, str]]:
    """The 一览表 read back: 序号 -> column key -> text, a joint project's rows joined."""
    return summary_by_id(docx)


# ---------------------------------------------------------------- the seed return


def test_seed_return_gives_the_seeds_findings(tmp_path, forms):
    folder = returns_dir(tmp_path, forms, {"民治街道": seed_fill()})
    data = merge_json(tmp_path, forms, folder)
    assert codes(data, "民治街道") == [
        ("numbering", "10-3"),
        ("numbering", "13-3"),
        ("too_long", "10-3"),
    ]
    too_long = next(f for f in data["findings"] if f["code"] == "too_long")
    assert "370" in too_long["message"] and too_long["level"] == "error"
    assert {u["unit"]: u["status"] for u in data["units"]} == {
        u: "returned" if u == "民治街道" else "missing" for u in UNITS
    }
    assert sorted(f["unit"] for f in data["findings"] if f["code"] == "missing_return") == sorted(
        u for u in UNITS if u != "民治街道"
    )
    rows = summary_rows(tmp_path / "out" / "一览表.docx")
    assert rows["10-3"][rules.PROGRESS] == MINZHI_Q3["10-3"][0]  # never truncated
    assert rows["13-3"][rules.EVALUATION] == "已完成"
    assert rows["40"][rules.PROGRESS].startswith(
        "区委组织部：未报送\n民政局：未报送\n观湖街道：未报送\n民治街道：\n根据"
    )


def test_normalize_numbering_rewrites_and_says_so(tmp_path, forms):
    folder = returns_dir(tmp_path, forms, {"民治街道": seed_fill()})
    data = merge_json(tmp_path, forms, folder, extra=["--normalize-numbering"])
    assert ("numbering_normalized", "10-3") in codes(data, "民治街道")
    assert ("numbering", "10-3") not in codes(data, "民治街道")
    progress = summary_rows(tmp_path / "out" / "一览表.docx")["10-3"][rules.PROGRESS]
    assert progress == MINZHI_Q3["10-3"][0].replace("1、", "1.").replace("\n2、", "\n2.").replace(
        "\n3、", "\n3."
    )


def test_shipped_sample_merges_with_the_seed_findings(tmp_path):
    root = Path(__file__).resolve().parents[1] / "data"
    result = invoke(
        "merge",
        root / "returns" / "2023Q3",
        "-r",
        root / "register.xlsx",
        "-q",
        "3",
        "--out",
        tmp_path / "一览表.docx",
        "--json",
    )
    data = json.loads(result.stdout)
    assert ("too_long", "10-3") in codes(data, "民治街道")
    assert ("numbering", "10-3") in codes(data, "民治街道")
    assert next(u for u in data["units"] if u["unit"] == "民治街道")["status"] == "returned"


# ---------------------------------------------------------------- every unit, clean


def test_all_clean_returns_check_exit_zero_and_merge_every_cell(tmp_path, forms):
    fills = {u: {pid: clean_fill(u) for pid in _ids(forms[u])} for u in UNITS}
    fills["观湖街道"]["40"]["进度评价"] = "严重滞后"
    folder = returns_dir(tmp_path, forms, fills)
    check = invoke("check", folder, "-r", forms["register"], "-q", "3")
    assert check.exit_code == 0, check.stdout
    assert "✔ 民治街道：已报送" in check.stdout
    data = merge_json(tmp_path, forms, folder)
    assert data["findings"] == []
    rows = summary_rows(tmp_path / "out" / "一览表.docx")
    assert rows["10-3"][rules.PROGRESS] == clean_fill("民治街道")["进展情况"]
    joint = rows["40"][rules.PROGRESS]
    assert joint == "\n".join(f"{u}：\n{clean_fill(u)['进展情况']}" for u in seed.JOINT_ROW_UNITS)
    # Each unit of row 40 has its own row and mark; 严重滞后 is a coloured mark, not text.
    assert rows["40"][rules.EVALUATION] == "\n".join(["▋"] * 8)
    docx = tmp_path / "out" / "一览表.docx"
    assert _mark_color(docx, "40", "观湖街道") == "FF0000"
    assert _mark_color(docx, "40", "民政局") == "00B050"
    assert _mark_color(docx, "10-3") == "00B050"


def _ids(form: Path) -> list[str]:
    return [r.id for r in read_return(form).rows]


def _mark_color(docx: Path, pid: str, unit: str = "") -> str:
    """The colour of the 进度评价 mark of the project's row (a joint project's unit's row)."""
    with zipfile.ZipFile(docx) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    for tr in root.iter(f"{W}tr"):
        cells = tr.findall("w:tc", NS)
        texts = ["".join(t.text or "" for t in c.iter(f"{W}t")) for c in cells]
        if len(cells) == 10 and texts[1] == pid and texts[5].startswith(unit):
            return cells[7].find(".//w:color", NS).get(f"{W}val")
    raise AssertionError(pid)


# ---------------------------------------------------------------- each finding code


def test_duplicate_return_uses_the_newer(tmp_path, forms):
    folder = tmp_path / "returns"
    folder.mkdir()
    old = fill_form(forms["民政局"], folder / "民政局-第一版.docx", {"40": clean_fill("旧")})
    new = fill_form(forms["民政局"], folder / "民政局-修改版.docx", {"40": clean_fill("新")})
    os.utime(old, (1_700_000_000, 1_700_000_000))
    os.utime(new, (1_700_100_000, 1_700_100_000))
    data = merge_json(tmp_path, forms, folder)
    dup = next(f for f in data["findings"] if f["code"] == "duplicate_return")
    assert dup["unit"] == "民政局" and "民政局-修改版.docx" in dup["message"]
    assert "民政局-第一版.docx" in dup["message"]
    assert "新已完成" in summary_rows(tmp_path / "out" / "一览表.docx")["40"][rules.PROGRESS]


def test_wrong_period(tmp_path, forms):
    q2 = tmp_path / "q2"
    # The seed register has no second-quarter targets: the forms are made all the same.
    args = ["-q", "2", "-o", q2, "-u", "民政局", "--allow-empty-targets"]
    assert invoke("generate", forms["register"], *args).exit_code == 0
    folder = tmp_path / "returns"
    folder.mkdir()
    fill_form(next(q2.glob("*.docx")), folder / "民政局.docx", {"40": clean_fill("民政局")})
    data = merge_json(tmp_path, forms, folder)
    assert ("wrong_period", None) in codes(data, "民政局")
    assert ("missing_return", None) in codes(data, "民政局")


def test_row_level_codes(tmp_path, forms):
    fills = seed_fill()
    fills["19-2"] = {"进展情况": "", "进度评价": "正常推进"}  # empty_progress
    fills["31-11"] = {"进展情况": "已完成验收。", "进度评价": ""}  # missing_evaluation
    fills["32-4"] = {"进展情况": "进展顺利。", "进度评价": "良好"}  # invalid
    fills["18-8"] = {"进展情况": "进展顺利。", "进度评价": "滞后"}  # synonym
    fills["13-3"] = {"项目名称": "北站壹号楼宇党群服务中心（改名）", "进度评价": "完成"}
    folder = returns_dir(tmp_path, forms, {"民治街道": fills})
    data = merge_json(tmp_path, forms, folder)
    found = {(f["code"], f["id"]): f for f in data["findings"] if f["unit"] == "民治街道"}
    assert found[("empty_progress", "19-2")]["level"] == "error"
    assert found[("missing_evaluation", "31-11")]["level"] == "error"
    assert found[("invalid_evaluation", "32-4")]["level"] == "error"
    assert found[("invalid_evaluation", "18-8")]["level"] == "warning"
    assert "进度滞后" in found[("invalid_evaluation", "18-8")]["message"]
    assert found[("prefilled_changed", "13-3")]["level"] == "warning"
    rows = summary_rows(tmp_path / "out" / "一览表.docx")
    assert rows["13-3"][rules.NAME] == "北站壹号楼宇党群服务中心"  # the register wins
    assert rows["13-3"][rules.EVALUATION] == "已完成"
    assert rows["32-4"][rules.EVALUATION] == "良好"  # typed text is kept, and reported


def test_unknown_foreign_and_missing_rows(tmp_path, forms):
    folder = tmp_path / "returns"
    folder.mkdir()
    make_docx(
        folder / "回收表.docx",
        para("填报单位：民政局")
        + project_table(
            ["10-3", "星河传奇暖蜂驿站", "", "", "别人的项目", "", "正常推进"],
            ["99-9", "多出来的项目", "", "", "进展", "", "正常推进"],
        ),
    )
    data = merge_json(tmp_path, forms, folder)
    assert codes(data, "民政局") == [
        ("foreign_row", "10-3"),
        ("identity_conflict", None),  # the line says 民政局, the only known row is 民治街道's
        ("missing_row", "40"),
        ("unknown_row", "99-9"),
    ]
    assert summary_rows(tmp_path / "out" / "一览表.docx")["10-3"][rules.PROGRESS] == "未报送"


def test_unreadable_unknown_unit_and_no_table(tmp_path, forms):
    folder = tmp_path / "returns"
    folder.mkdir()
    (folder / "损坏.docx").write_bytes(b"PK\x03\x04 broken")
    make_docx(folder / "扫描件.docx", project_table(["77-7", "x", "", "", "y", "", "正常推进"]))
    make_docx(folder / "民政局.docx", para("填报单位：民政局") + para("只有文字，没有表格"))
    data = merge_json(tmp_path, forms, folder)
    by_code = {f["code"]: f for f in data["findings"]}
    assert by_code["unreadable"]["file"] == "损坏.docx"
    assert by_code["unknown_unit"]["file"] == "扫描件.docx"
    assert by_code["no_table"]["unit"] == "民政局"


@pytest.mark.parametrize("strip", ["properties", "properties+unit_line"])
def test_identification_without_properties(tmp_path, forms, strip):
    folder = tmp_path / "returns"
    folder.mkdir()
    src = fill_form(forms["民政局"], tmp_path / "filled.docx", {"40": clean_fill("民政局")})
    target = folder / ("民政局回收.docx" if "unit_line" in strip else "回收表.docx")
    _rewrite(src, target, drop_custom=True, drop_unit_line="unit_line" in strip)
    data = merge_json(tmp_path, forms, folder)
    assert next(u for u in data["units"] if u["unit"] == "民政局")["status"] == "returned"


def _rewrite(src: Path, dst: Path, *, drop_custom: bool, drop_unit_line: bool) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if drop_custom and info.filename == "docProps/custom.xml":
                continue
            if drop_unit_line and info.filename == "word/document.xml":
                data = data.replace("填报单位：".encode(), b"")
            zout.writestr(info, data)


def test_check_json_and_exit_code(tmp_path, forms):
    folder = returns_dir(tmp_path, forms, {"民治街道": seed_fill()})
    result = invoke("check", folder, "-r", forms["register"], "-q", "3", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) >= {"units", "findings"}
    assert set(data["units"][0]) >= {"unit", "status", "file"}
    assert set(data["findings"][0]) == {"code", "level", "unit", "id", "file", "message"}
    assert not (tmp_path / "输出").exists()


# ---------------------------------------------------------------- outputs


def test_xlsx_summary_and_findings_report(tmp_path, forms):
    folder = returns_dir(tmp_path, forms, {"民治街道": seed_fill()})
    merge_json(tmp_path, forms, folder)
    ws = load_workbook(tmp_path / "out" / "一览表.xlsx").active
    assert ws.cell(1, 1).value == "龙华区2023年第三季度民生实事项目进展情况一览表"
    header = [c.value for c in ws[5]]
    assert header[:3] == ["民生事项", "序号", "项目名称"]
    rows = list(ws.iter_rows(min_row=6, values_only=True))
    # 10-3's 370 characters are more than a row holds: they go on in a row of their own.
    ten = [r for r in rows if r[1] == "10-3"]
    assert [r[2] for r in ten] == ["星河传奇暖蜂驿站", "星河传奇暖蜂驿站（续）"]
    assert "\n".join(r[5] for r in ten) == MINZHI_Q3["10-3"][0]
    by_id = {r[1]: r for r in rows}
    assert by_id["13-3"][7] == "已完成"
    # Row 40: a row per lead unit, the unit in 主办单位, the targets merged over them.
    forty = [n for n, r in enumerate(rows, start=6) if r[1] == "40"]
    assert [rows[n - 6][8] for n in forty] == seed.JOINT_ROW_UNITS
    assert f"D{forty[0]}:D{forty[-1]}" in {str(r) for r in ws.merged_cells.ranges}
    four = next(n for n, r in enumerate(rows, start=6) if r[1] == "32-4")
    assert f"A{four}:A{four + 1}" in {str(r) for r in ws.merged_cells.ranges}  # one 件
    report = load_workbook(tmp_path / "out" / "问题清单（2023年第三季度）.xlsx")
    sheet = report["问题清单"]
    assert [c.value for c in sheet[2]] == [
        "单位",
        "序号",
        "级别",
        "问题类型",
        "说明",
        "文件",
        "问题代码",
    ]
    assert sheet.column_dimensions["G"].hidden  # the code is for programs
    found = list(sheet.iter_rows(min_row=3, values_only=True))
    assert ("民治街道", "10-3", "错误", "超过字数上限") in [r[:4] for r in found]
    status = {r[0]: r[1] for r in report["报送情况"].iter_rows(min_row=3, values_only=True)}
    assert status["民治街道"] == "已报送" and status["民政局"] == "未报送"


def test_update_register_backs_up_and_adds_a_period_sheet(tmp_path, forms):
    register = shutil.copy(forms["register"], tmp_path / "register.xlsx")
    before = Path(register).read_bytes()
    folder = returns_dir(tmp_path, forms, {"民治街道": seed_fill()})
    result = invoke(
        "merge",
        folder,
        "-r",
        register,
        "-q",
        "3",
        "--out",
        tmp_path / "o" / "s.docx",
        "--update-register",
    )
    assert result.exit_code == 0, result.stderr
    backups = list(tmp_path.glob("register.备份-*.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == before
    ws = load_workbook(register)["2023Q3进展"]
    assert ws.print_title_rows == "$2:$2" and ws.page_setup.orientation == "landscape"
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert next(r for r in rows if r[0] == "10-3")[3] == MINZHI_Q3["10-3"][0]
    status = {r[2]: r[6] for r in rows if r[0] == "40"}  # a row per lead unit of row 40
    assert status["民治街道"] == "已报送" and status["民政局"] == "未报送"
    assert all(ws.row_dimensions[r].height for r in range(3, 3 + len(rows)))


def test_summary_groups_merge_the_matter_cell(tmp_path, forms):
    folder = returns_dir(tmp_path, forms, {"民治街道": seed_fill()})
    merge_json(tmp_path, forms, folder)
    with zipfile.ZipFile(tmp_path / "out" / "一览表.docx") as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    merges = []
    for tr in root.iter(f"{W}tr"):
        first = tr.find("w:tc", NS)
        vm = first.find("w:tcPr/w:vMerge", NS)
        if vm is not None:
            merges.append(vm.get(f"{W}val"))
    ten = [r for r in summary_table(tmp_path / "out" / "一览表.docx") if r[rules.ID] == "10-3"]
    # 件 10 (10-3 on several rows: too tall for one), 13, 18, 19, 24, 31 alone,
    # 32-4 + 32-5 together, 40 alone (a row for each of its eight units)
    assert merges == [
        *("restart", *["continue"] * (len(ten) - 1)),
        *["restart"] * 5,
        *("restart", "continue"),
        *("restart", *["continue"] * 7),
    ]
    assert len(ten) > 1
    assert [r[rules.NAME] for r in ten] == ["星河传奇暖蜂驿站"] + ["星河传奇暖蜂驿站（续）"] * (
        len(ten) - 1
    )
    texts = "".join(t.text or "" for t in root.iter(f"{W}t"))
    assert "（截至2023年9月30日）" in texts
    # Row 40 (eight lead units, one reported) is counted apart from the evaluations.
    assert (
        "共9项：已完成3项，正常推进5项，进度滞后0项，严重滞后0项，部分单位未报送1项，未报送0项"
        in texts
    )


@pytest.mark.libreoffice
def test_the_table_starts_on_the_first_page(tmp_path, forms):
    """A tall first row (10-3's 370 characters) under a two-line statistics paragraph:
    its first part fits under the title block, so page 1 is not a title page alone."""
    require_libreoffice()
    folder = returns_dir(tmp_path, forms, {"民治街道": seed_fill()})
    merge_json(tmp_path, forms, folder)
    pdf = to_pdf(tmp_path / "out" / "一览表.docx", tmp_path / "pdf")
    first = pdf_pages(pdf)[0]
    assert first.find("10-3") is not None, [w.text for w in first.words]


@pytest.mark.libreoffice
def test_round_trip_filled_by_libreoffice(tmp_path, forms):
    """generate -> every unit fills its form in LibreOffice -> merge: every cell comes back."""
    require_libreoffice()
    folder = tmp_path / "returns"
    folder.mkdir()
    typed = {u: {pid: clean_fill(u) for pid in _ids(forms[u])} for u in UNITS}
    typed["民治街道"] = seed_fill()
    typed["观澜街道"]["40"]["进度评价"] = "进度滞后"
    fill_with_libreoffice(
        [
            {"input": str(forms[u]), "output": str(folder / f"{u}.docx"), "rows": typed[u]}
            for u in UNITS
        ]
    )
    out = tmp_path / "out"
    result = invoke(
        "merge", folder, "-r", forms["register"], "-q", "3", "--out", out / "s.docx", "--json"
    )
    data = json.loads(result.stdout)
    assert all(u["status"] == "returned" for u in data["units"])
    assert codes(data) == [("numbering", "10-3"), ("numbering", "13-3"), ("too_long", "10-3")]
    rows = summary_rows(out / "s.docx")
    for pid, (progress, plan, evaluation) in MINZHI_Q3.items():
        if pid == "40":
            continue
        assert rows[pid][rules.PROGRESS] == progress
        assert rows[pid][rules.PLAN] == plan
        assert rows[pid][rules.EVALUATION] == ("已完成" if evaluation == "已完成" else "▋")
    expected = "\n".join(f"{u}：\n{typed[u]['40']['进展情况']}" for u in seed.JOINT_ROW_UNITS)
    assert rows["40"][rules.PROGRESS] == expected
    plans = {u: typed[u]["40"]["存在问题及下一步工作计划"] for u in UNITS}
    assert plans["民治街道"] == ""  # an empty cell on its row
    assert rows["40"][rules.PLAN] == "\n".join(plans[u] for u in seed.JOINT_ROW_UNITS if plans[u])
    assert _mark_color(out / "s.docx", "40", "观澜街道") == "FFC000"
    sheet = load_workbook(out / "s.xlsx").active
    forty = {r[8]: r for r in sheet.iter_rows(min_row=6, values_only=True) if r[1] == "40"}
    assert list(forty) == seed.JOINT_ROW_UNITS  # a row per unit, the unit in 主办单位
    assert all(forty[u][5] == typed[u]["40"]["进展情况"] for u in seed.JOINT_ROW_UNITS)
    assert forty["观澜街道"][7] == "进度滞后"
    pdf = to_pdf(out / "s.docx", tmp_path / "pdf")
    text = "".join(pdf_text(pdf).split())
    assert "一览表" in text and "截至2023年9月30日" in text


def test_register_changed_after_distribution(tmp_path, forms):
    from openpyxl import load_workbook as load

    register = Path(shutil.copy(forms["register"], tmp_path / "register.xlsx"))
    wb = load(register)
    wb["项目"]["D11"] = "2023年审核完成各类社区民生微实事项目900个。"  # row 40's 年度目标
    wb.save(register)
    folder = returns_dir(tmp_path, forms, {"民政局": {"40": clean_fill("民政局")}})
    result = invoke(
        "merge", folder, "-r", register, "-q", "3", "--out", tmp_path / "o.docx", "--json"
    )
    data = json.loads(result.stdout)
    assert ("register_changed", None) in codes(data, "民政局")
    assert ("prefilled_changed", "40") in codes(data, "民政局")


def test_duplicate_row_keeps_the_first(tmp_path, forms):
    folder = tmp_path / "returns"
    folder.mkdir()
    make_docx(
        folder / "民政局.docx",
        para("填报单位：民政局")
        + project_table(
            ["40", "社区民生微实事审核项目", "", "", "第一次", "", "正常推进"],
            ["40", "社区民生微实事审核项目", "", "", "第二次", "", "正常推进"],
        ),
    )
    data = merge_json(tmp_path, forms, folder)
    assert ("duplicate_row", "40") in codes(data, "民政局")
    assert (
        "民政局：\n第一次" in summary_rows(tmp_path / "out" / "一览表.docx")["40"][rules.PROGRESS]
    )


def test_legacy_format_without_libreoffice_says_save_as_docx(tmp_path, forms, monkeypatch):
    monkeypatch.setenv("TOOLKIT_SOFFICE", str(tmp_path / "no-such-soffice"))
    folder = tmp_path / "returns"
    folder.mkdir()
    (folder / "民政局.wps").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    fill_form(forms["民治街道"], folder / "民治街道.docx", seed_fill())
    data = merge_json(tmp_path, forms, folder)
    bad = next(f for f in data["findings"] if f["code"] == "unreadable")
    assert bad["unit"] == "民政局" and ".docx" in bad["message"] and "LibreOffice" in bad["message"]
    status = {u["unit"]: u["status"] for u in data["units"]}
    assert status["民政局"] == "unreadable" and status["民治街道"] == "returned"


@pytest.mark.libreoffice
def test_odt_and_doc_returns_are_converted_in_one_batch(tmp_path, forms):
    require_libreoffice()
    from toolkit.office.libreoffice import convert

    filled = tmp_path / "filled"
    filled.mkdir()
    fill_form(forms["民政局"], filled / "民政局.docx", {"40": clean_fill("民政局")})
    fill_form(forms["观湖街道"], filled / "观湖街道.docx", {"40": clean_fill("观湖街道")})
    folder = tmp_path / "returns"
    odt = convert([filled / "民政局.docx"], "odt", folder)[filled / "民政局.docx"]
    doc = convert([filled / "观湖街道.docx"], "doc", folder)[filled / "观湖街道.docx"]
    assert odt.suffix == ".odt" and doc.suffix == ".doc"
    data = merge_json(tmp_path, forms, folder)
    status = {u["unit"]: u["status"] for u in data["units"]}
    assert status["民政局"] == status["观湖街道"] == "returned"
    joint = summary_rows(tmp_path / "out" / "一览表.docx")["40"][rules.PROGRESS]
    assert f"民政局：\n{clean_fill('民政局')['进展情况']}" in joint
    assert f"观湖街道：\n{clean_fill('观湖街道')['进展情况']}" in joint


# ---------------------------------------------------------------- joint rows


def test_a_joint_row_shows_who_did_not_report_and_is_counted_apart(tmp_path, forms):
    """Row 40 is led by eight units: one report is not the row's evaluation."""
    folder = returns_dir(tmp_path, forms, {"民治街道": seed_fill()})
    result = invoke(
        "merge", folder, "-r", forms["register"], "-q", "3", "--out", tmp_path / "out" / "一览表"
    )
    assert result.exit_code == 0, result.stderr
    stats = "正常推进5项，进度滞后0项，严重滞后0项，部分单位未报送1项，未报送0项"
    assert stats in result.stderr
    docx, xlsx = tmp_path / "out" / "一览表.docx", tmp_path / "out" / "一览表.xlsx"
    forty = [r for r in summary_table(docx) if r[rules.ID] == "40"]
    assert [r[rules.PROGRESS].split("：")[0] for r in forty] == seed.JOINT_ROW_UNITS
    assert {r[rules.LEAD] for r in forty} == {"区委组织部、民政局、各街道", ""}  # merged
    # The green mark of the one report; every other unit's row says it did not report.
    assert [r[rules.EVALUATION] for r in forty] == [
        "▋" if u == "民治街道" else "未报送" for u in seed.JOINT_ROW_UNITS
    ]
    assert [r[rules.PROGRESS] for r in forty if r[rules.EVALUATION] == "未报送"] == [
        f"{u}：未报送" for u in seed.JOINT_ROW_UNITS if u != "民治街道"
    ]
    texts = "".join(t.text or "" for t in etree.fromstring(_part(docx)).iter(f"{W}t"))
    assert stats in texts
    ws = load_workbook(xlsx).active
    assert stats in ws.cell(3, 1).value
    rows = [r for r in ws.iter_rows(min_row=6) if r[1].value == "40"]
    assert [r[8].value for r in rows] == seed.JOINT_ROW_UNITS
    mine = next(r for r in rows if r[8].value == "民治街道")
    assert mine[7].value == "正常推进" and mine[7].fill.fgColor.rgb.endswith("00B050")
    assert {r[7].value for r in rows if r is not mine} == {"未报送"}


def test_a_joint_row_is_as_far_behind_as_its_slowest_reporting_unit(tmp_path, forms):
    behind = {"40": {**clean_fill("观湖街道"), "进度评价": "进度滞后"}}
    on_track = {"40": clean_fill("民治街道")} | {
        pid: clean_fill("民治街道") for pid in seed.IDS if pid != "40"
    }
    folder = returns_dir(tmp_path, forms, {"民治街道": on_track, "观湖街道": behind})
    merge_json(tmp_path, forms, folder)
    docx = tmp_path / "out" / "一览表.docx"
    assert (
        _mark_color(docx, "40", "观湖街道") == "FFC000"
        and _mark_color(docx, "40", "民治街道") == "00B050"
    )
    ws = load_workbook(tmp_path / "out" / "一览表.xlsx").active
    rows = {r[8]: r[7] for r in ws.iter_rows(min_row=6, values_only=True) if r[1] == "40"}
    assert rows["观湖街道"] == "进度滞后" and rows["民治街道"] == "正常推进"
    # The row is counted apart: the six units that did not report count for nothing.
    assert "正常推进8项，进度滞后0项，严重滞后0项，部分单位未报送1项" in ws.cell(3, 1).value


def _part(docx: Path, name: str = "word/document.xml") -> bytes:
    with zipfile.ZipFile(docx) as zf:
        return zf.read(name)


def _rendered_summary(tmp_path: Path, forms) -> tuple[bytes, set[str]]:  # type: ignore[no-untyped-def]
    """The 一览表's document part as rendered, before its project columns are merged."""
    from collections import Counter

    from toolkit.templates import default_path

    from toolkit.forms.rendering import PreparedTemplate
    from toolkit.register.model import resolve_period
    from toolkit.register.reader import read_register
    from toolkit.returns.merging import merge_returns
    from toolkit.summary.document import page_fit, summary_context

    folder = returns_dir(tmp_path, forms, {u: {} for u in UNITS} | {"民治街道": seed_fill()})
    register = read_register(forms["register"])
    result = merge_returns(register, resolve_period(register, 3, None), [folder])
    prepared = PreparedTemplate(default_path("summary"))
    context = summary_context(result, page_fit(prepared))
    ids = Counter(row["id"] for group in context["groups"] for row in group["rows"])
    return prepared.render_parts(context)["word/document.xml"], {i for i, n in ids.items() if n > 1}


def test_project_columns_merged_row_by_row_as_on_the_whole_document(tmp_path, forms):
    """The 一览表's rows are merged one at a time (a city's is tens of megabytes); the result
    is the document merging on its whole parsed tree gives, also where rows sit in a content
    control and the whole tree is what is merged."""
    from toolkit.summary.document import _merge_in_tree, _table_rows, merge_project_columns

    def canonical(data: bytes) -> bytes:
        return etree.tostring(etree.fromstring(data), method="c14n")

    document, joint = _rendered_summary(tmp_path, forms)
    assert joint
    merged = merge_project_columns(document, joint)
    assert merged != document
    assert canonical(merged) == canonical(_merge_in_tree(document, joint))
    # A row in a content control: the row-wise reading steps aside.
    start = document.rindex(b"<w:tr>")
    end = document.index(b"</w:tr>", start) + len(b"</w:tr>")
    wrapped = (
        document[:start]
        + b"<w:sdt><w:sdtContent>"
        + document[start:end]
        + b"</w:sdtContent></w:sdt>"
        + document[end:]
    )
    assert _table_rows(document) is not None and _table_rows(wrapped) is None
    assert canonical(merge_project_columns(wrapped, joint)) == canonical(
        _merge_in_tree(wrapped, joint)
    )
