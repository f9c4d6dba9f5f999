"""Benchmark: toolkit's commands as whole processes, side by side with their floors.

    python tests/benchmarks/bench.py [--size tiny|district|city|all] [--repeat N] [--jobs N]
                                     [--write-doc docs/performance.md]

For each size it builds a synthetic register (tests/support/registers.py),
generates every unit's form, fills every row of every form with 100–300
characters of Chinese text, merges once (untimed), then measures the median
of `--repeat` runs (default 7, 5 for city), the runs taking turns so changes
in machine load hit all alike. A user waits for the whole process, so each
command runs as its own process, start-up, imports and all, as the console
script runs it, and so does its floor (tests/benchmarks/floor.py: a process
importing only zipfile and lxml that does the least any tool must do):

- `toolkit generate` against parsing the register's sheet XML and writing
  every output's bytes (re-zipping the generated files);
- `toolkit merge` (default --jobs, and --jobs 1) against parsing the
  register's sheet XML, unzipping and parsing every return's document.xml,
  and writing the merge's outputs' bytes;
- reading the register (in-process) against parsing its sheet XML;
- recording a merge in a new history file (in-process, for reference)
  against the units' entries alone into one bare SQLite table;
- `toolkit --version` / `--help`, and importing every module a `generate`
  run uses, against fixed budgets;
- growth: each command on a register of half the projects and units;
- peak memory (the largest process of a run, workers included), and at
  `--size all` a register four times the city's.

Children run with bytecode caching on (in a folder of their own), as an
installed toolkit does, and with the template cache warmed by one untimed
run. Prints one table, every target with its measured value, its bound and
whether it is met; `--write-doc` also puts the table into docs/performance.md
between its `bench:begin` and `bench:end` markers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
sys.path.insert(0, str(TESTS))
sys.path.insert(0, str(TESTS.parent))
sys.path.insert(0, str(HERE))

QUARTER = 3
CITY_4X = "city×4"
ALL = ["district", "city", CITY_4X]  # what `--size all` measures
HEADER_LINE = "| 目标 | 规模 | 本工具 | 下限 | 比值 | 目标值 | 结果 |"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


@dataclass(frozen=True)
class Size:
    name: str
    projects: int
    units: int
    streets: int
    big_unit_rows: int  # rows of the one unusually large unit (0: none)
    joint_every: int  # every Nth project is a joint row (各街道, or two units)

    def half(self) -> Size:
        """Half the projects and units. The streets stay: a 各街道 row goes to every
        street, so halving both would quarter those rows, not halve them."""
        return Size(
            f"{self.name}/2",
            self.projects // 2,
            self.units // 2,
            self.streets,
            self.big_unit_rows // 2,
            self.joint_every,
        )


SIZES = {
    "tiny": Size("tiny", 24, 6, 3, 0, 8),
    "district": Size("district", 180, 30, 6, 0, 15),
    "city": Size("city", 3000, 400, 40, 300, 60),
    "city×4": Size("city×4", 12000, 1600, 160, 1200, 60),  # memory only
}

# ---------------------------------------------------------------- synthetic data

# The phrases and evaluations the test quarters are made of, shared with the tests.
from support.long_register import EVALUATIONS as _EVALUATIONS  # noqa: E402
from support.long_register import PHRASES as _PHRASES  # noqa: E402


def chinese_text(rng: random.Random) -> str:
    """Numbered items of realistic text, 100–300 characters in all."""
    target = rng.randint(100, 300)
    items: list[str] = []
    while sum(len(i) for i in items) < target - 20:
        n = len(items) + 1
        items.append(f"{n}.{rng.choice(_PHRASES)}，{rng.choice(_PHRASES)}。")
    text = "\n".join(items)
    return text[:target] if len(text) > target else text


def filled_row(rng: random.Random) -> dict[str, str]:
    """What a unit types into one row; a few rows carry the usual mistakes."""
    row = {
        "进展情况": chinese_text(rng),
        "存在问题及下一步工作计划": chinese_text(rng),
        "进度评价": rng.choice(_EVALUATIONS),
    }
    roll = rng.random()
    if roll < 0.03:
        row["进度评价"] = ""  # missing_evaluation
    elif roll < 0.06:
        row["进展情况"] = row["进展情况"].replace(".", "、")  # numbering
    elif roll < 0.08:
        row["进展情况"] += "，" + "持续推进相关工作" * 40  # too_long
    return row


def register_rows(size: Size) -> tuple[list[list[Any]], list[tuple[str, str]]]:
    """Register rows and units: streets and departments, joint rows incl. 各街道."""
    rng = random.Random(size.projects * 7919 + size.units)
    streets = [f"第{i + 1}街道" for i in range(size.streets)]
    departments = [f"区第{i + 1}局" for i in range(size.units - size.streets)]
    units = [(s, "街道") for s in streets] + [(d, "区直部门") for d in departments]
    names = streets + departments
    big = departments[0] if size.big_unit_rows else None
    rows: list[list[Any]] = []
    others = [u for u in names if u != big]
    plain = 0  # rows led by one ordinary unit so far: deals them out in turn
    for n in range(size.projects):
        item, sub = divmod(n, 6)
        pid = f"{item + 1}-{sub + 1}"
        if big and n % (size.projects // size.big_unit_rows) == 0:
            lead = big
        elif n % size.joint_every == 1:
            lead = "各街道" if (n // size.joint_every) % 2 == 0 else "、".join(rng.sample(names, 2))
        else:
            lead = others[plain % len(others)]
            plain += 1
            if lead in streets and n % 5 == 0:
                lead = f"{lead}（工务）"  # a sub-office label, on its street's form
        matter = f"民生事项第{item + 1}件：{rng.choice(_PHRASES)}" if sub == 0 else ""
        rows.append(
            [
                matter,
                pid,
                f"项目{pid}{rng.choice(_PHRASES)[:10]}",
                rng.choice(_PHRASES) + "。",
                "",
                "",
                rng.choice(_PHRASES) + "。",
                "",
                lead,
                "/",
            ]
        )
    return rows, units


def build(size: Size, root: Path) -> dict[str, Any]:
    """Register, generated forms and filled returns for one size (untimed set-up)."""
    from support.fill import fill_form
    from support.registers import write_register

    from toolkit.forms.generate import generate_forms
    from toolkit.register.reader import read_register

    done = root / "built.json"
    if done.exists():  # kept by an earlier `--keep` run
        return json.loads(done.read_text(encoding="utf-8"))
    root.mkdir(parents=True, exist_ok=True)
    # The template cache of the measured runs, filled here as by any earlier run.
    os.environ["TOOLKIT_CACHE_DIR"] = str(root / "template-cache")
    rows, units = register_rows(size)
    register_path = write_register(root / "register.xlsx", rows, units=units)
    register = read_register(register_path)
    generation = generate_forms(
        register, _period(register), root / "forms", force=True, jobs=_default_jobs()
    )
    returns = root / "returns"
    returns.mkdir(exist_ok=True)
    rng = random.Random(size.projects)
    for form in generation.forms:
        fills = {pid: filled_row(rng) for pid in form.project_ids}
        fill_form(form.path, returns / form.path.name, fills)
    _merge_into(root, root / "merged")  # what the merge floor writes again
    info = {"projects": size.projects, "forms": len(generation.forms)}
    done.write_text(json.dumps(info), encoding="utf-8")
    return info


def _register(work: Path) -> Any:
    """The register as `toolkit generate/check/merge` read and hold it."""
    from toolkit.cli.base import read_register

    return read_register(str(work / "register.xlsx"), None, None, False, notify=False)


def _period(register: Any) -> Any:
    from toolkit.register.model import resolve_period

    return resolve_period(register, QUARTER, None)


def _default_jobs() -> int:
    from toolkit.core.parallel import default_jobs

    return default_jobs()


def _merge_into(work: Path, out: Path, jobs: int = 1) -> int:
    from toolkit.returns.merging import merge_returns
    from toolkit.summary.outputs import write_merge_outputs

    register = _register(work)
    result = merge_returns(register, _period(register), [work / "returns"], jobs=jobs)
    write_merge_outputs(
        result, out / "一览表.docx", out / "一览表.xlsx", out / "问题清单.xlsx", jobs=jobs
    )
    return result.files_read


# ---------------------------------------------------------------- in-process phases (child side)


def phase_read_register(work: Path) -> None:
    from toolkit.register.reader import read_register

    start = time.perf_counter()
    read_register(work / "register.xlsx")
    _TIMER.append(time.perf_counter() - start)


def phase_register_floor(work: Path) -> None:
    from floor import parse_register

    start = time.perf_counter()
    parse_register(str(work / "register.xlsx"))
    _TIMER.append(time.perf_counter() - start)


def _merged(work: Path) -> Any:
    from toolkit.returns.merging import merge_returns

    register = _register(work)
    return merge_returns(register, _period(register), [work / "returns"])


def _fresh(work: Path, name: str) -> Path:
    path = work / f"{name}-{os.getpid()}-{time.perf_counter_ns()}.sqlite"
    path.unlink(missing_ok=True)
    return path


def phase_history(work: Path) -> None:
    """Recording a merge in a new history file (one transaction, as `toolkit merge` does)."""
    from toolkit.history.store import record_merge

    result, path = _merged(work), _fresh(work, "history")
    start = time.perf_counter()
    record_merge(path, result, "bench")
    _TIMER.append(time.perf_counter() - start)


def phase_history_floor(work: Path) -> None:
    """The units' entries alone, into one bare SQLite table, in one transaction."""
    import sqlite3

    result, path = _merged(work), _fresh(work, "floor")
    rows = [(e.id, e.unit, e.progress, e.plan, e.evaluation_typed) for e in result.entries.values()]
    start = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE entries (id, unit, progress, plan, evaluation)")
    with db:
        db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?)", rows)
    db.close()
    _TIMER.append(time.perf_counter() - start)


