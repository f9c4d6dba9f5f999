"""The register as offices keep it: one sheet with a title row, no 单位 or 设置
sheet, saved as .xlsx, .xls or .ods (made by LibreOffice Calc here)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import time
import zipfile
from pathlib import Path, PureWindowsPath

import pytest
from openpyxl import Workbook, load_workbook
from support import seed
from support.cli import invoke
from support.registers import seed_rows, with_cached_values, write_office_register, write_register

from toolkit.errors import RegisterError
from toolkit.register.model import RegisterOptions
from toolkit.register.reader import read_register
from toolkit.register.settings import region_and_year
from toolkit.register.source import lock_file

OTHER_STREETS = [s for s in seed.STREETS if s != "民治街道"]


def office_rows() -> list[list]:
    """The seed's rows, and one row for each street the seed names only through 各街道."""
    extra = [
        ["", f"{50 + n}-1", f"{street}便民服务站", "完工。", "", "", "完成80%。", "", street, "/"]
        for n, street in enumerate(OTHER_STREETS)
    ]
    return seed_rows() + extra


@pytest.fixture(scope="module")
def registers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("registers")
    return {
        "three_sheets": write_register(folder / "三表登记表.xlsx", office_rows()),
        "xlsx": write_office_register(
            folder / "台账.xlsx", office_rows(), sheet="2023年民生实事项目"
        ),
    }


def _office_register(registers: dict[str, Path], fmt: str, tmp_path: Path) -> Path:
    if fmt == "xlsx":
        return registers["xlsx"]
    from support.spreadsheets import saved_as

    return saved_as(registers["xlsx"], fmt, tmp_path)


