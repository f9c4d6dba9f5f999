"""Benchmark: generate and merge, side by side with their floor and a naive baseline.

    python tests/benchmarks/bench.py [--size tiny|district|city|all] [--repeat N] [--jobs N]

For each size it builds a synthetic register (tests/support/registers.py),
generates every unit's form, fills every row of every form with 100–300
characters of Chinese text, then measures, each phase in its own child
process (so peak RSS is per phase), the median of `--repeat` runs (default
7, 5 for city), the phases taking turns so changes in machine load hit all:

- generate: toolkit's generate_forms; the floor (re-zip the same output
  files: read every entry, write a new zip with the same compression); the
  naive loop (a new DocxTemplate per unit, docxtpl's render(context,
  jinja_env) + save, same template and context).
- merge: merge_returns + the 一览表 .docx/.xlsx + 问题清单 (as `toolkit
  merge` writes them); the floor (unzip word/document.xml and parse it with
  lxml, per return); the naive reader (python-docx, every table's rows'
  `row.cells` texts). A second merge row compares the same time with the
  floor of reading plus writing (re-packing the three files the merge wrote,
  as generate's floor does). A third row times merge_returns alone (reading,
  identifying, checking), against the reading floor and baseline; a fourth
  the same with every row compared with a quarter before (the copied-text
  hints).
- history: recording a merge in a new history file (toolkit.history), against
  the floor (the units' entries alone into one bare SQLite table, one
  transaction) and the naive way (the same, one commit per row).

Linearity: the same phases on a register of half the projects and units;
the ratio full/half should stay near 2. Times exclude Python start-up and
reading the register (reported on its own row). As in the commands, the
register is then frozen out of the garbage collector's sight, and prepared
templates come from the template cache (filled while building the data, as
by any earlier run); one more row times generate with an empty cache.
Prints one table.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
sys.path.insert(0, str(TESTS))
sys.path.insert(0, str(TESTS.parent))

QUARTER = 3
HEADER_LINE = "| 阶段 | 规模 | 件数 | 本工具 ms/件 | 下限 ms/件 | 朴素 ms/件 | 本工具/下限 | 朴素/本工具 | 并行 ms/件 | 峰值内存 MB | 规模×2 时间比 |"


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
    _merge_into(root, root / "merged")  # what the write floor re-packs
    return {
        "register": str(register_path),
        "projects": size.projects,
        "forms": len(generation.forms),
        "rows": sum(len(f.project_ids) for f in generation.forms),
    }


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


# ---------------------------------------------------------------- phases (child side)


def phase_read_register(work: Path, jobs: int) -> int:
    from toolkit.register.reader import read_register

    start = time.perf_counter()
    read_register(work / "register.xlsx")
    _TIMER.append(time.perf_counter() - start)
    return 1


def phase_generate(work: Path, jobs: int) -> int:
    from toolkit.forms.generate import generate_forms

    register = _register(work)
    period = _period(register)
    start = time.perf_counter()
    result = generate_forms(register, period, work / "out-generate", force=True, jobs=jobs)
    _TIMER.append(time.perf_counter() - start)
    return len(result.forms)


def phase_generate_cold(work: Path, jobs: int) -> int:
    """generate on a machine whose template cache is empty (the first run ever)."""
    os.environ["TOOLKIT_CACHE_DIR"] = tempfile.mkdtemp(dir=work, prefix="cold-cache-")
    return phase_generate(work, jobs)


def phase_generate_floor(work: Path, jobs: int) -> int:
    files = sorted((work / "forms").glob("*.docx"))
    _repack(files, work / "out-floor")
    return len(files)


def _repack(files: list[Path], out: Path) -> None:
    """Timed: read every entry of each file, write a new zip with the same compression."""
    out.mkdir(exist_ok=True)
    start = time.perf_counter()
    for n, path in enumerate(files):
        with zipfile.ZipFile(path) as zin:
            entries = [(info, zin.read(info)) for info in zin.infolist()]
        with zipfile.ZipFile(out / f"{n}{path.suffix}", "w", zipfile.ZIP_DEFLATED) as zout:
            for info, data in entries:
                zout.writestr(info, data, compress_type=info.compress_type)
    _TIMER.append(time.perf_counter() - start)


def phase_generate_naive(work: Path, jobs: int) -> int:
    from docxtpl import DocxTemplate
    from toolkit.templates import default_path

    from toolkit.forms.context import form_context
    from toolkit.forms.generate import select_units
    from toolkit.forms.identity import form_id
    from toolkit.forms.rendering import make_environment
    from toolkit.register.model import rows_fingerprint
    from toolkit.register.reader import read_register

    register = read_register(work / "register.xlsx")
    period = _period(register)
    out = work / "out-naive"
    out.mkdir(exist_ok=True)
    template = default_path("form")
    start = time.perf_counter()
    units = select_units(register, None)
    for n, unit in enumerate(units):
        projects = register.projects_of(unit)
        fid = form_id(period, unit, rows_fingerprint(projects, period.quarter))
        context = form_context(register, period, unit, projects, fid)
        doc = DocxTemplate(template)
        doc.render(context, make_environment())
        doc.save(out / f"{n}.docx")
    _TIMER.append(time.perf_counter() - start)
    return len(units)


def phase_merge(work: Path, jobs: int) -> int:
    return _merge_into(work, work / "out-merge", jobs, timed=True)


def _merge_into(work: Path, out: Path, jobs: int = 1, *, timed: bool = False) -> int:
    from toolkit.returns.merging import merge_returns
    from toolkit.summary.outputs import write_merge_outputs

    register = _register(work)
    period = _period(register)
    start = time.perf_counter()
    result = merge_returns(register, period, [work / "returns"], jobs=jobs)
    write_merge_outputs(
        result, out / "一览表.docx", out / "一览表.xlsx", out / "问题清单.xlsx", jobs=jobs
    )
    if timed:
        _TIMER.append(time.perf_counter() - start)
    return result.files_read


def phase_merge_read(work: Path, jobs: int) -> int:
    """merge without writing the 一览表: reading, identifying and checking only."""
    from toolkit.returns.merging import merge_returns

    register = _register(work)
    period = _period(register)
    start = time.perf_counter()
    result = merge_returns(register, period, [work / "returns"], jobs=jobs)
    _TIMER.append(time.perf_counter() - start)
    return result.files_read


def phase_merge_floor(work: Path, jobs: int) -> int:
    from lxml import etree

    files = sorted((work / "returns").glob("*.docx"))
    start = time.perf_counter()
    for path in files:
        with zipfile.ZipFile(path) as zf:
            etree.fromstring(zf.read("word/document.xml"))
    _TIMER.append(time.perf_counter() - start)
    return len(files)


def phase_merge_write_floor(work: Path, jobs: int) -> int:
    """The floor of what a merge writes: re-pack its three output files (as generate's floor)."""
    outputs = [p for p in (work / "merged").glob("*.*") if not p.name.startswith(".")]
    _repack(sorted(outputs), work / "out-write-floor")
    return len(list((work / "returns").glob("*.docx")))  # per return, as the merge rows


def phase_merge_naive(work: Path, jobs: int) -> int:
    import docx

    files = sorted((work / "returns").glob("*.docx"))
    start = time.perf_counter()
    cells = 0
    for path in files:
        for table in docx.Document(str(path)).tables:
            for row in table.rows:
                cells += len([c.text for c in row.cells])
    _TIMER.append(time.perf_counter() - start)
    return len(files)


# ---------------------------------------------------------------- workbooks

_WORKBOOK_WIDTHS = [7, 12, 14, 14, 33, 30, 7, 10, 6, 12]


def _workbook_rows(work: Path) -> list[list[str]]:
    """Ten text cells per project, two of them 100–300 characters (untimed set-up)."""
    rng = random.Random(7)
    count = len(_register(work).projects)
    return [
        [
            f"{n}-1",
            rng.choice(_PHRASES),
            rng.choice(_PHRASES),
            rng.choice(_PHRASES),
            chinese_text(rng),
            chinese_text(rng),
            rng.choice(_EVALUATIONS),
            "第1街道",
            "/",
            rng.choice(_PHRASES),
        ]
        for n in range(count)
    ]


def phase_workbook(work: Path, jobs: int) -> int:
    """A workbook of one row per project as the toolkit writes them: wrapped text,
    row heights computed, print setup (toolkit.office.xlsx_out over XlsxWriter)."""
    from toolkit.office.xlsx_out import Workbook

    rows = _workbook_rows(work)
    start = time.perf_counter()
    book = Workbook({"MinshengOutput": "一览表"})
    book.add_sheet("一览表").table(
        [f"列{c}" for c in range(10)], rows, widths=_WORKBOOK_WIDTHS, start_row=2
    )
    (work / "workbook.xlsx").write_bytes(book.data())
    _TIMER.append(time.perf_counter() - start)
    return len(rows)


def phase_workbook_floor(work: Path, jobs: int) -> int:
    """XlsxWriter alone: the same strings in one wrapped format, the same print setup,
    no row heights."""
    import xlsxwriter

    rows = _workbook_rows(work)
    start = time.perf_counter()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("一览表")
    wrapped = book.add_format({"text_wrap": True, "border": 1, "valign": "top"})
    for c, width in enumerate(_WORKBOOK_WIDTHS):
        sheet.set_column(c, c, width)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values):
            sheet.write_string(r, c, value, wrapped)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(1)
    book.close()
    (work / "workbook-floor.xlsx").write_bytes(buffer.getvalue())
    _TIMER.append(time.perf_counter() - start)
    return len(rows)


