"""Timeliness: when each accepted return arrived (upload time, or file time) against the deadline.

The deadline comes from `--deadline`, the desk, or the register's 设置;
the arrival from the desk's stored name (`<时间>-<文件名>`) or the file's
time. `check`/`merge --json`, the desk's board and the 通报 use one rule.
"""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.browser import fill_form
from support.cli import invoke
from support.desk import desk_client, workspace
from support.registers import write_register
from support.seed import MINZHI_Q3

from toolkit.core.period import Period
from toolkit.desk.names import stored_name
from toolkit.desk.status import build_board
from toolkit.desk.workspace import REGISTER_NAME, Workspace
from toolkit.office.filenames import FROM_FILE_TIME, FROM_NAME, received_at
from toolkit.returns.timeliness import (
    LATE,
    ON_TIME,
    OVERDUE,
    PENDING,
    deadline_setting,
    parse_deadline,
)

Q3, Q4 = Period(2023, 3), Period(2023, 4)
CLEAN = {pid: ("1.已完成阶段目标。", "", "正常推进") for pid in MINZHI_Q3}


# ---------------------------------------------------------------- the deadline as written


@pytest.mark.parametrize(
    ("text", "period", "day"),
    [
        ("2023-10-10", Q3, dt.date(2023, 10, 10)),
        ("2023/10/10", Q3, dt.date(2023, 10, 10)),
        ("2023.10.10", Q3, dt.date(2023, 10, 10)),
        ("2023年10月10日", Q3, dt.date(2023, 10, 10)),  # also what an Excel date cell reads as
        ("２０２３年１０月１０日", Q3, dt.date(2023, 10, 10)),
        ("20231010", Q3, dt.date(2023, 10, 10)),
        ("10月10日", Q3, dt.date(2023, 10, 10)),
        ("1月10日", Q4, dt.date(2024, 1, 10)),  # the fourth quarter reports in January
        ("2023-02-30", Q3, None),
        ("下周一", Q3, None),
        ("", Q3, None),
    ],
)
def test_deadlines_as_offices_write_them(text, period, day):
    assert parse_deadline(text, period) == day


@settings(max_examples=int(os.environ.get("TOOLKIT_HYPOTHESIS_EXAMPLES", "60")), deadline=None)
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_any_date_written_any_way_reads_back(day):
    for text in (
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d"),
    ):
        assert parse_deadline(text, Q3) == day, text


# ---------------------------------------------------------------- arrival


def test_a_stored_upload_says_when_it_came_in_whatever_its_file_time(tmp_path):
    moment = dt.datetime(2023, 10, 9, 16, 45, 3)
    stored = tmp_path / stored_name("民治街道三季度.docx", moment)
    stored.write_bytes(b"x")
    os.utime(stored, (1_800_000_000, 1_800_000_000))  # copied later: the name still knows
    assert received_at(stored) == (moment, FROM_NAME)
    plain = tmp_path / "民治街道三季度.docx"
    plain.write_bytes(b"x")
    os.utime(plain, (1_696_000_000, 1_696_000_000))
    assert received_at(plain) == (dt.datetime.fromtimestamp(1_696_000_000), FROM_FILE_TIME)
    odd = tmp_path / "20231399-250000-名单.docx"  # digits, not a moment
    odd.write_bytes(b"x")
    assert received_at(odd)[1] == FROM_FILE_TIME


# ---------------------------------------------------------------- the command line


@pytest.fixture
def quarter(tmp_path):
    """A register (deadline in 设置) and a folder: 民治街道's return, dated; nobody else's."""
    register = write_register(
        tmp_path / "登记表.xlsx",
        settings={"地区": "龙华区", "年度": 2023, deadline_setting(Q3): "2023年10月10日"},
    )
    done = invoke("generate", register, "-q", "3", "-o", tmp_path / "forms", "-u", "民治街道")
    assert done.exit_code == 0, done.stderr
    form = next((tmp_path / "forms").glob("*（民治街道）.docx"))
    returns = tmp_path / "returns"
    returned = fill_form(form, returns / "民治街道.docx", CLEAN)
    when = dt.datetime(2023, 10, 10, 18, 30).timestamp()  # the evening of the deadline day
    os.utime(returned, (when, when))
    return register, returns


