"""The benchmark keeps working: a tiny run finishes and prints its table (no timings asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent / "benchmarks" / "bench.py"


def test_benchmark_runs_at_tiny_size():
    result = subprocess.run(
        [sys.executable, str(BENCH), "--size", "tiny", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert lines[0].startswith("| 阶段 | 规模 | 件数 | 本工具 ms/件 | 下限 ms/件 | 朴素 ms/件 |")
    phases = [line.split(" | ")[0] for line in lines if line.startswith("| ") and "tiny" in line]
    assert phases == [
        "| 生成 generate",
        "| 生成·首次运行（模板缓存为空）",
        "| 汇总 merge",
        "| 汇总 merge·对照“读＋写”下限",
        "| 汇总·仅读取与检查",
        "| 汇总·读取与检查，与上季度对照",
        "| 记入报送历史",
        "| 写工作簿（每项目一行，10 列中文）",
        "| 读登记表",
    ], result.stdout