def phase_workbook_naive(work: Path, jobs: int) -> int:
    """openpyxl, a style object per cell, the same print setup."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Side

    rows = _workbook_rows(work)
    start = time.perf_counter()
    book = Workbook()
    sheet = book.active
    side = Side(style="thin")
    for r, values in enumerate(rows, start=3):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = Border(left=side, right=side, top=side, bottom=side)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "2:2"
    book.save(work / "workbook-naive.xlsx")
    _TIMER.append(time.perf_counter() - start)
    return len(rows)


def _previous(work: Path) -> Any:
    """A quarter before with every row's texts those of another row: each pair is compared."""
    from toolkit.core.previous import FOUND, PreviousEntry, PreviousQuarter
    from toolkit.returns.merging import merge_returns

    register = _register(work)
    period = _period(register)
    entries = list(merge_returns(register, period, [work / "returns"]).entries.values())
    shifted = entries[1:] + entries[:1]
    return PreviousQuarter(
        period,
        FOUND,
        {
            (e.id, e.unit): PreviousEntry(s.progress, s.plan, s.evaluation)
            for e, s in zip(entries, shifted, strict=True)
        },
    )


def phase_merge_read_previous(work: Path, jobs: int) -> int:
    """merge_read, comparing every row with the quarter before (the copied-text hints)."""
    from toolkit.returns.merging import merge_returns

    previous = _previous(work)
    register = _register(work)
    start = time.perf_counter()
    result = merge_returns(
        register, _period(register), [work / "returns"], jobs=jobs, previous=previous
    )
    _TIMER.append(time.perf_counter() - start)
    return result.files_read