def _forms(register: Path, out: Path, *args: str) -> dict[str, list[str]]:
    result = invoke("generate", register, "-q", "3", "-o", out, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return {f["unit"]: f["rows"] for f in json.loads(result.stdout)["forms"]}


def _form_parts(folder: Path) -> dict[str, tuple[bytes, bytes]]:
    parts = {}
    for form in sorted(folder.glob("*.docx")):
        with zipfile.ZipFile(form) as zf:
            parts[form.name] = (zf.read("word/document.xml"), zf.read("docProps/custom.xml"))
    return parts


@pytest.mark.parametrize(
    "fmt",
    [
        "xlsx",
        pytest.param("xls", marks=pytest.mark.libreoffice),
        pytest.param("ods", marks=pytest.mark.libreoffice),
    ],
)
def test_single_sheet_register_gives_the_same_forms_as_the_three_sheet_register(
    registers: dict[str, Path], fmt: str, tmp_path: Path
) -> None:
    office = _office_register(registers, fmt, tmp_path)
    expected = _forms(registers["three_sheets"], tmp_path / "three")
    result = invoke("generate", office, "-q", "3", "-o", tmp_path / "office", "--json")
    assert result.exit_code == 0, result.stderr
    assert {f["unit"]: f["rows"] for f in json.loads(result.stdout)["forms"]} == expected
    assert set(expected) == set(seed.UNITS)
    assert _form_parts(tmp_path / "office") == _form_parts(tmp_path / "three")
    # 各街道 expanded to the streets the register names, and the office is told.
    assert "按主办单位中写出的 6 个街道展开" in result.stderr
    assert "标题“龙华区2023年民生实事项目台账”" in result.stderr


@pytest.mark.parametrize(
    "fmt",
    [
        "xlsx",
        pytest.param("xls", marks=pytest.mark.libreoffice),
        pytest.param("ods", marks=pytest.mark.libreoffice),
    ],
)
def test_merged_cells_formulas_and_dates_on_every_format(fmt: str, tmp_path: Path) -> None:
    rows = [
        ["加强就业服务", "10-1", "驿站", "完工。", "", "", "运营。", "", "民治街道", "/"],
        [None, "11-1", '="北站"&"党群中心"', "完工。", "", "", "完成80%。", "", "民治街道", "/"],
        [None, dt.datetime(2023, 10, 3), "挡墙", "完工。", "", "", "完成。", "", "民治街道", "/"],
        ["另一件", 40.0, "微实事", "审核。", "", "", "推进。", "", "民治街道", "/"],
    ]
    source = write_office_register(tmp_path / "台账.xlsx", rows)
    wb = load_workbook(source)
    wb.active.merge_cells("A3:A5")  # title, header, then 10-1, 11-1 and 10-3: two 件
    wb.save(source)
    if fmt == "xlsx":
        with_cached_values(source, {"C4": "北站党群中心"})  # as Excel saves it
        register = source
    else:  # Calc calculates the formula when it saves
        register = _office_register({"xlsx": source}, fmt, tmp_path / "saved")
    reg = read_register(register)
    assert [p.id for p in reg.projects] == ["10-1", "11-1", "10-3", "40"]
    assert [p.matter for p in reg.projects] == ["加强就业服务"] * 3 + ["另一件"]
    assert reg.project("11-1").name == "北站党群中心"
    assert any("日期" in w and "10-3" in w for w in reg.warnings)


@pytest.mark.libreoffice
def test_ods_formula_without_a_result_names_the_cell(tmp_path: Path) -> None:
    from support.spreadsheets import saved_as

    rows = [["", "10-1", '="北站"&"党群中心"', "完工。", "", "", "完成。", "", "民治街道", "/"]]
    ods = saved_as(write_office_register(tmp_path / "台账.xlsx", rows), "ods", tmp_path / "ods")
    # A program that writes .ods without calculating leaves only table:formula.
    with zipfile.ZipFile(ods) as zin:
        entries = [(i, zin.read(i)) for i in zin.infolist()]
    with zipfile.ZipFile(ods, "w") as zout:
        for info, data in entries:
            if info.filename == "content.xml":
                data, n = re.subn(
                    rb'(<table:table-cell[^>]*table:formula="[^"]*")[^>]*>.*?</table:table-cell>',
                    rb"\1/>",
                    data,
                    flags=re.S,
                )
                assert n == 1
            zout.writestr(info, data)
    with pytest.raises(RegisterError) as exc:
        read_register(ods)
    assert exc.value.cell == "C3" and "公式" in str(exc.value)


# ---------------------------------------------------------------- 地区 and 年度


def test_region_and_year_from_the_file_name(tmp_path: Path) -> None:
    path = write_office_register(
        tmp_path / "龙华区2023年民生实事台账.xlsx", office_rows(), title=None
    )
    reg = read_register(path)
    assert (reg.region, reg.year) == ("龙华区", 2023)
    assert any("文件名" in w for w in reg.warnings)


def test_without_a_region_anywhere_the_error_asks_for_region(tmp_path: Path) -> None:
    path = write_office_register(tmp_path / "台账.xlsx", office_rows(), title="民生实事项目")
    result = invoke("generate", path, "-q", "3", "-o", tmp_path / "out")
    assert result.exit_code == 1 and "--region" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()
    result = invoke(
        "generate", path, "-q", "3", "-o", tmp_path / "out", "--region", "龙华区", "-y", "2023"
    )
    assert result.exit_code == 0, result.stderr
    assert all(p.name.startswith("龙华区2023年第三季度") for p in (tmp_path / "out").glob("*.docx"))


def test_the_command_line_wins_over_the_settings_sheet(tmp_path: Path) -> None:
    reg = read_register(
        write_register(tmp_path / "r.xlsx"), RegisterOptions(region="深圳市龙华区", year=2024)
    )
    assert (reg.region, reg.year) == ("深圳市龙华区", 2024)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("龙华区2023年民生实事项目台账", ("龙华区", "2023")),
        ("深圳市龙华区 2023 年民生实事", ("深圳市龙华区", "2023")),
        ("2023年民生实事项目", (None, "2023")),
        ("民生实事项目登记表（龙华区２０２３年）", ("龙华区", "2023")),
        ("民生实事项目", (None, None)),
        # A name from a Windows path: only the last part counts.
        (PureWindowsPath(r"D:\报送\龙岗区2024年台账.xlsx").stem, ("龙岗区", "2024")),
    ],
)
def test_region_and_year_in_a_title(text: str, found: tuple) -> None:
    assert region_and_year(text) == found


# ---------------------------------------------------------------- which sheet