PHASES = {
    "read_register": phase_read_register,
    "register_floor": phase_register_floor,
    "history": phase_history,
    "history_floor": phase_history_floor,
}
_TIMER: list[float] = []

# Imports the modules named on the command line, in order; prints the milliseconds.
_IMPORT_ALL = """
import importlib, sys, time
start = time.perf_counter()
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception:
        pass  # made by another module's import (a Cython runtime, say): already counted
print(1000 * (time.perf_counter() - start))
"""

# ---------------------------------------------------------------- whole processes (parent side)


@dataclass
class Run:
    seconds: float
    rss_mb: float  # the largest process of the run, its workers included


def child_env(root: Path, work: Path) -> dict[str, str]:
    """As an installed toolkit runs: bytecode cached (apart from the sources), a template cache."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    env["TOOLKIT_CACHE_DIR"] = str(work / "template-cache")
    return env


def toolkit_cmd() -> list[str]:
    script = Path(sys.executable).with_name("toolkit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "toolkit"]


def run_process(cmd: list[str], env: dict[str, str], cwd: Path) -> Run:
    """One whole process: wall time from start to exit, and its peak RSS.

    Started by a small launcher process: Linux carries a process's peak RSS
    across fork and exec, so a command started straight from this (large)
    process would report this process's peak as its own.
    """
    out = run_output([sys.executable, "-c", _LAUNCH, *cmd], env, cwd)
    seconds, rss_kb, code, err = json.loads(out.strip().splitlines()[-1])
    if code not in (0, 1):  # 1: a merge that found problems in the returns
        raise SystemExit(f"{' '.join(cmd[-6:])} 失败（退出码 {code}）：{err}")
    return Run(seconds, rss_kb / 1024)


# Runs the command given, prints [seconds, peak RSS in KB (its workers too), exit code, stderr].
_LAUNCH = """
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = proc.stderr.read()
_, status, usage = os.wait4(proc.pid, 0)
seconds = time.perf_counter() - start
code = os.waitstatus_to_exitcode(status)
print(json.dumps([seconds, usage.ru_maxrss, code, err.decode(errors="replace")[-1500:]]))
"""


def run_output(cmd: list[str], env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} 失败：{done.stderr[-1500:]}")
    return done.stdout


def run_phase(name: str, work: Path) -> float:
    """An in-process phase in a child of its own: seconds."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", name, "--work", str(work)]
    return json.loads(run_output(cmd, dict(os.environ), work).strip().splitlines()[-1])[0]


