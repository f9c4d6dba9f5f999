"""Every command on a Chinese Windows console: GBK output, redirected to a file.

`PYTHONIOENCODING=gbk` stands in for code page 936; the console script runs
as a subprocess, its output going to files as `toolkit check … > 结果.txt` does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.registers import write_register
from support.summaries import seed_rows, write_summary

from toolkit.errors import EXIT_INTERNAL

ROOT = Path(__file__).resolve().parents[1]
EXE = str(Path(sys.executable).with_name("toolkit"))
RARE_UNIT = "𠀾街道"  # a character GBK does not have


def run(args: list[str], cwd: Path, encoding: str = "gbk") -> tuple[int, str, str]:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    with open(cwd / "out.txt", "wb") as out, open(cwd / "err.txt", "wb") as err:
        done = subprocess.run([EXE, *args], cwd=cwd, stdout=out, stderr=err, env=env, timeout=300)
    read = lambda name: (cwd / name).read_bytes().decode(encoding)  # noqa: E731
    return done.returncode, read("out.txt"), read("err.txt")


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gbk")
    rows = [
        *seed_rows(),
        ["", "99-1", "✔ 标记▋项目", "完工。", "", "", "完成。", "", RARE_UNIT, "/"],
    ]
    write_register(root / "登记表.xlsx", rows, units=[(RARE_UNIT, "街道")])
    shutil.copytree(ROOT / "data" / "returns" / "2023Q3", root / "回收表")
    write_summary(root / "一览表.docx", seed_rows())
    return root


COMMANDS = {
    "help": ["--help"],
    "version": ["--version"],
    "generate": ["generate", "登记表.xlsx", "-q", "3", "-o", "填报表", "--force", "--allow-new-units"],
    "check": ["check", "回收表", "-r", "登记表.xlsx", "-q", "3", "--allow-new-units"],
    "check-json": ["check", "回收表", "-r", "登记表.xlsx", "-q", "3", "--json", "--allow-new-units"],
    "merge": ["merge", "回收表", "-r", "登记表.xlsx", "-q", "3", "-o", "汇总/一览表.docx", "--allow-new-units"],
    "template-fields": ["template", "fields"],
    "template-check": ["template", "check", str(ROOT / "templates" / "form.docx")],
    "template-preview": [
        "template", "preview", str(ROOT / "templates" / "form.docx"), "-o", "预览.docx",
        "-r", "登记表.xlsx", "-q", "3", "--unit", RARE_UNIT, "--allow-new-units",
    ],
    "from-summary": ["register", "from-summary", "一览表.docx", "-o", "新登记表.xlsx", "--force"],
    "docs": ["docs", "模板"],
    "serve-help": ["serve", "--help"],
    "usage-error": ["generate", "登记表.xlsx", "-q", "9"],
    "register-error": ["generate", "不存在.xlsx", "-q", "3"],
}  # fmt: skip


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_writes_gbk_to_a_file_without_crashing(work: Path, name: str) -> None:
    code, out, err = run(COMMANDS[name], work)
    assert code != EXIT_INTERNAL, err
    assert "Traceback" not in err and "内部错误" not in err
    assert out or err
    if name.startswith(("generate", "check", "merge")):
        assert code in (0, 1)
    if name == "check-json":
        data = json.loads(out)  # escaped where GBK lacks a character, never mangled
        assert RARE_UNIT in {u["unit"] for u in data["units"]}
    if name == "check":
        assert "𠀾" not in out and "?街道" in out  # a plain mark instead of a crash


def test_marks_fall_back_to_plain_ones(work: Path) -> None:
    code, out, _ = run(
        ["check", "回收表", "-r", "登记表.xlsx", "-q", "3", "--allow-new-units"], work, "cp1252"
    )
    assert code in (0, 1) and "?" in out  # no Chinese in cp1252: still a complete listing
