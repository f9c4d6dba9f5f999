"""Writing a set of files as one (toolkit.office.fileset), on real folders."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.errors import OutputError, UsageError
from toolkit.office import fileset
from toolkit.office.fileset import RECORD, FileSet, check_targets


def write_set(folder: Path, contents: dict[str, bytes]) -> list[fileset.Kept]:
    targets = [folder / name for name in contents]
    with FileSet(targets, wait=1) as files:
        for target in targets:
            files.write(target, contents[target.name])
    return files.kept


def visible(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}


def test_a_rename_that_fails_half_way_puts_every_old_file_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_set(tmp_path, {"a.docx": b"old a", "b.xlsx": b"old b", "c.xlsx": b"old c"})
    before = visible(tmp_path)
    real_replace = os.replace

    def locked_c(src: object, dst: object) -> None:
        if Path(str(dst)).name == "c.xlsx":  # as Windows refuses a file open in Excel
            raise PermissionError(13, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", locked_c)
    with pytest.raises(OutputError, match=r"无法替换 .*c\.xlsx：没有访问权限。已撤销本次写入"):
        write_set(tmp_path, {"a.docx": b"new a", "b.xlsx": b"new b", "c.xlsx": b"new c"})
    monkeypatch.undo()
    assert visible(tmp_path) == before  # a and b were put back; nothing hidden is left over
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, RECORD])


def test_a_changed_file_is_copied_to_history_first_and_names_never_collide(tmp_path: Path) -> None:
    write_set(tmp_path, {"一览表.docx": b"v1"})
    (tmp_path / "一览表.docx").write_bytes(b"edited")
    os.utime(tmp_path / "一览表.docx", (1_700_000_000, 1_700_000_000))
    [kept] = write_set(tmp_path, {"一览表.docx": b"v2"})
    assert kept.copy.parent == tmp_path / "历史" and kept.copy.read_bytes() == b"edited"
    (tmp_path / "一览表.docx").write_bytes(b"edited again")
    os.utime(tmp_path / "一览表.docx", (1_700_000_000, 1_700_000_000))  # same time: same name
    [again] = write_set(tmp_path, {"一览表.docx": b"v3"})
    assert again.copy != kept.copy and again.copy.name.endswith("-2.docx")
    assert again.copy.read_bytes() == b"edited again" and kept.copy.read_bytes() == b"edited"
    # The same content as the new one loses nothing: no copy.
    (tmp_path / "一览表.docx").write_bytes(b"v4")
    assert write_set(tmp_path, {"一览表.docx": b"v4"}) == []


def test_a_file_without_a_record_is_kept_before_it_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "一览表.docx").write_bytes(b"made by someone else")
    [kept] = write_set(tmp_path, {"一览表.docx": b"new"})
    assert kept.copy.read_bytes() == b"made by someone else"
    (tmp_path / RECORD).write_text("not json", "utf-8")  # a damaged record: unknown, so kept
    (tmp_path / "一览表.docx").write_bytes(b"new")
    assert write_set(tmp_path, {"一览表.docx": b"newer"}) != []


def test_targets_that_are_one_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="两个输出文件是同一个文件"):
        check_targets([tmp_path / "A.xlsx", tmp_path / "sub" / ".." / "a.xlsx"])
    (tmp_path / "in.docx").write_bytes(b"a return")
    (tmp_path / "link.docx").symlink_to(tmp_path / "in.docx")
    with pytest.raises(UsageError, match="就是输入文件"):
        check_targets([tmp_path / "link.docx"], [tmp_path / "in.docx"])


def test_a_folder_or_pipe_in_the_way_is_refused_before_writing(tmp_path: Path) -> None:
    (tmp_path / "一览表.docx").mkdir()
    with pytest.raises(OutputError, match="是一个文件夹"):
        write_set(tmp_path, {"a.xlsx": b"a", "一览表.docx": b"b"})
    os.mkfifo(tmp_path / "p.xlsx")
    with pytest.raises(OutputError, match="不是普通文件"):
        write_set(tmp_path, {"p.xlsx": b"a"})
    assert not (tmp_path / "a.xlsx").exists()


def test_the_lock_ends_with_a_killed_run(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from toolkit.office.fileset import FileSet\n"
         "with FileSet([Path(sys.argv[1])]):\n print('in', flush=True); time.sleep(60)",
         str(tmp_path / "x.docx")],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline() == b"in\n"
    with pytest.raises(OutputError, match="另一个 toolkit"):
        FileSet([tmp_path / "y.docx"], wait=0.3).__enter__()
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert write_set(tmp_path, {"y.docx": b"y"}) == []  # no stale lock
    assert (tmp_path / "y.docx").read_bytes() == b"y"