def _fresh(work: Path, name: str) -> Path:
    path = work / f"{name}-{os.getpid()}-{time.perf_counter_ns()}.sqlite"
    path.unlink(missing_ok=True)
    return path


def phase_history(work: Path, jobs: int) -> int:
    """Recording a merge in a new history file (one transaction, as `toolkit merge` does)."""
    from toolkit.history.store import record_merge
    from toolkit.returns.merging import merge_returns

    register = _register(work)
    result = merge_returns(register, _period(register), [work / "returns"], jobs=jobs)
    path = _fresh(work, "history")
    start = time.perf_counter()
    record_merge(path, result, "bench")
    _TIMER.append(time.perf_counter() - start)
    return result.files_read


def _entry_rows(work: Path) -> tuple[list[tuple[str, ...]], int]:
    from toolkit.returns.merging import merge_returns

    register = _register(work)
    result = merge_returns(register, _period(register), [work / "returns"])
    rows = [(e.id, e.unit, e.progress, e.plan, e.evaluation_typed) for e in result.entries.values()]
    return rows, result.files_read


def _bare_table(work: Path, name: str, *, commit_each: bool) -> int:
    """The units' entries into one bare SQLite table: one transaction, or one per row."""
    import sqlite3

    rows, files = _entry_rows(work)
    path = _fresh(work, name)
    start = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE entries (id, unit, progress, plan, evaluation)")
    insert = "INSERT INTO entries VALUES (?, ?, ?, ?, ?)"
    if commit_each:
        for row in rows:
            with db:
                db.execute(insert, row)
    else:
        with db:
            db.executemany(insert, rows)
    db.close()
    _TIMER.append(time.perf_counter() - start)
    return files


