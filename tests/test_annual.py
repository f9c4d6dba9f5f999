"""The 全年一览表 from the history, its template, and a form template without the reference column."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from support import quarters
from support.build_annual import build_annual_template
from support.cli import invoke
from support.fill import fill_form
from support.template_edits import FORM, check_json, edited

from toolkit.returns.reader import read_return
from toolkit.summary.model import DEFAULT_COLORS

ROOT = Path(__file__).resolve().parents[1]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def cell_text(tc: etree._Element) -> str:
    """A cell's text: paragraphs and line breaks as new lines."""

    def para(p: etree._Element) -> str:
        return "".join(
            "\n" if el.tag == f"{{{W}}}br" else el.text or ""
            for el in p.iter(f"{{{W}}}t", f"{{{W}}}br")
        )

    return "\n".join(para(p) for p in tc.iterfind("w:p", NS))


def tables(docx: Path) -> list[list[list[etree._Element]]]:
    with zipfile.ZipFile(docx) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    return [
        [tr.findall("w:tc", NS) for tr in tbl.findall("w:tr", NS)]
        for tbl in root.iter(f"{{{W}}}tbl")
    ]


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Three quarters merged (the fourth not): the register, each merge's JSON, the history."""
    root = tmp_path_factory.mktemp("year")
    register = quarters.year_register(root / "登记表.xlsx")
    history = root / "输出" / "报送历史.sqlite"
    merges = {}
    for quarter in (1, 2, 3):
        made = invoke(
            "generate", register, "-q", str(quarter), "-o", root / f"forms{quarter}",
            "--history", history, "--json",
        )  # fmt: skip
        assert made.exit_code == 0, made.stderr
        forms = {f["unit"]: Path(f["file"]) for f in json.loads(made.stdout)["forms"]}
        returns = root / f"returns{quarter}"
        returns.mkdir()
        for unit in quarters.REPORTING:
            fill_form(forms[unit], returns / f"{unit}.docx", quarters.fills(quarter, unit))
        done = invoke(
            "merge", returns, "-r", register, "-q", str(quarter),
            "--out", root / f"out{quarter}" / "一览表.docx", "--history", history, "--json",
        )  # fmt: skip
        assert done.exit_code == 0, done.stderr
        merges[quarter] = json.loads(done.stdout)
    return {"root": root, "register": register, "history": history, "merges": merges}


def test_the_shipped_annual_template_is_the_one_the_builder_makes(tmp_path: Path) -> None:
    built = build_annual_template(tmp_path / "annual.docx")
    assert built.read_bytes() == (ROOT / "templates" / "annual.docx").read_bytes()


def test_the_annual_word_table_shows_each_quarter(year: dict, tmp_path: Path) -> None:
    out = tmp_path / "全年.docx"
    done = invoke("annual", "--history", year["history"], "--out", out, "--json")
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["merged"] == ["2023Q1", "2023Q2", "2023Q3"]
    assert "未汇总：第四季度" in done.stderr
    stats, projects = tables(out)
    # Each merged quarter's counts, as its 一览表 counted them; the fourth marked 未汇总.
    assert [cell_text(c) for c in stats[0]][:2] == ["季度", "已完成"]
    q2 = [cell_text(c) for c in stats[2]]
    assert q2[0] == "第二季度" and q2[3] == "8"  # 进度滞后: 民治街道's eight rows
    assert cell_text(stats[4][0]) == "第四季度（未汇总）"
    assert [cell_text(c) for c in stats[4][1:-1]] == ["—"] * 8
    header, *rows = projects
    assert [cell_text(c) for c in header][5:] == [
        "第一季度",
        "第二季度",
        "第三季度",
        "第四季度",
        "最新进展情况",
    ]
    by_id = {cell_text(r[1]): r for r in rows}
    row = by_id["13-3"]
    marks = row[5:9]
    colors = [m.find(".//w:color", NS) for m in marks[:3]]
    assert [c.get(f"{{{W}}}val") for c in colors] == [
        DEFAULT_COLORS[quarters.evaluation(q, "13-3")] for q in (1, 2, 3)
    ]
    assert [cell_text(m) for m in marks[:3]] == ["▋"] * 3
    assert cell_text(marks[3]) == "未汇总"
    latest = quarters.progress(3, "民治街道", "13-3")
    assert cell_text(row[9]) == f"（第三季度）{latest}"


