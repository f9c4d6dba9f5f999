"""Limits: zip bombs and huge returns cost bounded memory; a killed run loses nothing.

Memory is measured on a real `python -m toolkit merge` child process (peak
resident set size from wait4), never timed: the bounds are generous so the
tests say "bounded", not "fast".
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support import bad_files as bf
from support.processes import processes_naming, report, run_toolkit

from toolkit.office import ooxml
from toolkit.office.fileset import RECORD
from toolkit.office.ooxml import MAX_PACKAGE_BYTES, MAX_PART_BYTES, MAX_XML_MARKUP

MAX_RSS_BYTES = 400 * 2**20
BIG_ROWS = 1_500


def test_limits_are_explicit_and_sane() -> None:
    """The limits docs/reliability.md states; an honest 1,500-row return fits inside."""
    assert MAX_PART_BYTES == 64 * 2**20
    assert MAX_PACKAGE_BYTES == 512 * 2**20
    assert MAX_XML_MARKUP == 650_000
    assert (ooxml.MAX_DEPTH, ooxml.MAX_PARAGRAPHS, ooxml.MAX_RUNS) == (40, 100_000, 50_000)
    assert (ooxml.MAX_CELLS, ooxml.MAX_CELL_PARAGRAPHS, ooxml.MAX_ROW_CELLS) == (50_000, 1_000, 64)
    assert (ooxml.MAX_FIELD_NESTING, ooxml.MAX_TEXT_CHARS) == (16, 2_000_000)
    assert MAX_PART_BYTES < MAX_PACKAGE_BYTES


# ---------------------------------------------------------------- bombs


def test_zip_bombs_are_refused_with_bounded_memory(tmp_path: Path) -> None:
    register = bf.small_register(tmp_path / "register.xlsx")
    returns, typed = bf.good_returns(tmp_path, register)
    bf.zip_bomb(returns / "炸弹.docx", gigabytes=3)
    # Claims 60 MB (under the part limit) but inflates to 1 GB: stopped at the claim.
    bf.zip_bomb(returns / "谎报大小.docx", gigabytes=1, declared=60 * 2**20)
    # 12 KB on disk, 10 million empty paragraphs: 1.3 GB once parsed.
    bf.dense_bomb(returns / "密集.docx", elements=10_000_000)
    for name in ("炸弹.docx", "谎报大小.docx", "密集.docx"):
        assert (returns / name).stat().st_size < 8 * 2**20
    out = tmp_path / "out"
    code, stdout, stderr, rss, seconds = run_toolkit(
        "merge", returns, "-r", register, "-q", "3", "--out", out / "一览表.docx", "--json",
        cwd=tmp_path,
    )  # fmt: skip
    report("zip bombs", rss, seconds)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    data = json.loads(stdout)
    found = {f["file"]: f for f in data["findings"] if f["code"] == "unreadable"}
    assert "疑似压缩炸弹" in found["炸弹.docx"]["message"]
    assert "校验不符" in found["谎报大小.docx"]["message"]
    assert "XML 标记" in found["密集.docx"]["message"]
    assert rss < MAX_RSS_BYTES
    bf.assert_merged(out / "一览表.docx", out / "一览表.xlsx", typed)


# ---------------------------------------------------------------- a huge honest return


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A register of 1,500 rows for one unit and its return with every row filled."""
    root = tmp_path_factory.mktemp("big")
    register = bf.big_register(root / "register.xlsx", BIG_ROWS)
    bf.generate(register, root / "forms")
    rows = {
        f"{i // 100 + 1}-{i % 100 + 1}": {
            "进展情况": f"1.第{i}行：" + "已完成主体工程建设，" * 25 + "\n2.已投入使用。",
            "存在问题": f"第{i}行无问题。",
            "进度评价": "正常推进",
        }
        for i in range(BIG_ROWS)
    }
    returns = root / "returns"
    returns.mkdir()
    bf.fill_form(bf.form_of(root / "forms", "民治街道"), returns / "民治街道.docx", rows)
    return {"root": root, "register": register, "returns": returns, "rows": rows}