def phase_history_floor(work: Path, jobs: int) -> int:
    """The floor: the units' entries alone, into one bare table, in one transaction."""
    return _bare_table(work, "floor", commit_each=False)


def phase_history_naive(work: Path, jobs: int) -> int:
    """The naive way: the same entries, one commit per row."""
    return _bare_table(work, "naive", commit_each=True)


PHASES = {
    "read_register": phase_read_register,
    "generate": phase_generate,
    "generate_cold": phase_generate_cold,
    "generate_floor": phase_generate_floor,
    "generate_naive": phase_generate_naive,
    "merge": phase_merge,
    "merge_read": phase_merge_read,
    "merge_floor": phase_merge_floor,
    "merge_write_floor": phase_merge_write_floor,
    "merge_naive": phase_merge_naive,
    "workbook": phase_workbook,
    "workbook_floor": phase_workbook_floor,
    "workbook_naive": phase_workbook_naive,
    "merge_read_previous": phase_merge_read_previous,
    "history": phase_history,
    "history_floor": phase_history_floor,
    "history_naive": phase_history_naive,
}
_TIMER: list[float] = []


def run_phase_here(name: str, work: Path, jobs: int, repeat: int) -> None:
    """Child side: run a phase `repeat` times, print times and peak RSS as JSON."""
    items = 0
    for _ in range(repeat):
        items = PHASES[name](work, jobs)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"times": _TIMER, "items": items, "rss_kb": max(own, workers)}))


# ---------------------------------------------------------------- parent side


@dataclass
class Measure:
    seconds: float  # median over the repeats
    items: int
    rss_mb: float  # the largest peak RSS over the repeats

    @property
    def per_item_ms(self) -> float:
        return 1000 * self.seconds / max(self.items, 1)