def test_annual_refuses_a_year_not_merged_and_a_wrong_name(year: dict, tmp_path: Path) -> None:
    none = invoke("annual", "--history", year["history"], "--year", "2022")
    assert none.exit_code == 2
    assert "没有2022年的汇总记录" in none.stderr and "其中有：2023年" in none.stderr
    wrong = invoke("annual", "--history", year["history"], "--out", tmp_path / "全年.xlsx")
    assert wrong.exit_code == 2 and "--out 应是 .docx 文件" in wrong.stderr


def test_the_annual_files_are_never_taken_for_returns(year: dict, tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    done = invoke("annual", "--history", year["history"], "--out", folder / "全年.docx")
    assert done.exit_code == 0, done.stderr
    fill_form(
        next((year["root"] / "forms3").glob("*民治街道*")),
        folder / "民治街道.docx",
        quarters.fills(3, "民治街道"),
    )
    result = invoke(
        "check", folder, "-r", year["register"], "-q", "3", "--history", year["history"], "--json"
    )
    skipped = {Path(s["file"]).name: s["kind"] for s in json.loads(result.stdout)["skipped"]}
    assert skipped == {"全年.docx": "own_output", "全年.xlsx": "own_output"}


# ---------------------------------------------------------------- the reference column removed


def _without_reference(root: etree._Element) -> None:
    tbl = next(root.iter(f"{{{W}}}tbl"))
    header = tbl.find("w:tr", NS)
    at = next(i for i, tc in enumerate(header.findall("w:tc", NS)) if "参考" in cell_text(tc))
    grid = tbl.find("w:tblGrid", NS)
    removed = grid.findall("w:gridCol", NS)[at]
    grid.remove(removed)
    wide = grid.findall("w:gridCol", NS)[at]  # 进展情况 takes the width
    wide.set(f"{{{W}}}w", str(int(wide.get(f"{{{W}}}w")) + int(removed.get(f"{{{W}}}w"))))
    for tr in tbl.findall("w:tr", NS):
        tr.remove(tr.findall("w:tc", NS)[at])


def test_a_form_template_without_the_reference_column_still_works(
    year: dict, tmp_path: Path
) -> None:
    template = edited(FORM, tmp_path / "无参考列.docx", _without_reference)
    rc, data = check_json(template)
    assert rc == 0, data["problems"]
    made = invoke(
        "generate", year["register"], "-q", "3", "-o", tmp_path / "forms", "-t", template,
        "--history", year["history"], "--json",
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr
    form = next(
        Path(f["file"]) for f in json.loads(made.stdout)["forms"] if f["unit"] == "民治街道"
    )
    assert not [h for h in read_return(form, quarter=3).headers if "上季度" in h]
    with zipfile.ZipFile(form) as zf:
        text = re.sub(r"<[^>]+>", "", zf.read("word/document.xml").decode("utf-8"))
    assert "第2季度民治街道" not in text  # no texts of the quarter before anywhere
    returns = tmp_path / "returns"
    returns.mkdir()
    fill_form(form, returns / "民治街道.docx", quarters.fills(3, "民治街道"))
    done = invoke(
        "check", returns, "-r", year["register"], "-q", "3", "--history", year["history"], "--json"
    )
    codes = {f["code"] for f in json.loads(done.stdout)["findings"] if f["unit"] == "民治街道"}
    assert not codes & {"unreadable", "no_table", "missing_row", "empty_progress"}