def test_huge_honest_return_merges_in_full_with_bounded_memory(big: dict, tmp_path: Path) -> None:
    with zipfile.ZipFile(big["returns"] / "民治街道.docx") as zf:
        document = zf.read("word/document.xml")
    assert document.count(b"<") + document.count(b"=") < MAX_XML_MARKUP  # honest: inside
    out = tmp_path / "out"
    code, _, stderr, rss, seconds = run_toolkit(
        "merge", big["returns"], "-r", big["register"], "-q", "3", "--out", out / "一览表.docx",
        cwd=tmp_path,
    )  # fmt: skip
    report(f"honest return of {BIG_ROWS} rows", rss, seconds)
    assert code == 0, stderr
    assert rss < MAX_RSS_BYTES
    # Written through temporary files, of which none is left behind (only the folder's record).
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["一览表.docx", "一览表.xlsx", "问题清单（2023年第三季度）.xlsx", RECORD]
    )
    bf.assert_merged(out / "一览表.docx", out / "一览表.xlsx", big["rows"])


# ---------------------------------------------------------------- killed half-way


def _outputs(out: Path) -> dict[str, Path]:
    return {
        "docx": out / "一览表.docx",
        "xlsx": out / "一览表-表格.xlsx",  # stems differ: a temporary file names its target
        "report": out / "问题清单.xlsx",
    }


def _merge_args(big: dict, returns: Path, out: Path) -> list[str | Path]:
    o = _outputs(out)
    return [
        sys.executable, "-m", "toolkit", "merge", returns, "-r", big["register"], "-q", "3",
        "--out", o["docx"], "--xlsx", o["xlsx"], "--report", o["report"],
    ]  # fmt: skip


def test_run_killed_while_writing_leaves_previous_outputs_intact(big: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    draft = tmp_path / "first-draft"
    draft.mkdir()
    # The previous outputs: a run with a first draft that filled one row.
    form = bf.form_of(big["root"] / "forms", "民治街道")
    bf.fill_form(form, draft / "民治街道.docx", {"1-1": {"进展情况": "初稿。"}})
    first = subprocess.run(
        [str(a) for a in _merge_args(big, draft, out)], capture_output=True, cwd=tmp_path
    )
    assert first.returncode == 0, first.stderr.decode()
    previous = {k: p.read_bytes() for k, p in _outputs(out).items()}

    for _attempt in range(5):
        proc = subprocess.Popen(
            [str(a) for a in _merge_args(big, big["returns"], out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=tmp_path,
        )
        caught: list[Path] = []
        while proc.poll() is None and not caught:
            caught = list(out.glob(".*.tmp"))
        if caught:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        if proc.returncode == -signal.SIGKILL and all(p.exists() for p in caught):
            break  # killed while a temporary file was being written
        for k, p in _outputs(out).items():  # the run got through: put the previous back
            p.write_bytes(previous[k])
    else:
        pytest.fail("could not kill the merge while it was writing")
    # Its worker processes (the 一览表 workbook is built in one) do not outlive it.
    deadline = time.monotonic() + 10
    while processes_naming(out) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not processes_naming(out)

    # The output being written when the kill came is untouched; every output under
    # its real name is a complete file (the previous one, or a finished new one).
    stems = {k: f".{p.stem[:40]}." for k, p in _outputs(out).items()}
    [being_written] = [k for k, s in stems.items() if caught[0].name.startswith(s)]
    assert _outputs(out)[being_written].read_bytes() == previous[being_written]
    for p in _outputs(out).values():
        with zipfile.ZipFile(p) as zf:
            assert zf.testzip() is None
    # Nothing else appeared but hidden temporary files.
    visible = {p.name for p in out.iterdir() if not p.name.startswith(".")}
    assert visible == {p.name for p in _outputs(out).values()}
    hidden = [p for p in out.iterdir() if p.name.startswith(".") and p.name != RECORD]
    assert all(p.suffix == ".tmp" for p in hidden)

    # The next run completes and replaces the outputs.
    again = subprocess.run(
        [str(a) for a in _merge_args(big, big["returns"], out)], capture_output=True, cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr.decode()
    ws = load_workbook(_outputs(out)["xlsx"]).active
    assert ws.cell(6, 6).value == big["rows"]["1-1"]["进展情况"]