def commands(work: Path, jobs: int) -> dict[str, list[str]]:
    """Every timed process of one size: ours and the floors."""
    reg, py, floor = str(work / "register.xlsx"), sys.executable, str(HERE / "floor.py")
    tk = toolkit_cmd()
    generate = [*tk, "generate", reg, "-q", str(QUARTER), "-f"]
    merge = [*tk, "merge", str(work / "returns"), "-r", reg, "-q", str(QUARTER)]
    return {
        "generate": [*generate, "-o", str(work / "out-generate"), "--jobs", str(jobs)],
        "generate_cold": [*generate, "-o", str(work / "out-cold"), "--jobs", str(jobs)],
        "merge": [*merge, "-o", str(work / "out-merge" / "一览表.docx"), "--jobs", str(jobs)],
        "merge_j1": [*merge, "-o", str(work / "out-merge-1" / "一览表.docx"), "--jobs", "1"],
        "generate_floor": [py, floor, "generate", reg, str(work / "forms"), str(work / "out-f1")],
        "merge_floor": [
            py,
            floor,
            "merge",
            reg,
            str(work / "returns"),
            str(work / "merged"),
            str(work / "out-f2"),
        ],
    }


def measure(
    plan: list[tuple[str, Path, list[str], dict[str, str]]], repeat: int
) -> dict[tuple[str, Path], Run]:
    """Every process of the plan once untimed (caches warm), then `repeat` rounds in turn."""
    for _, work, cmd, env in plan:
        run_process(cmd, env, work)
    runs: dict[tuple[str, Path], list[Run]] = {(n, w): [] for n, w, _, _ in plan}
    for _ in range(repeat):
        for name, work, cmd, env in plan:
            if name == "generate_cold":  # a cache nobody has filled: the first run ever
                env = {**env, "TOOLKIT_CACHE_DIR": tempfile.mkdtemp(dir=work, prefix="cold-")}
            runs[name, work].append(run_process(cmd, env, work))
    return {
        key: Run(statistics.median(r.seconds for r in got), max(r.rss_mb for r in got))
        for key, got in runs.items()
    }


