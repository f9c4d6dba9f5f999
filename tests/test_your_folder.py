"""The office's folder, through the real command line: what is read, what is skipped
and why, and that one run writes one whole set of outputs and never replaces an
edited one silently (docs/reliability.md, “你的文件夹”).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx_factory import make_docx, para
from docx_factory import table as doc_table
from openpyxl import load_workbook
from support import bad_files as bf
from support.cli import invoke
from support.lo import require_calc
from support.summaries import summary_by_id
from toolkit.templates import default_path

from toolkit.core import rules
from toolkit.forms.identity import PROP_OUTPUT
from toolkit.office import fileset
from toolkit.office.libreoffice import convert
from toolkit.office.ooxml import CUSTOM_PART

UNITS = bf.UNITS  # 民治街道, 观湖街道, 龙华街道: each leads rows of its own
SUMMARY = "一览表.docx"
OUTPUTS = ("一览表.docx", "一览表.xlsx", "问题清单（2023年第三季度）.xlsx")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A register, its generated (blank) forms and three filled returns (shared, read-only)."""
    root = tmp_path_factory.mktemp("folder")
    register = bf.small_register(root / "register.xlsx")
    returns, typed = bf.good_returns(root, register)
    return {"register": register, "forms": root / "forms", "returns": returns, "typed": typed}


def copy_returns(world: dict, tmp_path: Path, name: str = "returns") -> Path:
    return shutil.copytree(world["returns"], tmp_path / name)


def merge(world: dict, *paths: Path, out: Path, extra: tuple = ()):  # type: ignore[no-untyped-def]
    return invoke("merge", *paths, "-r", world["register"], "-q", "3", "--out", out, *extra)


def merged(world: dict, *paths: Path, out: Path, extra: tuple = ()) -> dict:
    result = merge(world, *paths, out=out, extra=(*extra, "--json"))
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    data["stderr"] = result.stderr
    return data


def statuses(data: dict) -> dict[str, str]:
    return {u["unit"]: u["status"] for u in data["units"]}


def skipped(data: dict) -> dict[str, str]:
    return {Path(s["file"]).name: s["kind"] for s in data["skipped"]}


def table(docx: Path) -> dict[str, dict[str, str]]:
    """Every cell of the 一览表, a joint project's rows put together."""
    return summary_by_id(docx)


def workbook(path: Path) -> dict[str, list[tuple]]:
    """Each sheet's table, its header row first (row 1 is the sheet's title)."""
    wb = load_workbook(path)
    return {ws.title: list(ws.iter_rows(min_row=2, values_only=True)) for ws in wb.worksheets}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# ---------------------------------------------------------------- returns are what units sent


