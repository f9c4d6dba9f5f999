"""The benchmark keeps working, and docs/performance.md shows what it measures.

A tiny run finishes and prints every target with a verdict (no timings
asserted: speed is measured by the benchmark, never by tests); the table in
docs/performance.md has the rows, in order, that `--size all` prints.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).parent / "benchmarks"
BENCH = BENCH_DIR / "bench.py"
DOC = Path(__file__).parents[1] / "docs" / "performance.md"
sys.path.insert(0, str(BENCH_DIR))

import bench  # noqa: E402

VERDICTS = {"达到", "**未达到**", "参考"}


def _rows(text: str) -> list[list[str]]:
    """The cells of each row of the first markdown table in `text`, header and rule left out."""
    lines = [ln for ln in text.splitlines() if ln.startswith("| ")]
    return [[c.strip() for c in ln.strip()[2:-2].split(" | ")] for ln in lines[1:]]


def _plan_of(rows: list[list[str]]) -> list[tuple[str, str, str]]:
    """(target, size, bound) of each printed row, the size without its counts."""
    return [(r[0], r[1].split("（")[0], r[5]) for r in rows]


def test_benchmark_runs_at_tiny_size() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--size", "tiny", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[0] == bench.HEADER_LINE
    rows = _rows(result.stdout)
    assert _plan_of(rows) == bench.planned(["tiny"]), result.stdout
    assert all(r[-1] in VERDICTS for r in rows), result.stdout


def test_performance_doc_table_is_the_benchmarks() -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert doc.count(bench.BEGIN) == 1 and doc.count(bench.END) == 1
    table = doc.split(bench.BEGIN)[1].split(bench.END)[0]
    assert table.strip().splitlines()[0] == bench.HEADER_LINE
    rows = _rows(table)
    assert _plan_of(rows) == bench.planned(), "docs/performance.md: rerun bench.py --write-doc"
    assert all(r[-1] in VERDICTS for r in rows)