def import_set(root: Path, work: Path, *args: str) -> list[str]:
    """The modules a real `toolkit ARGS` run imports beyond a bare interpreter, in order."""
    from support.modules import LIST_MODULES

    env = child_env(root, work)
    listing = work / "modules.json"
    run_output([sys.executable, "-c", LIST_MODULES, str(listing), *args], env, work)  # caches warm
    run_output([sys.executable, "-c", LIST_MODULES, str(listing), *args], env, work)
    bare = set(json.loads(run_output([sys.executable, "-c", _BARE], env, work)))
    return [m for m in json.loads(listing.read_text(encoding="utf-8")) if m not in bare]


_BARE = "import json, sys; print(json.dumps(list(sys.modules)))"


def import_ms(root: Path, work: Path, modules: list[str], repeat: int) -> float:
    env = child_env(root, work)
    cmd = [sys.executable, "-c", _IMPORT_ALL, *modules]
    run_output(cmd, env, work)  # bytecode cached
    return statistics.median(float(run_output(cmd, env, work)) for _ in range(repeat))


# ---------------------------------------------------------------- the targets


@dataclass(frozen=True)
class Target:
    label: str
    bound: float
    unit: str  # "×" for a ratio, "ms" or "MB"

    @property
    def bound_text(self) -> str:
        return f"< {self.bound:.0f} MB" if self.unit == "MB" else f"≤ {_num(self.bound, self.unit)}"

    def met(self, value: float) -> bool:
        return value < self.bound if self.unit == "MB" else value <= self.bound


def _num(value: float, unit: str) -> str:
    return f"{value:.2f}×" if unit == "×" else f"{value:.0f} {unit}"