def test_merging_twice_inside_the_returns_folder_gives_the_same_table(
    world: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    returns = copy_returns(world, tmp_path)
    monkeypatch.chdir(returns)  # `cd 回收表 && toolkit merge . …`: outputs land in 输出/ inside
    runs = []
    for _ in range(2):
        result = invoke("merge", ".", "-r", world["register"], "-q", "3", "--json")
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        out = Path(data["outputs"]["docx"])
        assert out.parent == Path("输出") / "2023Q3"
        runs.append((data, table(out), workbook(Path(data["outputs"]["xlsx"]))))
    (first, first_table, first_book), (second, second_table, second_book) = runs
    assert statuses(first) == statuses(second) == dict.fromkeys(UNITS, "returned")
    assert first_table == second_table
    assert first_book == second_book
    bf.assert_merged(out, Path(second["outputs"]["xlsx"]), world["typed"])
    assert skipped(first) == {}
    ours = [*(p for p in first["outputs"].values() if p), first["history"]["file"]]
    assert skipped(second) == {Path(p).name: "own_output" for p in ours}
    assert all(s["reason"].startswith("toolkit 自己生成的文件") for s in second["skipped"])
    assert not [f for f in second["findings"] if f["code"] == "duplicate_return"]


def test_check_one_folder_too_high_takes_no_output_form_or_notice_as_a_return(
    world: dict, tmp_path: Path
) -> None:
    quarter = tmp_path / "2023Q3"
    returns = copy_returns(world, quarter, "回收表")
    shutil.copytree(world["forms"], quarter / "填报表")  # the blank forms, newer than the returns
    first = merged(world, returns, out=quarter / "汇总" / SUMMARY)
    data = merged(world, quarter, out=tmp_path / "elsewhere" / SUMMARY)
    assert statuses(data) == statuses(first) == dict.fromkeys(UNITS, "returned")
    assert table(tmp_path / "elsewhere" / SUMMARY) == table(quarter / "汇总" / SUMMARY)
    kinds = skipped(data)
    assert [kinds[n] for n in OUTPUTS] == ["own_output"] * 3
    assert sorted(k for k in kinds.values() if k == "blank_form") == ["blank_form"] * 3
    assert kinds["分发清单.xlsx"] == "own_output"


def test_blank_forms_beside_the_returns_never_replace_them(world: dict, tmp_path: Path) -> None:
    returns = copy_returns(world, tmp_path)
    for unit in UNITS:  # copied later: newer than every return
        shutil.copy(bf.form_of(world["forms"], unit), returns / f"{unit}-空白.docx")
    data = merged(world, returns, out=tmp_path / "out" / SUMMARY)
    assert statuses(data) == dict.fromkeys(UNITS, "returned")
    assert [s["kind"] for s in data["skipped"]] == ["blank_form"] * 3
    assert {s["unit"] for s in data["skipped"]} == set(UNITS)
    bf.assert_merged(tmp_path / "out" / SUMMARY, tmp_path / "out" / "一览表.xlsx", world["typed"])


def test_a_unit_with_only_a_blank_form_is_unfilled(world: dict, tmp_path: Path) -> None:
    returns = copy_returns(world, tmp_path)
    (returns / "龙华街道.docx").unlink()
    shutil.copy(bf.form_of(world["forms"], "龙华街道"), returns / "龙华街道.docx")
    data = merged(world, returns, out=tmp_path / "out" / SUMMARY)
    assert statuses(data)["龙华街道"] == "blank"
    [finding] = [f for f in data["findings"] if f["unit"] == "龙华街道"]
    assert (finding["code"], finding["level"]) == ("blank_form", "error")
    assert "空白填报表 龙华街道.docx" in finding["message"]
    assert table(tmp_path / "out" / SUMMARY)["3-1"][rules.PROGRESS] == "未报送"
    report = workbook(tmp_path / "out" / OUTPUTS[2])
    assert report["报送情况"][3][:3] == ("龙华街道", "未填写", "龙华街道.docx")
    checked = invoke("check", returns, "-r", world["register"], "-q", "3")
    assert checked.exit_code == 1 and "✘ 龙华街道：未填写" in checked.stdout


@pytest.mark.parametrize("where", ["forms", "empty"])
def test_a_folder_without_returns_is_an_error_and_writes_nothing(
    world: dict, tmp_path: Path, where: str
) -> None:
    folder = world["forms"] if where == "forms" else tmp_path / "空文件夹"
    folder.mkdir(exist_ok=True)
    out = tmp_path / "out"
    for command in ("merge", "check"):
        args = ("--out", out / SUMMARY) if command == "merge" else ()
        result = invoke(command, folder, "-r", world["register"], "-q", "3", *args)
        assert result.exit_code == 1, result.output
        assert "中没有回收表" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
    if where == "forms":
        assert "空白填报表 3 个" in result.stderr and "toolkit 生成的文件 1 个" in result.stderr


def test_outputs_written_before_they_were_marked_are_recognised(
    world: dict, tmp_path: Path
) -> None:
    """A 一览表, 问题清单 and notice without `MinshengOutput`, as earlier versions wrote them."""
    returns = copy_returns(world, tmp_path)
    merged(world, returns, out=tmp_path / "out" / SUMMARY)
    for name in OUTPUTS:
        _strip_custom_properties(tmp_path / "out" / name, returns / f"旧-{name}")
    make_docx(
        returns / "退回修改意见（民治街道）.docx",
        para("退回修改意见（2023年第三季度民生实事项目进展情况）")
        + para("民治街道：")
        + doc_table(
            ["项目序号", "问题类别", "级别", "具体问题"], ["1-1", "超过字数上限", "错误", "…"]
        ),
    )
    shutil.copy(default_path("form"), returns / "form.docx")
    data = merged(world, returns, out=tmp_path / "out2" / SUMMARY)
    kinds = skipped(data)
    assert {kinds[f"旧-{n}"] for n in OUTPUTS} == {"own_output"}
    assert kinds["退回修改意见（民治街道）.docx"] == "own_output"
    assert kinds["form.docx"] == "template"
    assert statuses(data) == dict.fromkeys(UNITS, "returned")
    assert [f for f in data["findings"] if f["code"] != "missing_return"] == []


def _strip_custom_properties(src: Path, dst: Path) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename != CUSTOM_PART:
                zout.writestr(info, zin.read(info))


def test_every_output_names_its_kind_in_its_properties(world: dict, tmp_path: Path) -> None:
    merged(world, world["returns"], out=tmp_path / "out" / SUMMARY)
    kinds = {name: _output_property(tmp_path / "out" / name) for name in OUTPUTS}
    assert kinds == {OUTPUTS[0]: "一览表", OUTPUTS[1]: "一览表", OUTPUTS[2]: "问题清单"}
    assert _output_property(world["forms"] / "分发清单.xlsx") == "分发清单"
    assert _output_property(bf.form_of(world["forms"], "民治街道")) is None  # a form is no output


def _output_property(path: Path) -> str | None:
    with zipfile.ZipFile(path) as zf:
        if CUSTOM_PART not in zf.namelist():
            return None
        xml = zf.read(CUSTOM_PART).decode()
    if PROP_OUTPUT not in xml:
        return None
    return xml.split(f'name="{PROP_OUTPUT}"><vt:lpwstr>')[1].split("<")[0]


# ---------------------------------------------------------------- identity evidence


def test_properties_of_one_unit_and_text_of_another_is_a_finding_and_the_text_wins(
    world: dict, tmp_path: Path
) -> None:
    """观湖街道 filled 民治街道's form file: its properties say 民治街道, its text 观湖街道."""
    returns = copy_returns(world, tmp_path)
    with zipfile.ZipFile(returns / "民治街道.docx") as zf:
        minzhi_props = zf.read(CUSTOM_PART)
    (returns / "观湖街道.docx").rename(tmp_path / "观湖街道.docx")
    bf.replace_part(
        tmp_path / "观湖街道.docx", returns / "观湖街道.docx", CUSTOM_PART, minzhi_props
    )
    os.utime(returns / "观湖街道.docx")  # newer than 民治街道's own return
    data = merged(world, returns, out=tmp_path / "out" / SUMMARY)
    assert statuses(data) == dict.fromkeys(UNITS, "returned")
    [conflict] = [f for f in data["findings"] if f["code"] == "identity_conflict"]
    assert (conflict["unit"], conflict["file"], conflict["level"]) == (
        "观湖街道",
        "观湖街道.docx",
        "warning",
    )
    message = conflict["message"]
    assert "文档属性为民治街道" in message and "“填报单位”为观湖街道" in message
    assert "按文档正文（“填报单位”）认定为观湖街道" in message
    assert not [f for f in data["findings"] if f["code"] == "duplicate_return"]
    bf.assert_merged(tmp_path / "out" / SUMMARY, tmp_path / "out" / "一览表.xlsx", world["typed"])


def test_period_in_the_properties_against_the_title_is_a_finding_and_the_title_wins(
    world: dict, tmp_path: Path
) -> None:
    returns = copy_returns(world, tmp_path)
    with zipfile.ZipFile(returns / "民治街道.docx") as zf:
        props = zf.read(CUSTOM_PART).replace(
            b'name="MinshengQuarter"><vt:lpwstr>3<', b'name="MinshengQuarter"><vt:lpwstr>2<'
        )
    bf.replace_part(returns / "民治街道.docx", returns / "民治街道.docx", CUSTOM_PART, props)
    data = merged(world, returns, out=tmp_path / "out" / SUMMARY)
    assert statuses(data)["民治街道"] == "returned"
    [conflict] = [f for f in data["findings"] if f["code"] == "identity_conflict"]
    assert "文档属性为2023年第二季度，标题为2023年第三季度" in conflict["message"]
    assert "按文档正文（标题）认定为2023年第三季度" in conflict["message"]


# ---------------------------------------------------------------- every file accounted for


def test_scans_archives_and_other_files_are_listed_with_why(world: dict, tmp_path: Path) -> None:
    returns = copy_returns(world, tmp_path)
    (returns / "龙华街道.docx").unlink()
    (returns / "龙华街道-扫描件.pdf").write_bytes(b"%PDF-1.4 scan")
    (returns / "回收表.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    (returns / "照片.jpg").write_bytes(b"\xff\xd8\xff")
    (returns / "说明.txt").write_text("备注", "utf-8")
    (returns / "~$民治街道.docx").write_bytes(b"owner")
    out = tmp_path / "out"
    data = merged(world, returns, out=out / SUMMARY)
    assert skipped(data) == {
        "龙华街道-扫描件.pdf": "scan",
        "回收表.zip": "archive",
        "照片.jpg": "scan",
        "说明.txt": "not_word",
        "~$民治街道.docx": "temporary",
    }
    reasons = {Path(s["file"]).name: s["reason"] for s in data["skipped"]}
    assert "请报送 Word 版" in reasons["龙华街道-扫描件.pdf"]
    assert "请解压后再放入" in reasons["回收表.zip"]
    found = {(f["code"], f["file"]): f for f in data["findings"]}
    assert found[("skipped_file", "龙华街道-扫描件.pdf")]["unit"] == "龙华街道"
    assert found[("skipped_file", "回收表.zip")]["unit"] is None
    assert ("skipped_file", "说明.txt") not in found  # names no unit: listed only
    assert statuses(data)["龙华街道"] == "unreadable"  # it sent something: a scan
    sheet = workbook(out / OUTPUTS[2])["未读取的文件"]
    assert {Path(row[0]).name for row in sheet[1:]} == set(skipped(data))
    listing = invoke("check", returns, "-r", world["register"], "-q", "3").stdout
    assert "未读取的文件：" in listing and "回收表.zip：这是压缩包" in listing


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_pipes_sockets_and_link_loops_never_block_or_crash(world: dict, tmp_path: Path) -> None:
    returns = copy_returns(world, tmp_path)
    os.mkfifo(returns / "x.docx")  # opening it would wait for a writer forever
    os.mkfifo(returns / "管道")
    (returns / "loop.docx").symlink_to("loop.docx")
    (returns / "上一级").symlink_to("..", target_is_directory=True)
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(returns / "s.docx"))
        # A child process: a hang is a failed test, not a stuck run.
        done = subprocess.run(
            [sys.executable, "-m", "toolkit", "merge", returns, "-r", world["register"],
             "-q", "3", "--out", tmp_path / "out" / SUMMARY, "--json"],
            capture_output=True, timeout=120, cwd=tmp_path,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    data = json.loads(done.stdout)
    found = {f["file"]: f for f in data["findings"] if f["code"] == "unreadable"}
    assert "不是普通文件" in found["x.docx"]["message"]
    assert "不是普通文件" in found["s.docx"]["message"]
    assert "链接指向自身" in found["loop.docx"]["message"]
    assert skipped(data)["管道"] == "not_a_file"
    assert statuses(data) == dict.fromkeys(UNITS, "returned")
    bf.assert_merged(tmp_path / "out" / SUMMARY, tmp_path / "out" / "一览表.xlsx", world["typed"])


def _without_root_privileges() -> list[str]:
    """A command prefix under which a folder with mode 000 cannot be opened."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: root opens any folder")
    # Root keeps its uid but loses the capabilities that ignore file permissions.
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def test_an_unreadable_sub_folder_is_reported_not_ignored(world: dict, tmp_path: Path) -> None:
    returns = copy_returns(world, tmp_path)
    corrected = returns / "民治街道"
    corrected.mkdir()
    shutil.copy(returns / "民治街道.docx", corrected / "民治街道（修改后）.docx")
    corrected.chmod(0)
    try:
        done = subprocess.run(
            [*_without_root_privileges(), sys.executable, "-m", "toolkit", "merge", returns,
             "-r", world["register"], "-q", "3", "--out", tmp_path / "out" / SUMMARY, "--json"],
            capture_output=True, timeout=120, cwd=tmp_path,
        )  # fmt: skip
    finally:
        corrected.chmod(0o755)
    assert done.returncode == 0, done.stderr.decode()
    data = json.loads(done.stdout)
    [finding] = [f for f in data["findings"] if f["code"] == "skipped_file"]
    assert (finding["unit"], finding["file"], finding["level"]) == ("民治街道", "民治街道", "error")
    assert "无法打开此文件夹（没有访问权限）" in finding["message"]
    assert skipped(data) == {"民治街道": "folder_unreadable"}


def test_a_file_name_that_is_not_utf8_is_shown_not_a_crash(world: dict, tmp_path: Path) -> None:
    returns = copy_returns(world, tmp_path)
    odd = returns / os.fsdecode(b"\xe6\xb0\x91\xff\xfe-minzhi.docx")
    shutil.copy(returns / "民治街道.docx", odd)
    data = merged(world, returns, out=tmp_path / "out" / SUMMARY)
    assert statuses(data)["民治街道"] == "returned"
    [duplicate] = [f for f in data["findings"] if f["code"] == "duplicate_return"]
    assert "民��-minzhi.docx" in duplicate["message"]
    listing = invoke("check", returns, "-r", world["register"], "-q", "3")
    assert listing.exit_code == 0 and "Traceback" not in listing.stderr
    sheet = workbook(tmp_path / "out" / OUTPUTS[2])["报送情况"]
    assert sheet[1][2] in ("民治街道.docx", "民��-minzhi.docx")


# ---------------------------------------------------------------- output paths


def test_colliding_output_paths_are_refused_before_anything_is_written(
    world: dict, tmp_path: Path
) -> None:
    returns = copy_returns(world, tmp_path)
    before = bf.snapshot(returns)
    out = tmp_path / "out"
    cases = {
        "--out names a workbook": ("--out", out / "一览表.xlsx"),
        "--xlsx and --report one file": (
            "--out",
            out / "a.docx",
            "--xlsx",
            out / "x.xlsx",
            "--report",
            out / "x.xlsx",
        ),
        "--out is a return": ("--out", returns / "民治街道.docx"),
        "--report is the register": ("--out", out / "a.docx", "--report", world["register"]),
    }
    for case, args in cases.items():
        result = invoke("merge", returns, "-r", world["register"], "-q", "3", *args)
        assert result.exit_code == 2, case
        assert result.stderr.startswith("错误：") and "Traceback" not in result.stderr, case
        assert not out.exists(), case
    assert bf.snapshot(returns) == before
    said = invoke(
        "merge", returns, "-r", world["register"], "-q", "3", "--out", returns / "民治街道.docx"
    )
    assert "就是输入文件" in said.stderr


def test_a_missing_suffix_is_added(world: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    data = merged(world, world["returns"], out=out / "一览表", extra=("--report", out / "问题"))
    assert data["outputs"]["docx"].endswith("一览表.docx")
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "一览表.docx",
        "一览表.xlsx",
        "问题.xlsx",
    ]


# ---------------------------------------------------------------- one run, one set


def _previous_set(world: dict, tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """Outputs of a first run (民治街道 only), to be replaced by a run with every return."""
    first = tmp_path / "first"
    first.mkdir()
    shutil.copy(world["returns"] / "民治街道.docx", first)
    out = tmp_path / "out"
    merged(world, first, out=out / SUMMARY)
    return out, snapshot(out)


def test_disk_full_part_way_leaves_the_previous_set(
    world: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before = _previous_set(world, tmp_path)
    real_write = fileset.write_file
    written: list[Path] = []

    def full_after_one(path: Path, data: bytes) -> None:
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(path)
        real_write(path, data)

    monkeypatch.setattr(fileset, "write_file", full_after_one)
    result = merge(world, world["returns"], out=out / SUMMARY)
    assert result.exit_code == 1
    assert "磁盘空间不足" in result.stderr and "一览表.xlsx" in result.stderr
    assert snapshot(out) == before  # not one file replaced, no temporary file left
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUTS, fileset.RECORD])


def test_a_real_full_disk_leaves_the_previous_set(world: dict, tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here; the injected ENOSPC test covers this path")
    try:
        out, before = _previous_set(world, disk)
        st = os.statvfs(disk)
        (disk / "filler").write_bytes(bytes(max(0, st.f_bavail * st.f_frsize - 16 * 1024)))
        result = merge(world, world["returns"], out=out / SUMMARY)
        assert result.exit_code == 1, result.stderr
        assert "磁盘空间不足" in result.stderr
        assert snapshot(out) == before
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_read_only_or_open_target_leaves_the_previous_set(world: dict, tmp_path: Path) -> None:
    out, before = _previous_set(world, tmp_path)
    target = out / "一览表.xlsx"
    target.chmod(0o444)  # as Windows marks a file open elsewhere, or the user made it read-only
    try:
        result = merge(world, world["returns"], out=out / SUMMARY)
    finally:
        target.chmod(0o644)
    assert result.exit_code == 1 and "一览表.xlsx 是只读文件" in result.stderr
    assert "请先关闭" in result.stderr
    assert snapshot(out) == before
    (out / "~$一览表.docx").write_bytes(b"owner")  # Word's sign that the file is open
    result = merge(world, world["returns"], out=out / SUMMARY)
    assert result.exit_code == 1 and "正在 Excel、WPS 或 Word 中打开" in result.stderr
    assert {k: v for k, v in snapshot(out).items() if not k.startswith("~$")} == before


def test_concurrent_merges_never_mix_their_sets(world: dict, tmp_path: Path) -> None:
    """Two runs into one folder at once, many times: each set comes whole from one run."""
    full = copy_returns(world, tmp_path, "full")
    part = tmp_path / "part"
    part.mkdir()
    shutil.copy(full / "民治街道.docx", part)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "toolkit", "merge", "-r", world["register"], "-q", "3",
               "--out", out / SUMMARY]  # fmt: skip
    for _ in range(6):
        runs = [
            subprocess.Popen([*map(str, command), str(folder)], stderr=subprocess.PIPE)
            for folder in (full, part)
        ]
        for run in runs:
            _, stderr = run.communicate(timeout=180)
            assert run.returncode == 0, stderr.decode()
        in_docx = bf.summary_docx_rows(out / SUMMARY)["2-1"][0]
        in_xlsx = bf.summary_xlsx_rows(out / "一览表.xlsx")["2-1"][0]
        report = workbook(out / OUTPUTS[2])["报送情况"]
        观湖 = next(row[1] for row in report if row[0] == "观湖街道")
        assert (in_docx, in_xlsx, 观湖) in (
            (world["typed"]["2-1"]["进展情况"],) * 2 + ("已报送",),
            ("未报送", "未报送", "未报送"),
        )
        assert not list(out.glob(".*.tmp")) and not (out / "历史").exists()


def test_a_second_run_waits_for_the_folders_lock_then_refuses(world: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, sys, time; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); "
         "print('locked', flush=True); time.sleep(60)", str(out / fileset.RECORD)],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        files = fileset.FileSet([out / SUMMARY], wait=0.5)
        with pytest.raises(fileset.OutputError, match="另一个 toolkit 正在向"):
            files.__enter__()
        assert not list(out.glob(".*.tmp"))
    finally:
        holder.kill()
        holder.wait()
    with fileset.FileSet([out / SUMMARY], wait=0.5) as files:  # free again
        files.write(out / SUMMARY, b"done")
    assert (out / SUMMARY).read_bytes() == b"done"


def test_generate_force_replaces_all_forms_or_none(
    world: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forms = tmp_path / "forms"
    bf.generate(world["register"], forms)
    before = snapshot(forms)
    real_write = fileset.write_file
    calls: list[Path] = []

    def full_at_the_third(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(fileset, "write_file", full_at_the_third)
    result = invoke("generate", world["register"], "-q", "3", "-o", forms, "--force")
    assert result.exit_code == 1 and "磁盘空间不足" in result.stderr
    assert snapshot(forms) == before
    monkeypatch.setattr(fileset, "write_file", real_write)
    edited = bf.form_of(forms, "观湖街道")
    edited.write_bytes(edited.read_bytes() + b"\0")  # changed in the folder since
    result = invoke("generate", world["register"], "-q", "3", "-o", forms, "--force", "--json")
    assert result.exit_code == 0, result.stderr
    [kept] = json.loads(result.stdout)["kept"]
    assert Path(kept["file"]) == edited and Path(kept["kept_as"]).parent == forms / "历史"
    assert Path(kept["kept_as"]).read_bytes() == before[edited.name] + b"\0"


# ---------------------------------------------------------------- nothing overwritten silently


def test_a_hand_edited_summary_is_kept_in_history(world: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = merged(world, world["returns"], out=out / SUMMARY)
    assert first["outputs"]["kept"] == []
    again = merged(world, world["returns"], out=out / SUMMARY)  # untouched: replaced silently
    assert again["outputs"]["kept"] == [] and not (out / "历史").exists()
    with zipfile.ZipFile(out / SUMMARY) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    entries["word/document.xml"] = entries["word/document.xml"].replace(
        "民治街道社区食堂建设".encode(), "（办公室改过）民治街道社区食堂建设".encode()
    )
    with zipfile.ZipFile(out / SUMMARY, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    edited = (out / SUMMARY).read_bytes()
    third = merged(world, world["returns"], out=out / SUMMARY)
    [kept] = third["outputs"]["kept"]
    copy = Path(kept["kept_as"])
    assert Path(kept["file"]) == out / SUMMARY and copy.parent == out / "历史"
    assert copy.name.startswith("一览表-") and copy.suffix == ".docx"
    assert copy.read_bytes() == edited
    assert f"替换前已把它保留为 {copy}" in third["stderr"]
    assert "办公室改过" not in "".join(r[rules.PROGRESS] for r in table(out / SUMMARY).values())
    assert sorted(p.name for p in (out / "历史").iterdir()) == [copy.name]  # xlsx was untouched
    # The kept copy is the toolkit's own file: a merge over the folder skips it too.
    assert skipped(merged(world, out, world["returns"], out=tmp_path / "o2" / SUMMARY)) == {
        **dict.fromkeys(OUTPUTS, "own_output"),
        copy.name: "own_output",
    }


@pytest.mark.libreoffice
def test_outputs_saved_again_by_libreoffice_are_still_recognised(
    world: dict, tmp_path: Path
) -> None:
    """Calc and Writer keep the custom property: a re-saved 一览表 is still no return."""
    require_calc()
    out = tmp_path / "out"
    merged(world, world["returns"], out=out / SUMMARY)
    returns = copy_returns(world, tmp_path)
    saved = tmp_path / "saved"
    done = {
        **convert([out / "一览表.xlsx", out / OUTPUTS[2]], "xlsx", saved),
        **convert([out / SUMMARY], "docx", saved),
    }
    assert len(done) == 3
    for path in done.values():
        assert _output_property(path) in ("一览表", "问题清单")
        shutil.copy(path, returns / f"另存-{path.name}")
    data = merged(world, returns, out=tmp_path / "out2" / SUMMARY)
    assert {k for n, k in skipped(data).items() if n.startswith("另存-")} == {"own_output"}
    assert statuses(data) == dict.fromkeys(UNITS, "returned")