def run_child(name: str, work: Path, jobs: int) -> tuple[float, int, float]:
    """Run a phase once in a child process: (seconds, items, peak RSS in MB)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", name]
    cmd += ["--work", str(work), "--jobs", str(jobs), "--repeat", "1"]
    env = {**os.environ, "TOOLKIT_CACHE_DIR": str(work / "template-cache")}
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"阶段 {name} 失败（退出码 {proc.returncode}）")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return data["times"][0], data["items"], data["rss_kb"] / 1024


def measure_all(
    plan: list[tuple[str, Path, int]], repeat: int
) -> dict[tuple[str, Path, int], Measure]:
    """Every phase of the plan, `repeat` rounds, interleaved so load changes hit all alike."""
    runs: dict[tuple[str, Path, int], list[tuple[float, int, float]]] = {k: [] for k in plan}
    for _ in range(repeat):
        for key in plan:
            runs[key].append(run_child(*key))
    return {
        key: Measure(statistics.median(r[0] for r in got), got[0][1], max(r[2] for r in got))
        for key, got in runs.items()
    }


# (row label, our phase, the phase whose floor and naive baseline it is compared with)
ROWS = [
    ("生成 generate", "generate", "generate", "份表"),
    ("生成·首次运行（模板缓存为空）", "generate_cold", "generate", "份表"),
    ("汇总 merge", "merge", "merge", "份回收表"),
    ("汇总 merge·对照“读＋写”下限", "merge", "merge_rw", "份回收表"),
    ("汇总·仅读取与检查", "merge_read", "merge", "份回收表"),
    ("汇总·读取与检查，与上季度对照", "merge_read_previous", "merge", "份回收表"),
    ("记入报送历史", "history", "history", "份回收表"),
    ("写工作簿（每项目一行，10 列中文）", "workbook", "workbook", "行"),
]


def _floor(m: dict[tuple[str, Path, int], Measure], base: str, full: Path) -> Measure:
    if base == "merge_rw":  # reading the returns plus writing the three outputs
        read, write = m["merge_floor", full, 1], m["merge_write_floor", full, 1]
        return Measure(read.seconds + write.seconds, read.items, max(read.rss_mb, write.rss_mb))
    return m[f"{base}_floor", full, 1]


def _naive(m: dict[tuple[str, Path, int], Measure], base: str, full: Path) -> Measure:
    return m[f"{base.removesuffix('_rw')}_naive", full, 1]


def bench_size(size: Size, root: Path, repeat: int, jobs: int) -> list[list[str]]:
    full, half = root / size.name, root / f"{size.name}-half"
    print(f"准备数据：{size.name} …", file=sys.stderr)
    info = build(size, full)
    half_info = build(size.half(), half)
    plan = [("read_register", full, 1), ("read_register", half, 1)]
    for base in ("generate", "merge", "workbook", "history"):
        plan += [(f"{base}_floor", full, 1), (f"{base}_naive", full, 1)]
    plan.append(("merge_write_floor", full, 1))
    for _, phase, _, _ in ROWS:
        plan += [(phase, full, 1), (phase, half, 1)]
        if jobs > 1:
            plan.append((phase, full, jobs))
    print(f"测量：{size.name}，每项 {repeat} 次 …", file=sys.stderr)
    m = measure_all(list(dict.fromkeys(plan)), repeat)
    scale = (
        f"{size.name}（{info['projects']} 项目/{info['forms']} 单位/{info['rows']} 行；"
        f"半规模 {half_info['rows']} 行）"
    )
    rows = []
    for label, phase, base, unit in ROWS:
        ours, floor, naive = m[phase, full, 1], _floor(m, base, full), _naive(m, base, full)
        small = m[phase, half, 1]
        parallel = m.get((phase, full, jobs)) if jobs > 1 else None
        rows.append(
            [
                label,
                scale,
                f"{ours.items} {unit}",
                f"{ours.per_item_ms:.2f}",
                f"{floor.per_item_ms:.2f}",
                f"{naive.per_item_ms:.2f}",
                f"{ours.seconds / floor.seconds:.2f}×",
                f"{naive.seconds / ours.seconds:.1f}×",
                f"{parallel.per_item_ms:.2f}（{parallel.seconds / floor.seconds:.2f}×）"
                if parallel
                else "—",
                f"{max(ours.rss_mb, parallel.rss_mb if parallel else 0):.0f}",
                f"{ours.seconds / small.seconds:.2f}",
            ]
        )
    reg, reg_half = m["read_register", full, 1], m["read_register", half, 1]
    rows.append(
        [
            "读登记表",
            scale,
            "1 次",
            f"{reg.seconds * 1000:.0f}（整次）",
            *["—"] * 5,
            f"{reg.rss_mb:.0f}",
            f"{reg.seconds / reg_half.seconds:.2f}",
        ]
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成与汇总的性能基准（与下限、朴素做法对比）。")
    parser.add_argument("--size", choices=[*SIZES, "all"], default="district")
    parser.add_argument(
        "--repeat", type=int, help="每项测量的重复次数，取中位数；默认 city 5 次，其余 7 次"
    )
    parser.add_argument("--jobs", type=int, default=None, help="并行一列使用的进程数")
    parser.add_argument("--keep", metavar="DIR", help="把生成的数据留在此文件夹")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        run_phase_here(args.phase, Path(args.work), args.jobs or 1, args.repeat or 1)
        return 0
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat 至少为 1")
    jobs = args.jobs or _default_jobs()
    sizes = list(SIZES.values()) if args.size == "all" else [SIZES[args.size]]
    with tempfile.TemporaryDirectory(prefix="toolkit-bench-") as tmp:
        root = Path(args.keep) if args.keep else Path(tmp)
        table = []
        for size in sizes:
            repeat = args.repeat or (5 if size.name == "city" else 7)
            table.extend(bench_size(size, root, repeat, jobs))
    print(HEADER_LINE)
    print("|" + "---|" * HEADER_LINE.count(" | ") + "---|")
    for row in table:
        print("| " + " | ".join(row) + " |")
    print(
        f"\n目标：生成 本工具/下限 ≤ 1.5×、朴素/本工具 ≥ 2.5×；汇总 本工具/下限 ≤ 2×、"
        f"朴素/本工具 ≥ 8×；规模×2 时间比 ≤ 2.1；峰值内存 < 300 MB。"
        f"机器：{os.cpu_count()} 核，Python {sys.version.split()[0]}。"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