def test_the_project_sheet_is_found_on_any_sheet_and_results_sheets_are_not_it(tmp_path):
    path = write_office_register(tmp_path / "台账.xlsx", office_rows())
    wb = load_workbook(path)
    wb.create_sheet("说明", 0).append(["本表由区政府办维护"])
    wb.create_sheet("2023Q2进展").append(["序号", "项目名称", "主办单位", "进展情况"])
    wb.save(path)
    assert len(read_register(path).projects) == len(office_rows())


def test_two_project_sheets_are_listed_and_项目_wins(tmp_path: Path) -> None:
    path = write_office_register(tmp_path / "台账.xlsx", office_rows(), sheet="2023年")
    wb = load_workbook(path)
    copy = wb.copy_worksheet(wb["2023年"])
    copy.title = "2022年"
    wb.save(path)
    with pytest.raises(RegisterError) as exc:
        read_register(path)
    assert "「2023年」" in str(exc.value) and "「2022年」" in str(exc.value)
    assert "「项目」" in (exc.value.hint or "")
    wb["2023年"].title = "项目"
    wb.save(path)
    assert len(read_register(path).projects) == len(office_rows())


def test_no_project_sheet_lists_the_sheets(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "封面"
    wb.active.append(["龙华区2023年民生实事"])
    wb.create_sheet("统计").append(["单位", "项目数"])
    wb.save(tmp_path / "r.xlsx")
    with pytest.raises(RegisterError, match="「封面」、「统计」"):
        read_register(tmp_path / "r.xlsx")


# ---------------------------------------------------------------- formats


@pytest.mark.libreoffice
def test_a_format_only_libreoffice_reads_is_converted_with_a_notice(tmp_path: Path) -> None:
    from support.spreadsheets import saved_as

    flat = saved_as(registers_xlsx(tmp_path), "fods", tmp_path / "flat")
    reg = read_register(flat)
    assert len(reg.projects) == len(office_rows())
    assert any("LibreOffice 转换" in w and "未改动" in w for w in reg.warnings)


def registers_xlsx(tmp_path: Path) -> Path:
    return write_office_register(tmp_path / "龙华区2023年台账.xlsx", office_rows())


def test_a_workbook_under_another_format_s_name_is_read_by_its_content(tmp_path: Path) -> None:
    """WPS and offices save one format under another's extension: the content decides."""
    path = registers_xlsx(tmp_path)
    renamed = path.with_name("登记表.xls")
    renamed.write_bytes(path.read_bytes())
    assert len(read_register(renamed).projects) == len(office_rows())


# ---------------------------------------------------------------- the ~$ lock file


def test_a_lock_file_older_than_the_register_is_ignored_with_a_notice(tmp_path: Path) -> None:
    path = registers_xlsx(tmp_path)
    lock = lock_file(path)
    lock.write_bytes(b"\x05owner")
    old = time.time() - 3600
    os.utime(lock, (old, old))
    result = invoke("generate", path, "-q", "3", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert "~$龙华区2023年台账.xlsx" in result.stderr and "保存过" in result.stderr


def test_lock_file_names_follow_windows_paths() -> None:
    path = PureWindowsPath(r"C:\Users\办公室\桌面\登记表.xlsx")
    assert str(lock_file(path)) == r"C:\Users\办公室\桌面\~$登记表.xlsx"  # type: ignore[arg-type]


# ---------------------------------------------------------------- the desk and template preview


@pytest.mark.libreoffice
def test_the_desk_and_template_preview_take_an_office_register(registers, tmp_path: Path) -> None:
    from toolkit.desk.workspace import Workspace

    xls = _office_register(registers, "xls", tmp_path / "saved")
    root = tmp_path / "工作"
    root.mkdir()
    shutil.copy(xls, root / "2023年台账.xls")
    ws = Workspace(root)
    assert ws.find_register() == root / "2023年台账.xls"
    assert set(ws.register().unit_names()) == set(seed.UNITS)
    template = Path(__file__).resolve().parents[1] / "templates" / "form.docx"
    result = invoke(
        "template", "preview", template, "-o", tmp_path / "预览.docx", "-r", xls, "-q", "3",
        "--unit", "观湖街道",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "预览.docx").is_file()
