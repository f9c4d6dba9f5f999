"""The register reader, on real .xlsx files shaped like real registers."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from click.testing import Result
from openpyxl import load_workbook
from support import seed
from support.cli import invoke
from support.registers import HEADER, seed_rows, with_cached_values, write_register

from toolkit.errors import RegisterError, UsageError
from toolkit.office.ooxml import excel_unescape
from toolkit.register.reader import read_register


def row(matter: str, pid, name: str = "项目", lead: str = "民治街道", **kw) -> list:
    values = {"annual": "年度目标", "q3": "三季度目标", "co": "/"} | kw
    return [matter, pid, name, values["annual"], "", "", values["q3"], "", lead, values["co"]]


def run_generate(register: Path, out: Path) -> Result:
    return invoke("generate", register, "-q", "3", "-o", out)


# ---------------------------------------------------------------- the seed


def test_seed_register_reads_as_the_seed_has_it(seed_register):
    reg = read_register(seed_register)
    assert [p.id for p in reg.projects] == seed.IDS
    assert reg.region == "龙华区" and reg.year == 2023
    by_id = {p.id: p for p in reg.projects}
    assert by_id["40"].matter.startswith("广泛实施社区民生微实事")
    assert by_id["10-3"].matter == ""  # blank in the seed, and 件 10 has no other row
    assert by_id["24-5"].annual_target == "完工."
    assert by_id["32-5"].annual_target.split("\n")[1] == "2.培训人数达到10000人以上。"
    assert by_id["10-3"].quarter_target(3) == "投入运营，预计服务900余人次。"


def test_joint_row_and_all_streets_expand_in_unit_order(seed_register):
    reg = read_register(seed_register)
    p40 = reg.project("40")
    assert [lead.unit for lead in p40.leads] == [
        "区委组织部",
        "民政局",
        "观湖街道",
        "民治街道",
        "龙华街道",
        "大浪街道",
        "福城街道",
        "观澜街道",
    ]
    assert reg.unit_names() == [
        "观湖街道",
        "民治街道",
        "龙华街道",
        "大浪街道",
        "福城街道",
        "观澜街道",
        "区委组织部",
        "民政局",
    ]
    assert len(reg.unit_names()) == 8


def test_sub_office_label_belongs_to_its_street_and_keeps_its_label(seed_register):
    reg = read_register(seed_register)
    p = reg.project("18-8")
    assert [(lead.unit, lead.label) for lead in p.leads] == [("民治街道", "民治街道（工务）")]
    assert [q.id for q in reg.projects_of("民治街道")] == seed.IDS
    assert [q.id for q in reg.projects_of("观湖街道")] == ["40"]


@pytest.mark.parametrize(
    "cell", ["区委组织部，民政局；观湖街道\n民治街道", "区委组织部,民政局;观湖街道、民治街道"]
)
def test_lead_separators(tmp_path, cell):
    path = write_register(tmp_path / "r.xlsx", [row("", "1", lead=cell)])
    assert [lead.unit for lead in read_register(path).project("1").leads] == [
        "区委组织部",
        "民政局",
        "观湖街道",
        "民治街道",
    ]


# ---------------------------------------------------------------- 民生事项


def test_matter_over_a_vertically_merged_range(tmp_path):
    path = write_register(
        tmp_path / "r.xlsx",
        [row("加强就业服务", "10-1"), row(None, "10-2"), row(None, "10-3"), row("另一件", "11-1")],
    )
    wb = load_workbook(path)
    wb["项目"].merge_cells("A3:A5")  # title row, header row, then 10-1..10-3
    wb.save(path)
    matters = [p.matter for p in read_register(path).projects]
    assert matters == ["加强就业服务", "加强就业服务", "加强就业服务", "另一件"]


def test_matter_only_on_the_first_row_of_its_item(tmp_path):
    path = write_register(
        tmp_path / "r.xlsx",
        [row("加强就业服务", "10-1"), row("", "10-2"), row("", "11-1"), row("", "11-2")],
    )
    assert [p.matter for p in read_register(path).projects] == [
        "加强就业服务",
        "加强就业服务",
        "",
        "",
    ]


def test_heading_rows_without_a_project_are_skipped(tmp_path):
    path = write_register(
        tmp_path / "r.xlsx",
        [["一、就业", None, None, None, None, None, None, None, None, None], row("", "1-1")],
    )
    assert [p.id for p in read_register(path).projects] == ["1-1"]


# ---------------------------------------------------------------- 序号


def test_id_that_excel_turned_into_a_date(tmp_path):
    path = write_register(tmp_path / "r.xlsx", [row("", dt.datetime(2023, 10, 3)), row("", "13-3")])
    reg = read_register(path)
    assert [p.id for p in reg.projects] == ["10-3", "13-3"]
    assert any("B3" in w and "日期" in w and "10-3" in w for w in reg.warnings)


def test_id_stored_as_a_number(tmp_path):
    path = write_register(tmp_path / "r.xlsx", [row("", 40.0), row("", 7)])
    assert [p.id for p in read_register(path).projects] == ["40", "7"]


def test_full_width_digits_and_dashes(tmp_path):
    path = write_register(
        tmp_path / "r.xlsx", [row("", "１０－３"), row("", "10—4"), row("", " 10 - 5 ")]
    )
    assert [p.id for p in read_register(path).projects] == ["10-3", "10-4", "10-5"]


def test_duplicate_id_names_both_cells(tmp_path):
    path = write_register(tmp_path / "r.xlsx", [row("", "10-3"), row("", "１０－３")])
    with pytest.raises(RegisterError) as exc:
        read_register(path)
    assert "10-3" in str(exc.value) and "B3" in str(exc.value) and "B4" in str(exc.value)
    assert exc.value.sheet == "项目" and exc.value.cell == "B4"


def test_project_without_id_is_an_error(tmp_path):
    path = write_register(tmp_path / "r.xlsx", [row("", "1"), row("", None, name="没有序号的项目")])
    with pytest.raises(RegisterError, match=r"B4.*没有序号"):
        read_register(path)


# ---------------------------------------------------------------- formulas


def test_formula_cells_read_as_excel_calculated_them(tmp_path):
    path = write_register(
        tmp_path / "r.xlsx", [row("", "10-3", name='="星河"&"驿站"', lead='=CONCAT("民治","街道")')]
    )
    with_cached_values(path, {"C3": "星河驿站", "I3": "民治街道"})
    p = read_register(path).project("10-3")
    assert (p.name, p.lead, [lead.unit for lead in p.leads]) == (
        "星河驿站",
        "民治街道",
        ["民治街道"],
    )


def test_formula_without_a_saved_result_names_the_cell(tmp_path):
    path = write_register(tmp_path / "r.xlsx", [row("", "10-3", name='="星河"&"驿站"')])
    with pytest.raises(RegisterError) as exc:
        read_register(path)
    assert exc.value.cell == "C3" and "Excel" in exc.value.hint


# ---------------------------------------------------------------- structure errors


def test_missing_columns_are_listed(tmp_path):
    header = [h for h in HEADER if h not in ("项目名称", "主办单位")]
    rows = [[v for h, v in zip(HEADER, r, strict=True) if h in header] for r in seed_rows()]
    path = write_register(tmp_path / "r.xlsx", rows, header=header)
    with pytest.raises(RegisterError, match="项目名称、主办单位"):
        read_register(path)


def test_columns_in_any_order_with_extra_columns_kept(tmp_path):
    header = ["责任人", *reversed(HEADER)]
    rows = [["张三", *reversed(r)] for r in seed_rows()]
    reg = read_register(write_register(tmp_path / "r.xlsx", rows, header=header))
    assert reg.extra_columns == ["责任人"]
    assert reg.project("10-3").extra == {"责任人": "张三"}
    assert reg.project("10-3").name == "星河传奇暖蜂驿站"


def test_empty_project_sheet(tmp_path):
    path = write_register(tmp_path / "r.xlsx", [], header=[], title=None)
    with pytest.raises(RegisterError, match=r"「项目」.*空"):
        read_register(path)


def test_header_without_rows(tmp_path):
    with pytest.raises(RegisterError, match="没有项目行"):
        read_register(write_register(tmp_path / "r.xlsx", []))


def test_without_settings_sheet_region_and_year_come_from_the_title_row(tmp_path):
    path = write_register(tmp_path / "r.xlsx", title="龙华区2023年民生实事项目台账")
    wb = load_workbook(path)
    del wb["设置"]
    wb.save(path)
    reg = read_register(path)
    assert (reg.region, reg.year) == ("龙华区", 2023)
    assert any("标题" in w and "龙华区" in w for w in reg.warnings)


def test_all_streets_without_streets_in_units_sheet(tmp_path):
    path = write_register(tmp_path / "r.xlsx", [row("", "40", lead="民政局、各街道")], units=[])
    with pytest.raises(RegisterError, match=r"各街道.*无法展开"):
        read_register(path)


def test_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError):
        read_register(tmp_path / "nope.xlsx")


# ---------------------------------------------------------------- through the CLI


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: write_register(p, [row("", "1"), row("", "1")]), "序号 1 重复"),
        (lambda p: write_register(p, [], header=[], title=None), "空"),
        (lambda p: p.write_bytes(b"not an excel file"), "不是有效的 Excel"),
    ],
)
def test_bad_register_gives_one_chinese_error_and_writes_nothing(tmp_path, make, expected):
    register = tmp_path / "r.xlsx"
    make(register)
    out = tmp_path / "out"
    result = run_generate(register, out)
    assert result.exit_code == 1
    assert expected in result.stderr and result.stderr.startswith("错误：")
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_register_open_in_excel_is_refused(tmp_path, seed_register):
    (seed_register.parent / f"~${seed_register.name}").write_bytes(b"lock")
    result = run_generate(seed_register, tmp_path / "out")
    assert result.exit_code == 1 and "正在 Excel/WPS 中打开" in result.stderr


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("回车_x000D_换行", "回车\r换行"),  # Excel's escape of a pasted CR
        ("控制_x0001_字符", "控制\x01字符"),
        ("字面_x005F_x0041_保留", "字面_x0041_保留"),  # inline string: protection kept
        ("字面_x0041_保留", "字面_x0041_保留"),  # shared string: openpyxl dropped it
        ("_x5B57_", "_x5B57_"),  # Excel never escapes a character XML can hold
    ],
)
def test_excel_escapes_are_decoded_only_where_excel_makes_them(stored, shown):
    assert excel_unescape(stored) == shown


@pytest.mark.libreoffice
def test_literal_escape_text_survives_a_register_saved_by_a_spreadsheet_program(tmp_path):
    """Excel, WPS and Calc store text as shared strings, which openpyxl reads differently."""
    from support.bad_files import text_register
    from support.lo import require_calc

    from toolkit.office.libreoffice import convert

    require_calc()
    name = "编号_x0041_保留"
    written = text_register(
        tmp_path / "登记表.xlsx", [("1-1", name, "目标", "目标", "民治街道")], []
    )
    saved = convert([written], "xlsx", tmp_path / "另存")[written]
    with zipfile.ZipFile(saved) as zf:
        assert "_x005F_x0041_" in zf.read("xl/sharedStrings.xml").decode()
    assert read_register(saved).project("1-1").name == name