GENERATE = Target("`toolkit generate`（默认 --jobs）对整进程下限", 1.2, "×")
GENERATE_COLD = Target("`toolkit generate`·首次运行（模板缓存为空）对整进程下限（参考）", 0, "×")
MERGE = Target("`toolkit merge`（默认 --jobs）对整进程“读＋写”下限", 1.5, "×")
MERGE_J1 = Target("`toolkit merge --jobs 1` 对整进程“读＋写”下限", 2.0, "×")
REGISTER = Target("读登记表对解析工作表 XML", 3.0, "×")
HISTORY = Target("记入报送历史（进程内）对一次事务写入一张裸表（参考）", 0, "×")
GROWTH = {
    "generate": Target("规模加倍用时比：generate", 2.1, "×"),
    "merge": Target("规模加倍用时比：merge（默认 --jobs）", 2.1, "×"),
    "merge_j1": Target("规模加倍用时比：merge --jobs 1", 2.1, "×"),
}
MEMORY = {
    "generate": Target("峰值内存：generate", 300, "MB"),
    "merge": Target("峰值内存：merge", 300, "MB"),
}
MEMORY_4X = {
    "generate": Target("峰值内存（4 倍 city）：generate", 600, "MB"),
    "merge": Target("峰值内存（4 倍 city）：merge", 600, "MB"),
}
VERSION = Target("`toolkit --version` 整进程", 80, "ms")
HELP = Target("`toolkit --help` 整进程", 80, "ms")
IMPORTS = Target("导入 generate 用到的全部模块", 80, "ms")
IMPORTS_MERGE = Target("导入 merge 用到的全部模块（参考）", 0, "ms")


def row(target: Target, size: str, ours: str, floor: str, value: float) -> list[str]:
    measured = _num(value, target.unit)
    if target.bound <= 0:  # for reference only
        return [target.label, size, ours, floor, measured, "—", "参考"]
    verdict = "达到" if target.met(value) else "**未达到**"
    return [target.label, size, ours, floor, measured, target.bound_text, verdict]


def planned(sizes: list[str] = ALL) -> list[tuple[str, str, str]]:
    """(target, size, bound) of every row `--size` prints, in order: the doc's table follows."""
    rows = []
    for name in sizes:
        if name == CITY_4X:
            rows += [(t.label, name, t.bound_text) for t in MEMORY_4X.values()]
            continue
        for t in (GENERATE, GENERATE_COLD, MERGE, MERGE_J1, REGISTER, HISTORY, *GROWTH.values()):
            rows.append((t.label, name, t.bound_text if t.bound > 0 else "—"))
        rows += [(t.label, name, t.bound_text) for t in MEMORY.values()]
    for t in (VERSION, HELP, IMPORTS, IMPORTS_MERGE):
        rows.append((t.label, "—", t.bound_text if t.bound > 0 else "—"))
    return rows


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def bench_size(size: Size, root: Path, repeat: int, jobs: int) -> list[list[str]]:
    full, half = root / size.name, root / f"{size.name}-half"
    print(f"准备数据：{size.name} …", file=sys.stderr)
    info = build(size, full)
    label = f"{size.name}（{info['projects']} 项目/{info['forms']} 单位）"
    if size.name == CITY_4X:  # memory only, one run
        cmds = commands(full, jobs)
        env = child_env(root, full)
        m = measure([(n, full, cmds[n], env) for n in ("generate", "merge")], 1)
        return [
            row(t, label, f"{m[n, full].rss_mb:.0f} MB", "—", m[n, full].rss_mb)
            for n, t in MEMORY_4X.items()
        ]
    build(size.half(), half)
    plan = []
    for work in (full, half):
        cmds, env = commands(work, jobs), child_env(root, work)
        names = ["generate", "merge", "merge_j1"]
        if work == full:
            names += ["generate_cold", "generate_floor", "merge_floor"]
        plan += [(n, work, cmds[n], env) for n in names]
    print(f"测量：{size.name}，每项 {repeat} 次 …", file=sys.stderr)
    m = measure(plan, repeat)
    reg = statistics.median(run_phase("read_register", full) for _ in range(repeat))
    reg_floor = statistics.median(run_phase("register_floor", full) for _ in range(repeat))
    gen_floor, merge_floor = m["generate_floor", full].seconds, m["merge_floor", full].seconds
    out = []
    for target, name, base in (
        (GENERATE, "generate", gen_floor),
        (GENERATE_COLD, "generate_cold", gen_floor),
        (MERGE, "merge", merge_floor),
        (MERGE_J1, "merge_j1", merge_floor),
    ):
        ours = m[name, full].seconds
        out.append(row(target, label, _ms(ours), _ms(base), ours / base))
    out.append(row(REGISTER, label, _ms(reg), _ms(reg_floor), reg / reg_floor))
    rec = statistics.median(run_phase("history", full) for _ in range(repeat))
    rec_floor = statistics.median(run_phase("history_floor", full) for _ in range(repeat))
    out.append(row(HISTORY, label, _ms(rec), _ms(rec_floor), rec / rec_floor))
    for name, target in GROWTH.items():
        big, small = m[name, full].seconds, m[name, half].seconds
        out.append(row(target, label, _ms(big), f"半规模 {_ms(small)}", big / small))
    for name, target in MEMORY.items():
        rss = max(m[name, full].rss_mb, m.get((f"{name}_j1", full), m[name, full]).rss_mb)
        out.append(row(target, label, f"{rss:.0f} MB", "—", rss))
    return out


