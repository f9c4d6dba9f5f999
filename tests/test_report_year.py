"""The 通报 over the year: repeat laggards and each unit's 报送及时率, the desk's way.

Two quarters at the desk, each with its own forms, uploads (real upload
times) and deadline: 民治街道 rates 19-2 进度滞后 in both, 31-11 only in
the third. The 通报 names 19-2 alone as a repeat laggard; its 附件3 and the
board's 本年及时率 column count the same on-time returns.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from support.browser import fill_form
from support.cli import invoke
from support.desk import desk_client, workspace
from support.lo import require_libreoffice
from support.pdf_layout import pdf_raw_text
from support.registers import seed_rows, write_register
from support.seed import MINZHI_Q3
from test_report import MINZHI, SLOW, paragraphs, table_headed

from toolkit.core.period import Period
from toolkit.desk.status import build_board
from toolkit.desk.workspace import REGISTER_NAME, Workspace
from toolkit.returns.timeliness import LATE, ON_TIME, OVERDUE, PENDING, Timeliness
from toolkit.summary.outputs import pdf_of
from toolkit.supervision.document import report_context, report_file_name
from toolkit.supervision.model import build_report, repeats_text
from toolkit.supervision.year import PeriodRecord, timely_rates, year_records

Q1, Q2, Q3 = Period(2023, 1), Period(2023, 2), Period(2023, 3)
TODAY = dt.date.today()
MINZHI_Q2 = {**MINZHI_Q3, "19-2": ("完成施工进度20%。", SLOW, "进度滞后")}


def _upload(ws: Workspace, tmp_path: Path, period: Period, unit: str, values: dict) -> None:
    name = f"{unit}{period.key}.docx"
    form = ws.form_files(period)[unit]
    ws.file_return(period, name, fill_form(form, tmp_path / period.key / name, values).read_bytes())


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """Q2: 民治街道 and 民政局 on time (deadline today). Q3: 民治街道 late (deadline yesterday)."""
    root = workspace(tmp_path)
    # The seed's register knows only Q3's targets: Q2's are taken to be the same. Q2's
    # deadline is in its 设置 too, where the command line finds an earlier quarter's.
    write_register(
        root / REGISTER_NAME,
        [[*r[:5], r[6], *r[6:]] for r in seed_rows()],
        settings={"地区": "龙华区", "年度": 2023, "第二季度报送截止日期": TODAY.isoformat()},
    )
    made = Workspace(root)
    for period in (Q2, Q3):
        made.generate(period)
    _upload(made, tmp_path, Q2, "民治街道", MINZHI_Q2)
    _upload(made, tmp_path, Q2, "民政局", {"40": ("1.已审核。", "", "正常推进")})
    _upload(made, tmp_path, Q3, "民治街道", MINZHI)
    made.set_deadline(Q2, TODAY)
    made.set_deadline(Q3, TODAY - dt.timedelta(days=1))
    return made


def test_repeat_laggards_and_rates_in_the_desks_report_and_board(ws):
    client = desk_client(ws.root)
    assert "已生成督查通报草稿" in client.post("/p/2023Q3/report").text
    docx = ws.summary_dir(Q3) / report_file_name("龙华区", Q3, ".docx")
    repeats = table_headed(docx, "上季度评价")
    assert repeats[1:] == [
        ["19-2", repeats[1][1], "民治街道（市政）", "进度滞后", "进度滞后"]
    ]  # 31-11 lags in Q3 only; 40 was not lagging in Q2
    text = "\n".join(paragraphs(docx))
    assert "2023年第二季度和本季度连续进度滞后、严重滞后的项目1项次，涉及1个单位。" in text
    assert "挂牌督办" in text
    # 附件3: Q2's deadline is today, so units missing in Q2 are not yet overdue there.
    rates = {row[1]: row[2:] for row in table_headed(docx, "报送及时率")[1:]}
    assert rates["民治街道"] == ["2", "1", "1", "0", "50.0%"]  # Q2 on time, Q3 late
    assert rates["民政局"] == ["2", "1", "0", "1", "50.0%"]  # Q2 on time, Q3 overdue
    assert rates["龙华街道"] == ["1", "0", "0", "1", "0.0%"]  # Q2 pending, Q3 overdue
    assert "各单位应按时报送" in text and "附件3" in text
    # The board counts the same.
    board = build_board(ws, Q3)
    assert board.year_periods == [Q2, Q3]
    for row in board.rows:
        assert row.rate is not None
        assert [str(row.rate.due), str(row.rate.on_time), row.rate.rate or "—"] == [
            rates[row.unit][0],
            rates[row.unit][1],
            rates[row.unit][4],
        ], row.unit
    page = client.get("/p/2023Q3").text
    assert "本年及时率" in page and "50.0%" in page


def _report_json(ws: Workspace, out: Path, *extra: str | Path) -> dict:
    args = [ws.returns_dir(Q3), "-r", ws.root / REGISTER_NAME, "-q", "3", "--json", *extra]
    done = invoke("report", *args, "--out", out)
    assert done.exit_code == 0, done.stderr
    return json.loads(done.stdout)["report"]


def test_the_command_line_takes_earlier_quarters_from_the_history(ws, tmp_path):
    history = tmp_path / "报送历史.sqlite"
    q2 = [ws.returns_dir(Q2), "-r", ws.root / REGISTER_NAME, "-q", "2", "--history", history]
    done = invoke("merge", *q2, "--out", tmp_path / "q2" / "一览表.docx")
    assert done.exit_code == 0, done.stderr
    yesterday = ws.deadline(Q3).isoformat()
    data = _report_json(ws, tmp_path / "通报.docx", "--history", history, "--deadline", yesterday)
    assert data["timeliness_periods"] == ["2023Q2", "2023Q3"]
    assert [(r["id"], r["before"], r["evaluation"]) for r in data["repeats"]] == [
        ("19-2", "进度滞后", "进度滞后")
    ]
    # The history keeps the upload times: the same rates as the desk's board.
    board = {r.unit: r.rate.as_dict() for r in build_board(ws, Q3).rows if r.rate}
    assert {r["unit"]: r for r in data["timeliness_rates"]} == board
    assert board["民治街道"]["rate"] == "50.0%"


def test_the_command_line_without_earlier_records_says_it_did_not_judge(ws, tmp_path):
    args = [ws.returns_dir(Q3), "-r", ws.root / REGISTER_NAME, "-q", "3", "--json"]
    args += ["--no-history"]
    done = invoke("report", *args, "--out", tmp_path / "通报.docx")
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)["report"]
    assert data["previous_period"] == "2023Q2" and data["repeats"] is None
    assert data["timeliness_periods"] == ["2023Q3"]
    text = "\n".join(paragraphs(tmp_path / "通报.docx"))
    assert "未找到2023年第二季度的汇总结果，未判断连续两个季度滞后的项目。" in text
    # The lagging list marks nothing as a repeat it could not know of.
    assert all(line["before"] == "" for line in data["lagging"])


def test_the_report_context_lists_repeats_and_rates_as_the_schema_says(ws):
    from toolkit.forms import schema

    facts = build_report(
        ws.merge(Q3), deadline=ws.period_deadline(Q3), earlier=ws.earlier_records(Q3)
    )
    context = report_context(facts, None)
    for name in ("repeats", "rates"):
        assert context[name], name
        assert set(context[name][0]) == schema.attribute_names(schema.REPORT, name), name


@pytest.mark.libreoffice
def test_the_repeat_laggards_and_rates_print(ws, tmp_path):
    require_libreoffice()
    files = ws.report(Q3)

    pdf = tmp_path / "通报.pdf"
    pdf.write_bytes(pdf_of(files.docx.read_bytes(), files.docx.name))
    text = re.sub(r"\s+", "", pdf_raw_text(pdf))
    assert "连续进度滞后、严重滞后的项目1项次" in text
    assert "上季度评价" in text and "挂牌督办" in text
    assert "附件3" in text and "2023年各单位报送及时率" in text and "50.0%" in text


# ---------------------------------------------------------------- the counting rules


def _t(unit: str, state: str | None) -> Timeliness:
    return Timeliness(unit, state, None, None, TODAY if state else None)


def _record(period: Period, states: dict[str, str | None], lagging=None) -> PeriodRecord:
    return PeriodRecord(period, lagging or {}, {u: _t(u, s) for u, s in states.items()})


def test_rates_count_only_periods_whose_deadline_has_passed():
    current = _record(Q3, {"甲": ON_TIME, "乙": PENDING, "丙": None})
    earlier = [
        _record(Q1, {"甲": LATE, "乙": OVERDUE, "丙": ON_TIME}),
        _record(Q2, {"甲": ON_TIME, "乙": None}),  # 丙 not in the register then
        _record(Period(2022, 4), {"甲": OVERDUE}),  # another year
        _record(Period(2023, 4), {"甲": OVERDUE}),  # later than the report
    ]
    year = year_records(current, earlier)
    assert [r.period for r in year] == [Q1, Q2, Q3]
    rates = {r.unit: r for r in timely_rates(["甲", "乙", "丙", "丁"], year)}
    assert (rates["甲"].due, rates["甲"].on_time, rates["甲"].late, rates["甲"].rate) == (
        3,
        2,
        1,
        "66.7%",
    )
    assert (rates["乙"].due, rates["乙"].overdue, rates["乙"].rate) == (1, 1, "0.0%")
    assert (rates["丙"].due, rates["丙"].rate) == (1, "100.0%")
    assert (rates["丁"].due, rates["丁"].rate) == (0, "")  # never counted: no rate, not 0%


def test_the_first_quarter_has_no_quarter_before(ws):
    facts = build_report(ws.merge(Q1), earlier=ws.earlier_records(Q1))
    assert facts.previous is None and facts.repeats == []
    assert repeats_text(facts) == "2023年第一季度是本年度第一个季度，不判断连续滞后。"
