"""`toolkit register from-summary`: a register from last quarter's 一览表, then `generate` on it."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import seed
from support.cli import invoke
from support.summaries import HEADER, seed_rows, write_summary

from toolkit.register.from_summary import read_summary, write_register
from toolkit.register.model import RegisterOptions
from toolkit.register.reader import read_register

ROOT = Path(__file__).resolve().parents[1]
UNDATED = [{"第三季度目标": "本季度目标", "第三季度进展情况": "进展情况"}.get(h, h) for h in HEADER]


def from_summary(summary: Path, register: Path, *args: str) -> tuple[dict, str]:
    result = invoke("register", "from-summary", summary, "-o", register, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def forms(register: Path, out: Path) -> dict[str, list[str]]:
    result = invoke("generate", register, "-q", "3", "-o", out, "--json")
    assert result.exit_code == 0, result.stderr
    return {f["unit"]: f["rows"] for f in json.loads(result.stdout)["forms"]}


def register_rows(register: Path) -> list[tuple]:
    return [
        (p.matter, p.id, p.name, p.annual_target, p.quarter_target(3), p.lead, p.co)
        for p in read_register(register).projects
    ]


def form_parts(folder: Path) -> dict[str, bytes]:
    parts = {}
    for form in sorted(folder.glob("*.docx")):
        with zipfile.ZipFile(form) as zf:
            parts[form.name] = zf.read("word/document.xml") + zf.read("docProps/custom.xml")
    return parts


def test_the_seed_table_becomes_a_register_that_generates_its_units_and_rows(tmp_path: Path):
    summary = write_summary(tmp_path / "一览表.docx", seed_rows())
    data, stderr = from_summary(summary, tmp_path / "登记表.xlsx")
    assert (data["region"], data["year"], data["quarter"]) == ("龙华区", 2023, 3)
    assert data["projects"] == seed.IDS
    # The 示例 row has no 序号: listed, not guessed at.
    assert data["skipped"] == ["表格第 2 行（“示  例”）：没有序号，未写入登记表。"]
    assert "未写入：表格第 2 行" in stderr
    assert register_rows(tmp_path / "登记表.xlsx") == [tuple(p) for p in seed.PROJECTS]
    by_unit = forms(tmp_path / "登记表.xlsx", tmp_path / "forms")
    # Its units: every 主办单位 it names; 各街道 is the one street it names.
    assert by_unit == {"民治街道": seed.IDS, "区委组织部": ["40"], "民政局": ["40"]}


def test_the_toolkit_s_own_summary_round_trips(tmp_path: Path, seed_register: Path) -> None:
    """register -> forms -> a return -> 一览表 -> from-summary -> the same forms."""
    returns = tmp_path / "returns"
    shutil.copytree(ROOT / "data" / "returns" / "2023Q3", returns)
    merged = invoke(
        "merge", returns, "-r", seed_register, "-q", "3", "--out", tmp_path / "汇总" / "一览表.docx"
    )
    assert merged.exit_code == 0, merged.stderr
    data, _ = from_summary(tmp_path / "汇总" / "一览表.docx", tmp_path / "新登记表.xlsx")
    assert data["skipped"] == [] and data["units"] == seed.UNITS
    assert register_rows(tmp_path / "新登记表.xlsx") == register_rows(seed_register)
    assert read_register(tmp_path / "新登记表.xlsx").unit_names() == seed.UNITS
    before = forms(seed_register, tmp_path / "before")
    after = forms(tmp_path / "新登记表.xlsx", tmp_path / "after")
    assert after == before
    assert form_parts(tmp_path / "after") == form_parts(tmp_path / "before")


def test_matter_runs_joint_leads_and_rows_it_cannot_place(tmp_path: Path) -> None:
    rows = [
        [
            "加强就业服务",
            "10-1",
            "驿站",
            "运营。",
            "服务900人。",
            "",
            "",
            "▋",
            "民治街道（工务）",
            "/",
        ],
        ["", "11-2", "党群中心", "完工。", "完成80%。", "", "", "▋", "民治街道、观湖街道", "/"],
        ["", "12-1", "没有主办单位", "完工。", "完成。", "", "", "", "", "/"],
        ["", "11-2", "序号重复", "完工。", "完成。", "", "", "", "民治街道", "/"],
        ["", "13-1", "变体", "完工。", "完成。", "", "", "", "民治街道办事处", "/"],
    ]
    summary = write_summary(tmp_path / "一览表.docx", rows, merge_first_column=[(0, 1)])
    data, stderr = from_summary(summary, tmp_path / "登记表.xlsx")
    assert data["projects"] == ["10-1", "11-2", "13-1"]
    assert [s.split("：")[1] for s in data["skipped"][1:]] == [
        "没有主办单位，未写入登记表。",
        "与表格第 4 行序号相同，未写入登记表。",
    ]
    reg = read_register(tmp_path / "登记表.xlsx")
    assert [p.matter for p in reg.projects[:2]] == ["加强就业服务", "加强就业服务"]
    assert [(lead.unit, lead.label) for lead in reg.project("10-1").leads] == [
        ("民治街道", "民治街道（工务）")
    ]
    assert [lead.unit for lead in reg.project("11-2").leads] == ["民治街道", "观湖街道"]
    # A variant is listed in 单位 as an alias of its unit.
    assert [lead.unit for lead in reg.project("13-1").leads] == ["民治街道"]
    assert reg.unit_names() == ["民治街道", "观湖街道"]
    assert "民治街道办事处" in stderr


def test_an_existing_register_is_not_overwritten(tmp_path: Path) -> None:
    summary = write_summary(tmp_path / "一览表.docx", seed_rows())
    target = tmp_path / "登记表.xlsx"
    target.write_bytes(b"the office's own")
    result = invoke("register", "from-summary", summary, "-o", target)
    assert result.exit_code == 1 and "--force" in result.stderr
    assert target.read_bytes() == b"the office's own"
    assert invoke("register", "from-summary", summary, "-o", target, "--force").exit_code == 0


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"not a document"), "不是 Word 文件"),
        (
            lambda p: write_summary(
                p, [], title="会议纪要", header=["时间", "地点"], example_row=False
            ),
            "找不到项目表",
        ),
        (
            lambda p: write_summary(p, seed_rows(), title="民生实事一览表", header=UNDATED),
            "没有写明季度",
        ),
    ],
)
def test_a_document_that_is_not_a_summary_gives_a_chinese_error(tmp_path, make, message):
    path = tmp_path / "一览表.docx"
    make(path)
    result = invoke("register", "from-summary", path, "-o", tmp_path / "登记表.xlsx")
    assert result.exit_code in (1, 2) and message in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "登记表.xlsx").exists()


# ---------------------------------------------------------------- any table an office typed

_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
_TEXT = st.text(
    st.one_of(_CJK, st.sampled_from("0123456789%。，：（）“”/ -\n")), min_size=1, max_size=30
).filter(lambda s: s.strip())
# Streets and bureaus: 各街道 never appears, so every row's units are written out.
_UNIT = st.tuples(st.text(_CJK, min_size=2, max_size=4), st.sampled_from(["街道", "局"])).map(
    "".join
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(_TEXT, _TEXT, _TEXT, st.lists(_UNIT, min_size=1, max_size=3, unique=True)),
        min_size=1,
        max_size=6,
    )
)
def test_any_typed_table_comes_back_in_the_register(tmp_path: Path, rows) -> None:
    table = [
        ["", f"{n}-1", name, annual, target, "", "", "", "、".join(units), "/"]
        for n, (name, annual, target, units) in enumerate(rows, start=1)
    ]
    summary = write_summary(tmp_path / "一览表.docx", table, example_row=False)
    found = read_summary(summary)
    write_register(found, tmp_path / "登记表.xlsx")
    reg = read_register(tmp_path / "登记表.xlsx", RegisterOptions(allow_new_units=True))
    assert [(p.id, p.name, p.annual_target, p.quarter_target(3), p.lead) for p in reg.projects] == [
        (r[1], r[2].strip(), r[3].strip(), r[4].strip(), r[8]) for r in table
    ]
