"""主办单位 names as offices type them: typos are stopped, variants are the same unit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from support.cli import invoke
from support.registers import seed_rows, write_office_register, write_register

from toolkit.errors import RegisterError
from toolkit.register.model import RegisterOptions
from toolkit.register.names import name_key
from toolkit.register.reader import read_register


def with_lead(lead: str, pid: str = "99-1") -> list[list]:
    """The seed's rows and one more, led by `lead`."""
    return [*seed_rows(), ["", pid, "新项目", "完工。", "", "", "完成。", "", lead, "/"]]


def forms(register: Path, out: Path, *args: str) -> tuple[dict[str, list[str]], str]:
    result = invoke("generate", register, "-q", "3", "-o", out, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return {f["unit"]: f["rows"] for f in json.loads(result.stdout)["forms"]}, result.stderr


# ---------------------------------------------------------------- with a 单位 sheet


def test_a_typo_is_an_error_that_asks_what_was_meant(tmp_path: Path) -> None:
    register = write_register(tmp_path / "r.xlsx", with_lead("明治街道"))
    result = invoke("generate", register, "-q", "3", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "单元格 I12" in result.stderr and "是否指：民治街道" in result.stderr
    assert "--allow-new-units" in result.stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize("variant", ["民治街道办事处", "民治 街道", "龙华区民治街道", "民治街道办"])
def test_a_variant_of_a_listed_unit_is_that_unit_with_a_notice(tmp_path, variant) -> None:
    register = write_register(tmp_path / "r.xlsx", with_lead(variant))
    by_unit, stderr = forms(register, tmp_path / "out")
    assert "99-1" in by_unit["民治街道"] and variant not in by_unit
    assert f"主办单位写作“{variant}”，按“民治街道”处理" in stderr


def test_a_new_unit_is_accepted_when_the_command_line_says_so(tmp_path: Path) -> None:
    register = write_register(tmp_path / "r.xlsx", with_lead("区城管局"))
    assert invoke("generate", register, "-q", "3", "-o", tmp_path / "no").exit_code == 1
    by_unit, stderr = forms(register, tmp_path / "out", "--allow-new-units")
    assert by_unit["区城管局"] == ["99-1"]
    assert "I12：主办单位“区城管局”不在「单位」工作表中，按新单位生成" in stderr


def test_an_alias_in_the_units_sheet_says_a_name_is_intended(tmp_path: Path) -> None:
    register = write_register(tmp_path / "r.xlsx", with_lead("区民政局"))
    wb = load_workbook(register)
    units = wb["单位"]
    units.cell(1, 6).value = "别名"
    row = next(r for r in range(2, units.max_row + 1) if units.cell(r, 1).value == "民政局")
    units.cell(row, 6).value = "区民政局、民政"
    wb.save(register)
    by_unit, stderr = forms(register, tmp_path / "out")
    assert by_unit["民政局"] == ["40", "99-1"] and "区民政局" not in stderr


# ---------------------------------------------------------------- without a 单位 sheet


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("明治街道", "是否指：民治街道？"),
        ("民治街道办事处", None),
        ("民治 街道", None),
        ("龙华区民治街道", None),
    ],
)
def test_the_issue_s_typos_without_a_units_sheet(tmp_path, typed, error) -> None:
    register = write_office_register(tmp_path / "台账.xlsx", with_lead(typed))
    if error:
        with pytest.raises(RegisterError) as exc:
            read_register(register)
        assert error in str(exc.value) and exc.value.cell == "I12"
        reg = read_register(register, RegisterOptions(allow_new_units=True))
        assert reg.project("99-1").leads[0].unit == typed
    else:
        reg = read_register(register)
        assert reg.project("99-1").leads[0].unit == "民治街道"
        assert any(f"“{typed}”，按“民治街道”处理" in w for w in reg.warnings)
        assert "99-1" in [p.id for p in reg.projects_of("民治街道")]


def test_two_real_streets_one_character_apart_are_not_a_typo(tmp_path: Path) -> None:
    rows = [
        ["", "1-1", "甲", "完工。", "", "", "完成。", "", "观湖街道", "/"],
        ["", "2-1", "乙", "完工。", "", "", "完成。", "", "观澜街道", "/"],
    ]
    reg = read_register(write_office_register(tmp_path / "台账.xlsx", rows))
    assert reg.unit_names() == ["观湖街道", "观澜街道"]


def test_three_character_names_are_left_alone(tmp_path: Path) -> None:
    rows = [["", f"{n}-1", "甲", "完工。", "", "", "完成。", "", "民政局", "/"] for n in range(3)]
    rows.append(["", "9-1", "乙", "完工。", "", "", "完成。", "", "民宗局", "/"])
    assert (
        "民宗局" in read_register(write_office_register(tmp_path / "台账.xlsx", rows)).unit_names()
    )


# ---------------------------------------------------------------- any name


NAMES = st.text(st.characters(categories=("Lo",)), min_size=2, max_size=6)


@given(base=NAMES, spaces=st.integers(0, 3))
def test_every_way_of_writing_a_street_has_one_key(base: str, spaces: int) -> None:
    street = f"{base}街道"
    spaced = street[:1] + " " * spaces + street[1:]
    key = name_key(street, "龙华区")
    for variant in (spaced, f"{street}办事处", f"龙华区{street}", f"深圳市龙华区{street}办"):
        assert name_key(variant, "龙华区") == key


LEAD_CELLS = st.lists(
    st.one_of(
        NAMES.map(lambda s: s + "街道"), NAMES, st.sampled_from(["各街道", "/", "民治街道（工务）"])
    ),
    min_size=1,
    max_size=4,
).map("、".join)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(leads=st.lists(LEAD_CELLS, min_size=1, max_size=5), allow=st.booleans())
def test_any_lead_cells_read_or_give_a_register_error(tmp_path: Path, leads, allow) -> None:
    rows = [
        ["", f"{n}-1", "项目", "完工。", "", "", "完成。", "", lead, "/"]
        for n, lead in enumerate(leads)
    ]
    register = write_office_register(tmp_path / "台账.xlsx", rows)
    try:
        reg = read_register(register, RegisterOptions(allow_new_units=allow))
    except RegisterError as exc:
        assert exc.sheet == "Sheet1"
        return
    assert {lead.unit for p in reg.projects for lead in p.leads} <= set(reg.unit_names())
