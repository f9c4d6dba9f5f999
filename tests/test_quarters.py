"""A year, quarter by quarter, through the real command line.

Forms are generated from the register, filled the way units fill them (one
quarter in LibreOffice over UNO, the others by editing the cells) and merged;
each merge is recorded in the history, each next quarter's forms show the
quarter before's texts, and the 全年一览表 shows exactly what the four
quarterly 一览表 showed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from support import quarters, seed
from support.cli import invoke
from support.fill import fill_form
from support.lo import fill_with_libreoffice, lo_text, require_libreoffice
from support.registers import write_register

from toolkit.core import rules
from toolkit.core.period import Period
from toolkit.core.previous import FOUND, PreviousEntry, PreviousQuarter
from toolkit.register.model import RegisterOptions
from toolkit.register.reader import read_register
from toolkit.returns.checks import check_return
from toolkit.returns.reader import read_return

REFERENCE = "上季度填报"
EXAMPLES = int(os.environ.get("TOOLKIT_HYPOTHESIS_EXAMPLES", "10"))


def generate(register: Path, quarter: int) -> dict[str, Path]:
    result = invoke("generate", register, "-q", str(quarter), "--json")
    assert result.exit_code == 0, result.stderr
    return {f["unit"]: Path(f["file"]) for f in json.loads(result.stdout)["forms"]}


def merge(register: Path, quarter: int, returns: Path) -> dict:
    result = invoke("merge", returns, "-r", register, "-q", str(quarter), "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def summary_rows(xlsx: Path) -> dict[str, list[dict[str, str]]]:
    """序号 -> the 一览表 workbook's rows for it, each as header -> cell text."""
    sheet = load_workbook(xlsx, read_only=True).worksheets[0]
    rows = [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    at = next(i for i, r in enumerate(rows) if rules.is_project_header_row(r))
    headers = [rules.header_key(h) or h for h in rows[at]]
    out: dict[str, list[dict[str, str]]] = {}
    for r in rows[at + 1 :]:
        cells = dict(zip(headers, r, strict=False))
        if cells.get(rules.ID):
            out.setdefault(cells[rules.ID], []).append(cells)
    return out


def annual_rows(xlsx: Path) -> dict[str, dict[str, str]]:
    sheet = load_workbook(xlsx, read_only=True).worksheets[0]
    rows = [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    at = next(i for i, r in enumerate(rows) if "序号" in r)
    out: dict[str, dict[str, str]] = {}
    for r in rows[at + 1 :]:  # a project's first line (the others continue its text)
        if r[1]:
            out.setdefault(r[1], dict(zip(rows[at], r, strict=False)))
    return out


@pytest.mark.libreoffice
def test_four_quarters_in_sequence(tmp_path: Path) -> None:
    require_libreoffice()
    register = quarters.year_register(tmp_path / "登记表.xlsx")
    summaries: dict[int, Path] = {}
    for quarter in (1, 2, 3, 4):
        forms = generate(register, quarter)
        text = lo_text(forms[quarters.REPORTING[0]], tmp_path / f"text{quarter}")
        if quarter == 1:
            assert "第一季度，无上季度内容" in text
        else:  # the unit's own texts of the quarter before, as LibreOffice shows the form
            for line in quarters.progress(quarter - 1, "民治街道", "13-3").splitlines():
                assert line in text
            assert f"下一步：{(quarter - 1) * 3 + 2}月底前完成第{quarter}批验收" in text
        returns = tmp_path / f"回收{quarter}"
        returns.mkdir()
        specs = [
            {
                "input": str(forms[unit]),
                "output": str(returns / f"{unit}.docx"),
                "rows": quarters.fills(quarter, unit),
            }
            for unit in quarters.REPORTING
        ]
        if quarter == 2:
            fill_with_libreoffice(specs)  # as a unit does it, in LibreOffice Writer
        else:
            for s in specs:
                fill_form(Path(s["input"]), Path(s["output"]), s["rows"])
        data = merge(register, quarter, returns)
        assert data["history"]["version"] == 1
        codes = {f["code"] for f in data["findings"] if f["unit"] in quarters.REPORTING}
        assert not codes & {"unchanged_text", "commitment_not_mentioned"}, data["findings"]
        assert ("q4_not_completed" in codes) == (quarter == 4)  # row 40 is not done in Q4
        summaries[quarter] = Path(data["outputs"]["xlsx"])

    # The history, as `toolkit history` shows one project.
    shown = invoke("history", "13-3", "--json")
    assert shown.exit_code == 0, shown.stderr
    year = json.loads(shown.stdout)
    assert [q["period"] for q in year["quarters"]] == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    for n, q in enumerate(year["quarters"], start=1):
        assert q["progress"] == quarters.progress(n, "民治街道", "13-3")
        assert q["evaluation"] == quarters.evaluation(n, "13-3")

    # The year's view: every cell as the quarter's 一览表 had it.
    done = invoke("annual", "--year", "2023", "--json")
    assert done.exit_code == 0, done.stderr
    annual = annual_rows(Path(json.loads(done.stdout)["outputs"]["xlsx"]))
    assert list(annual) == seed.IDS
    for quarter, xlsx in summaries.items():
        label = f"第{rules.QUARTER_CN[quarter]}季度"
        merged = summary_rows(xlsx)
        for pid in seed.IDS:
            rows = merged[pid]  # a joint project: a line per unit, each with its evaluation
            evaluations = [r[rules.EVALUATION].split("\n")[0] for r in rows]
            evaluation = rules.least_advanced(evaluations) or evaluations[0]
            assert annual[pid][f"{label}进度评价"] == evaluation, (quarter, pid)
            if len(rows) == 1:
                assert annual[pid][f"{label}进展情况"] == rows[0][rules.PROGRESS], (quarter, pid)
    assert annual["13-3"]["第四季度进度评价"] == "已完成"
    assert annual["40"]["第四季度进度评价"] == "正常推进"

    # Re-merging a quarter keeps the earlier version.
    again = tmp_path / "回收2-修改"
    again.mkdir()
    rows = quarters.fills(2, "民治街道")
    rows["13-3"]["进展情况"] += "\n4.补报：完成消防验收。"
    forms = generate_again(register, 2)
    fill_form(forms["民治街道"], again / "民治街道.docx", rows)
    fill_form(forms["民政局"], again / "民政局.docx", quarters.fills(2, "民政局"))
    assert merge(register, 2, again)["history"]["version"] == 2
    versions = json.loads(invoke("history", "--period", "2023Q2", "--json").stdout)["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["changes"]["entries"] == [
        {"id": "13-3", "unit": "民治街道", "fields": ["进展情况"]}
    ]
    quarter_two = json.loads(invoke("history", "13-3", "--json").stdout)["quarters"][1]
    assert quarter_two["version"] == 2 and "补报" in quarter_two["progress"]


def generate_again(register: Path, quarter: int) -> dict[str, Path]:
    result = invoke("generate", register, "-q", str(quarter), "--force", "--json")
    assert result.exit_code == 0, result.stderr
    return {f["unit"]: Path(f["file"]) for f in json.loads(result.stdout)["forms"]}


# ---------------------------------------------------------------- the reference column


@pytest.mark.libreoffice
def test_the_reference_column_is_never_read_as_the_units_text(tmp_path: Path) -> None:
    """Filled in LibreOffice, even the reference cell typed over: only the unit's cells count."""
    require_libreoffice()
    register = quarters.year_register(tmp_path / "登记表.xlsx")
    first = tmp_path / "回收1"
    first.mkdir()
    forms = generate(register, 1)
    fill_form(forms["民治街道"], first / "民治街道.docx", quarters.fills(1, "民治街道"))
    merge(register, 1, first)
    forms = generate(register, 2)
    rows = quarters.fills(2, "民治街道")
    rows["10-3"][REFERENCE] = "参考栏被单位改写了：这段文字不应汇总。"
    second = tmp_path / "回收2"
    fill_with_libreoffice(
        [{"input": str(forms["民治街道"]), "output": str(second / "民治街道.docx"), "rows": rows}]
    )
    sent = read_return(second / "民治街道.docx", quarter=2)
    row = next(r for r in sent.rows if r.id == "10-3")
    assert row.cells[rules.REFERENCE] == "参考栏被单位改写了：这段文字不应汇总。"
    assert row.cells[rules.PROGRESS] == quarters.progress(2, "民治街道", "10-3")
    assert not row.extra
    other = next(r for r in sent.rows if r.id == "13-3")
    assert quarters.progress(1, "民治街道", "13-3").splitlines()[0] in other.cells[rules.REFERENCE]
    data = merge(register, 2, second)
    # Not merged, not lost: quoted in the one finding that says the cell is not merged.
    quoting = [f for f in data["findings"] if "参考栏被单位改写了" in f["message"]]
    assert [(f["code"], f["id"]) for f in quoting] == [("reference_changed", "10-3")]
    assert not [
        f for f in data["findings"] if f["code"] == "reference_changed" and f["id"] != "10-3"
    ]
    summary = summary_rows(Path(data["outputs"]["xlsx"]))
    assert summary["10-3"][0][rules.PROGRESS] == quarters.progress(2, "民治街道", "10-3")
    assert "参考栏" not in json.dumps(summary, ensure_ascii=False)


_TYPED = st.text(
    st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
        st.sampled_from("0123456789%.。，：；、（）“”-\n 进展情况存在问题下一步进度评价已完成"),
    ),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip())


MARK = "〔参考〕"


@pytest.fixture(scope="module")
def q3_form(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The seed register and 民治街道's third-quarter form (its reference column says why empty)."""
    root = tmp_path_factory.mktemp("q3")
    register = write_register(root / "登记表.xlsx")
    result = invoke("generate", register, "-q", "3", "-o", root / "forms", "-u", "民治街道")
    assert result.exit_code == 0, result.stderr
    return register, next((root / "forms").glob("*民治街道*.docx"))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(reference=_TYPED, progress=_TYPED)
def test_whatever_is_typed_in_the_reference_column_stays_out(
    tmp_path: Path, q3_form: tuple[Path, Path], reference: str, progress: str
) -> None:
    register_path, form_path = q3_form
    reference = MARK + reference  # whatever the unit typed over the reference, findable
    rows = {"10-3": {REFERENCE: reference, "进展情况": progress, "进度评价": "正常推进"}}
    filled = fill_form(form_path, tmp_path / "filled.docx", rows)
    register = read_register(register_path, RegisterOptions())
    period = Period(2023, 3)
    sent = read_return(filled, quarter=3)
    entries, findings = check_return(register, period, "民治街道", sent)
    entry = entries["10-3"]
    assert entry.progress == progress.strip("\n")
    assert not entry.extra
    assert MARK not in entry.progress + entry.plan + entry.evaluation_typed
    assert not [f for f in findings if MARK in f.message]


def test_the_previous_quarters_texts_reach_the_form_rows(tmp_path: Path) -> None:
    """generate with texts of the quarter before: each row's reference holds its unit's own."""
    from toolkit.forms.context import form_context

    register = read_register(write_register(tmp_path / "r.xlsx"), RegisterOptions())
    period = Period(2023, 3)
    previous = PreviousQuarter(
        period,
        FOUND,
        {
            ("10-3", "民治街道"): PreviousEntry("1.驿站已开放。", "9月底前举办活动。", "正常推进"),
            ("40", "民政局"): PreviousEntry("民政局的话", "", "进度滞后"),
        },
    )
    ctx = form_context(
        register, period, "民治街道", register.projects_of("民治街道"), "x", previous
    )
    by_id = {r["id"]: r["previous"] for r in ctx["rows"]}
    assert by_id["10-3"]["text"] == (
        "进展情况：1.驿站已开放。\n问题及计划：9月底前举办活动。\n进度评价：正常推进"
    )
    assert by_id["40"]["text"] == "二季度未报送此项"  # 民政局's entry is not 民治街道's
    assert ctx["previous_label"] == "第二季度" and ctx["previous_note"] == ""


def test_the_reference_cell_is_cut_where_the_texts_are_long(tmp_path: Path) -> None:
    from toolkit.forms.context import REFERENCE_CHARS, previous_context

    long = "已完成" + "施工" * 200
    previous = PreviousQuarter(
        Period(2023, 3), FOUND, {("10-3", "民治街道"): PreviousEntry(long, long, "正常推进")}
    )
    row = previous_context(previous, "10-3", "民治街道")
    assert row["progress"] == row["plan"] == long  # whole, for a template that wants it all
    first, second, third = row["text"].split("\n")
    assert first == f"进展情况：{long[:REFERENCE_CHARS]}…"
    assert second == f"问题及计划：{long[:REFERENCE_CHARS]}…"
    assert third == "进度评价：正常推进"