def bench_start(root: Path, work: Path, repeat: int) -> list[list[str]]:
    """Start-up and imports, measured on the first size's data."""
    env = child_env(root, work)
    tk = toolkit_cmd()
    out = []
    for target, args in ((VERSION, ["--version"]), (HELP, ["--help"])):
        run_process([*tk, *args], env, work)
        ms = 1000 * statistics.median(
            run_process([*tk, *args], env, work).seconds for _ in range(max(repeat, 9))
        )
        out.append(row(target, "—", f"{ms:.0f} ms", "—", ms))
    bare = 1000 * statistics.median(
        run_process([sys.executable, "-c", "pass"], env, work).seconds for _ in range(9)
    )
    reg = str(work / "register.xlsx")
    gen = import_set(root, work, "generate", reg, "-q", str(QUARTER), "-o", "out-i", "-f")
    merge = import_set(
        root, work, "merge", "returns", "-r", reg, "-q", str(QUARTER), "-o", "out-im/一览表.docx"
    )
    for target, modules in ((IMPORTS, gen), (IMPORTS_MERGE, merge)):
        ms = import_ms(root, work, modules, max(repeat, 9))
        out.append(row(target, "—", f"{ms:.0f} ms（{len(modules)} 个模块）", "—", ms))
    out[0][3] = f"空进程 {bare:.0f} ms"
    out[1][3] = out[0][3]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="整进程性能基准：本工具的命令与下限并排比较。")
    parser.add_argument("--size", choices=[*SIZES, "all"], default="district")
    parser.add_argument(
        "--repeat", type=int, help="每项测量的重复次数，取中位数；默认 city 5 次，其余 7 次"
    )
    parser.add_argument("--jobs", type=int, default=None, help="“默认 --jobs”各行使用的进程数")
    parser.add_argument("--keep", metavar="DIR", help="把生成的数据留在此文件夹")
    parser.add_argument("--write-doc", metavar="MD", help="把结果表写入此文档的 bench 标记之间")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        PHASES[args.phase](Path(args.work))
        print(json.dumps(_TIMER))
        return 0
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat 至少为 1")
    jobs = args.jobs or _default_jobs()
    names = ALL if args.size == "all" else [args.size]
    with tempfile.TemporaryDirectory(prefix="toolkit-bench-") as tmp:
        root = Path(args.keep) if args.keep else Path(tmp)
        table = []
        for name in names:
            repeat = args.repeat or (5 if name.startswith("city") else 7)
            table.extend(bench_size(SIZES[name], root, repeat, jobs))
        table.extend(bench_start(root, root / names[0], args.repeat or 7))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    text = render(table, jobs, load)
    print(text)
    if args.write_doc:
        write_doc(Path(args.write_doc), text)
    return 0


def render(table: list[list[str]], jobs: int, load: float) -> str:
    lines = [HEADER_LINE, "|" + "---|" * HEADER_LINE.count(" | ") + "---|"]
    lines += ["| " + " | ".join(r) + " |" for r in table]
    lines.append("")
    lines.append(
        f"机器：{os.cpu_count()} 核（默认 --jobs {jobs}），Python {sys.version.split()[0]}，"
        f"结束时 1 分钟平均负载 {load:.1f}。"
    )
    return "\n".join(lines)


def write_doc(path: Path, text: str) -> None:
    doc = path.read_text(encoding="utf-8")
    before, rest = doc.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    path.write_text(f"{before}{BEGIN}\n{text}\n{END}{after}", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