def units(done) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    assert done.exit_code in (0, 1), done.stderr
    data = json.loads(done.stdout)
    return {u["unit"]: u for u in data["units"]} | {"": {"deadline": data["deadline"]}}


def test_check_json_takes_the_deadline_from_the_register(quarter):
    register, returns = quarter
    got = units(invoke("check", returns, "-r", register, "-q", "3", "--json"))
    assert got[""]["deadline"] == "2023-10-10"
    minzhi = got["民治街道"]
    assert minzhi["received"] == "2023-10-10T18:30:00" and minzhi["received_from"] == "file_time"
    assert minzhi["timeliness"] == {
        "state": ON_TIME,
        "label": "按时报送",
        "deadline": "2023-10-10",
        "days_late": 0,
    }
    assert got["观湖街道"]["timeliness"]["state"] == OVERDUE  # long past 2023-10-10


def test_deadline_on_the_command_line_comes_first(quarter):
    register, returns = quarter
    got = units(
        invoke(
            "merge",
            returns,
            "-r",
            register,
            "-q",
            "3",
            "--deadline",
            "10月8日",
            "--out",
            returns.parent / "out" / "一览表.docx",
            "--json",
        )
    )
    assert got["民治街道"]["timeliness"]["state"] == LATE
    assert got["民治街道"]["timeliness"]["days_late"] == 2
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    got = units(invoke("check", returns, "-r", register, "-q", "3", "--deadline", future, "--json"))
    assert got["观湖街道"]["timeliness"]["state"] == PENDING


def test_without_a_deadline_nothing_is_judged(tmp_path, quarter):
    _, returns = quarter
    register = write_register(tmp_path / "无截止日期.xlsx")
    got = units(invoke("check", returns, "-r", register, "-q", "3", "--json"))
    assert got[""]["deadline"] is None
    assert got["民治街道"]["timeliness"]["state"] is None
    assert got["民治街道"]["received_from"] == "file_time"


def test_a_deadline_that_is_not_a_date(tmp_path, quarter):
    register, returns = quarter
    typed = invoke("check", returns, "-r", register, "-q", "3", "--deadline", "月底")
    assert typed.exit_code == 2 and "不是有效的日期" in typed.stderr
    bad = write_register(
        tmp_path / "坏日期.xlsx",
        settings={"地区": "龙华区", "年度": 2023, deadline_setting(Q3): "国庆后"},
    )
    written = invoke("check", returns, "-r", bad, "-q", "3")
    assert written.exit_code == 1
    assert "第三季度报送截止日期" in written.stderr and "国庆后" in written.stderr
    assert "Traceback" not in written.stderr


# ---------------------------------------------------------------- the desk


def test_the_desk_judges_upload_times_against_its_deadline(tmp_path):
    ws = Workspace(workspace(tmp_path))
    ws.generate(Q3)
    form = ws.form_files(Q3)["民治街道"]
    ws.file_return(Q3, "民治街道.docx", fill_form(form, tmp_path / "f.docx", CLEAN).read_bytes())
    today = dt.date.today()
    ws.set_deadline(Q3, today)
    board = build_board(ws, Q3)
    minzhi = board.row("民治街道")
    assert minzhi.timeliness.state == ON_TIME and minzhi.timeliness.received_from == "upload"
    assert minzhi.received.date() == today
    assert board.row("观湖街道").timeliness.state == PENDING
    ws.set_deadline(Q3, today - dt.timedelta(days=2))
    board = build_board(ws, Q3)
    assert board.row("民治街道").timeliness.state == LATE
    assert board.row("民治街道").timeliness.days_late == 2
    assert board.row("观湖街道").timeliness.state == OVERDUE
    assert board.counts["late"] == 7 and board.counts["late_returned"] == 1
    page = desk_client(ws.root).get("/p/2023Q3").text
    assert "逾期报送 1" in page and "截止日期后2天报送" in page
    # Without a deadline on the desk, the register's 设置 has it.
    ws.set_deadline(Q3, None)
    write_register(
        ws.root / REGISTER_NAME,
        settings={"地区": "龙华区", "年度": 2023, deadline_setting(Q3): today.isoformat()},
    )
    assert Workspace(ws.root).period_deadline(Q3) == today
