"""The history file: versions per period, what changed, its format, and a kill mid-merge."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import seed
from support.cli import invoke
from support.fill import fill_form
from support.registers import write_register
from support.seed import MINZHI_Q3

from toolkit.core.period import Period
from toolkit.forms.identity import HISTORY_APPLICATION_ID
from toolkit.history.schema import SCHEMA_VERSION
from toolkit.history.store import HistoryError, HistoryStore

Q3 = Period(2023, 3)


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("seed")
    register = write_register(root / "register.xlsx")
    result = invoke("generate", register, "-q", "3", "-o", root / "forms", "--no-history")
    assert result.exit_code == 0, result.stderr
    paths = {u: next((root / "forms").glob(f"*（{u}）.docx")) for u in seed.UNITS}
    paths["register"] = register
    return paths


def minzhi(changes: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
    rows = {
        pid: {"进展情况": p, "存在问题及下一步工作计划": plan, "进度评价": ev}
        for pid, (p, plan, ev) in MINZHI_Q3.items()
    }
    for pid, text in (changes or {}).items():
        rows[pid]["进展情况"] = text
    return rows


def send(folder: Path, forms: dict[str, Path], name: str, rows: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return fill_form(forms["民治街道"], folder / name, rows)


def merge(tmp_path: Path, forms: dict[str, Path], returns: Path, *extra: str) -> dict:
    result = invoke(
        "merge", returns, "-r", forms["register"], "-q", "3",
        "--out", tmp_path / "out" / "一览表.docx", "--history", tmp_path / "h.sqlite",
        "--json", *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_remerge_adds_a_version_and_keeps_the_earlier_one(tmp_path: Path, forms) -> None:
    returns = tmp_path / "returns"
    first = send(returns, forms, "民治街道.docx", minzhi())
    assert merge(tmp_path, forms, returns)["history"] == {
        "file": str(tmp_path / "h.sqlite"),
        "version": 1,
        "new": True,
    }
    # The same files again: the same result, no new version.
    assert merge(tmp_path, forms, returns)["history"]["new"] is False
    # A resubmission after 退回: the unit's newer file counts.
    first.unlink()
    send(returns, forms, "民治街道-修改.docx", minzhi({"19-2": "完成施工进度90%。"}))
    assert merge(tmp_path, forms, returns)["history"]["version"] == 2

    with HistoryStore(tmp_path / "h.sqlite") as store:
        versions = store.versions(Q3)
        assert [v.version for v in versions] == [1, 2]
        assert versions[0].changes == {"first": True}
        changes = versions[1].changes
        assert changes["files"] == [
            {"unit": "民治街道", "before": "民治街道.docx", "after": "民治街道-修改.docx"}
        ]
        assert changes["entries"] == [{"id": "19-2", "unit": "民治街道", "fields": ["进展情况"]}]
        assert versions[1].command == "toolkit merge" and versions[1].user
        old, new = store.record(Q3, 1), store.record(Q3)
        assert old is not None and new is not None and new.version.version == 2
        assert next(e for e in old.content.entries if e.project_id == "19-2").progress == (
            "完成施工进度80%。"
        )
        assert next(r for r in new.content.rows if r.id == "19-2").progress == "完成施工进度90%。"
        sent = next(r for r in new.content.returns if r.unit == "民治街道")
        assert sent.sha256 is not None and len(sent.sha256) == 64
        assert [p.period for p in store.periods()] == [Q3]

    shown = invoke("history", "--period", "2023Q3", "--history", tmp_path / "h.sqlite")
    assert shown.exit_code == 0, shown.stderr
    assert (
        "第 2 版" in shown.stdout and "民治街道：民治街道.docx → 民治街道-修改.docx" in shown.stdout
    )
    assert "序号 19-2（民治街道）：进展情况有改动" in shown.stdout


def test_the_file_says_what_it_is_and_which_format(tmp_path: Path, forms) -> None:
    returns = tmp_path / "returns"
    send(returns, forms, "民治街道.docx", minzhi())
    merge(tmp_path, forms, returns)
    db = sqlite3.connect(tmp_path / "h.sqlite")
    try:
        assert db.execute("PRAGMA application_id").fetchone()[0] == HISTORY_APPLICATION_ID
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables == {"info", "merges", "rows", "entries", "returns", "findings"}
        assert db.execute("SELECT count(*) FROM rows").fetchone()[0] == len(seed.IDS)
    finally:
        db.close()


def _untouched_refusal(tmp_path: Path, forms, path: Path, said: str) -> None:
    tmp_path = tmp_path / path.stem
    before = path.read_bytes()
    returns = tmp_path / "returns"
    send(returns, forms, "民治街道.docx", minzhi())
    out = tmp_path / "out"
    result = invoke(
        "merge", returns, "-r", forms["register"], "-q", "3",
        "--out", out / "一览表.docx", "--history", path,
    )  # fmt: skip
    assert result.exit_code == 1, result.stderr
    assert said in result.stderr and "--no-history" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()  # refused before anything was written
    assert path.read_bytes() == before
    # --no-history: the office can still merge, without comparing or recording.
    done = invoke(
        "merge", returns, "-r", forms["register"], "-q", "3",
        "--out", out / "一览表.docx", "--no-history",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert path.read_bytes() == before


def test_a_file_that_is_no_history_is_refused_untouched(tmp_path: Path, forms) -> None:
    other = tmp_path / "other.sqlite"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE notes (text TEXT)")
    db.commit()
    db.close()
    _untouched_refusal(tmp_path, forms, other, "不是 toolkit 的报送历史文件")
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all " * 100)
    _untouched_refusal(tmp_path, forms, garbage, "已损坏，或不是报送历史文件")


def test_a_history_from_a_newer_toolkit_is_refused_untouched(tmp_path: Path, forms) -> None:
    path = tmp_path / "newer.sqlite"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA application_id = {HISTORY_APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.execute("CREATE TABLE later (x)")
    db.commit()
    db.close()
    _untouched_refusal(tmp_path, forms, path, "由更新版本的 toolkit 写入")


def test_another_regions_history_is_refused(tmp_path: Path, forms) -> None:
    returns = tmp_path / "returns"
    send(returns, forms, "民治街道.docx", minzhi())
    merge(tmp_path, forms, returns)
    result = invoke(
        "merge", returns, "-r", forms["register"], "-q", "3", "--region", "福田区",
        "--out", tmp_path / "o2" / "一览表.docx", "--history", tmp_path / "h.sqlite",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "记录的是龙华区，本次是福田区" in result.stderr
    assert not (tmp_path / "o2").exists()


def test_history_commands_without_a_history_say_so(tmp_path: Path) -> None:
    for args in (["history"], ["history", "10-3"], ["annual"]):
        result = invoke(*args, "--history", tmp_path / "none.sqlite")
        assert result.exit_code == 2, args
        assert "找不到报送历史文件" in result.stderr
    assert not (tmp_path / "none.sqlite").exists()


def test_unknown_project_and_period_are_usage_errors(tmp_path: Path, forms) -> None:
    returns = tmp_path / "returns"
    send(returns, forms, "民治街道.docx", minzhi())
    merge(tmp_path, forms, returns)
    h = tmp_path / "h.sqlite"
    assert invoke("history", "99-9", "--history", h).exit_code == 2
    assert "没有2023年序号 99-9" in invoke("history", "99-9", "--history", h).stderr
    assert invoke("history", "--period", "2023Q9", "--history", h).exit_code == 2
    assert invoke("history", "--period", "2023Q1", "--history", h).exit_code == 2
    # 序号 as typed with a full-width dash is the same row.
    shown = invoke("history", "１０－３", "--history", h, "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["id"] == "10-3"


# ---------------------------------------------------------------- killed mid-merge


def _toolkit() -> str:
    return str(Path(sys.executable).with_name("toolkit"))


def test_a_merge_killed_while_recording_leaves_the_previous_version_intact(
    tmp_path: Path, forms
) -> None:
    """A real `toolkit merge` process is killed (SIGKILL) in the middle of its transaction.

    The test holds a read lock on the file, so the merge, having written its
    changes to the journal, waits to commit; it is killed there. The next
    opening of the file rolls the journal back.
    """
    returns = tmp_path / "returns"
    first = send(returns, forms, "民治街道.docx", minzhi())
    merge(tmp_path, forms, returns)
    history = tmp_path / "h.sqlite"
    journal = history.with_name(history.name + "-journal")
    first.unlink()
    send(returns, forms, "民治街道-2.docx", minzhi({"19-2": "完成施工进度95%。"}))

    reader = sqlite3.connect(history, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM merges").fetchone()  # holds a shared lock
    command = [_toolkit(), "merge", str(returns), "-r", str(forms["register"]), "-q", "3"]
    command += ["--out", str(tmp_path / "out" / "一览表.docx"), "--history", str(history)]
    child = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not (journal.exists() and journal.stat().st_size > 0):
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
            assert time.monotonic() < deadline, "the merge never started recording"
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        if child.stderr:
            child.stderr.close()
        reader.execute("ROLLBACK")
        reader.close()
    assert journal.exists()  # the killed transaction left its journal behind

    with HistoryStore(history) as store:
        assert [v.version for v in store.versions(Q3)] == [1]
        kept = store.record(Q3)
        assert kept is not None
        assert next(r for r in kept.content.rows if r.id == "19-2").progress == "完成施工进度80%。"
    db = sqlite3.connect(history)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    # The next merge records as if nothing had happened.
    assert merge(tmp_path, forms, returns)["history"]["version"] == 2
    assert not journal.exists()


def test_a_history_locked_by_another_merge_is_waited_for_then_refused(
    tmp_path: Path, forms, monkeypatch: pytest.MonkeyPatch
) -> None:
    from toolkit.history import store as store_module

    returns = tmp_path / "returns"
    send(returns, forms, "民治街道.docx", minzhi())
    merge(tmp_path, forms, returns)
    monkeypatch.setattr(store_module, "BUSY_SECONDS", 0.2)
    writer = sqlite3.connect(tmp_path / "h.sqlite", isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")  # another toolkit in the middle of recording
    try:
        with pytest.raises(HistoryError) as caught, HistoryStore(tmp_path / "h.sqlite") as s:
            s.periods()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert "正被另一个 toolkit 写入" in str(caught.value)
