"""What each command imports: heavy dependencies only where they are used.

Start-up time is mostly imports, so `toolkit --version` / `--help` and a
plain `generate` must not pull in what they never use (the web desk, the
returns reader, docxtpl on a template-cache hit, worker processes for a
few forms). Asserted on the set of modules a real run leaves in
`sys.modules`, never on time (the benchmark measures time).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support.modules import LIST_MODULES
from support.registers import write_register

# Never needed to start up, show help or a version.
HEAVY = {
    "concurrent.futures",
    "docx",
    "docxtpl",
    "jinja2",
    "lxml",
    "multiprocessing",
    "openpyxl",
    "PIL",
    "python_calamine",
    "secrets",
    "socket",
    "sqlite3",
    "starlette",
    "uvicorn",
    "webbrowser",
    "xlsxwriter",
}
# Never needed by generate with a warm template cache and fewer forms than
# toolkit.core.parallel.MIN_PARALLEL.
NOT_FOR_GENERATE = {
    "docx",
    "docxtpl",
    "multiprocessing",
    "openpyxl",
    "PIL",
    "socket",
    "sqlite3",
    "starlette",
    "uvicorn",
    "webbrowser",
    "toolkit.desk",
    "toolkit.returns",
    "toolkit.summary",
    "toolkit.templating.check",
}


def _imported(tmp_path: Path, *args: str | Path) -> set[str]:
    out = tmp_path / "modules.json"
    env = {k: v for k, v in os.environ.items() if k != "TOOLKIT_CACHE_DIR"}
    env["TOOLKIT_CACHE_DIR"] = str(tmp_path / "cache")
    done = subprocess.run(
        [sys.executable, "-c", LIST_MODULES, str(out), *map(str, args)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(out.read_text(encoding="utf-8")))


def _heavy(modules: set[str], names: set[str]) -> set[str]:
    """The modules of `names` (packages with all their submodules) that were imported."""
    return {m for m in modules if m in names or any(m.startswith(n + ".") for n in names)}


def test_version_and_help_import_only_the_command_line(tmp_path: Path) -> None:
    for args in (["--version"], ["--help"], ["generate", "--help"], ["serve", "--help"]):
        modules = _imported(tmp_path, *args)
        assert "click" in modules  # the run happened
        assert not _heavy(modules, HEAVY), args
        ours = {m for m in modules if m == "toolkit" or m.startswith("toolkit.")}
        assert ours <= {"toolkit", "toolkit.errors"} | {
            m for m in ours if m.startswith("toolkit.cli")
        }, args


def test_generate_imports_neither_desk_nor_reader_nor_docxtpl(tmp_path: Path) -> None:
    register = write_register(tmp_path / "登记表.xlsx")
    first = _imported(tmp_path, "generate", register, "-q", "3", "-o", "a")
    assert (tmp_path / "a" / "分发清单.xlsx").is_file()
    # The first run on an empty cache prepares and checks the template in full.
    assert {"docxtpl", "toolkit.templating.check"} <= first
    again = _imported(tmp_path, "generate", register, "-q", "3", "-o", "b")
    assert len(list((tmp_path / "b").glob("*.docx"))) == len(list((tmp_path / "a").glob("*.docx")))
    assert not _heavy(again, NOT_FOR_GENERATE)
    assert {"jinja2", "lxml", "python_calamine", "xlsxwriter"} <= again  # what it does use


# merge records itself in the history (sqlite3, the user and host names).
NOT_FOR_MERGE = NOT_FOR_GENERATE - {"toolkit.returns", "toolkit.summary", "socket", "sqlite3"}


def test_merge_imports_neither_desk_nor_docxtpl(tmp_path: Path) -> None:
    from support.fill import fill_form
    from support.seed import MINZHI_Q3

    register = write_register(tmp_path / "登记表.xlsx")
    _imported(tmp_path, "generate", register, "-q", "3", "-o", "forms")
    returns = tmp_path / "returns"
    returns.mkdir()
    rows = {
        pid: dict(zip(("进展情况", "存在问题及下一步工作计划", "进度评价"), v, strict=True))
        for pid, v in MINZHI_Q3.items()
    }
    form = next((tmp_path / "forms").glob("*（民治街道）.docx"))
    fill_form(form, returns / form.name, rows)
    merge = ["merge", returns, "-r", register, "-q", "3", "-o", tmp_path / "out" / "一览表.docx"]
    first = _imported(tmp_path, *merge)  # checks the summary template: a cache miss
    assert "toolkit.templating.check" in first
    again = _imported(tmp_path, *merge)
    assert (tmp_path / "out" / "一览表.docx").is_file()
    assert not _heavy(again, NOT_FOR_MERGE)
    # The next generate reads the history the merges wrote: sqlite3, but not the merge's modules.
    assert list(tmp_path.glob("输出/*.sqlite"))
    after = _imported(
        tmp_path, "generate", register, "-q", "4", "-o", "q4", "--allow-empty-targets"
    )
    assert "sqlite3" in after
    assert not _heavy(after, NOT_FOR_GENERATE - {"sqlite3"})
