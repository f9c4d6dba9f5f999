"""The toolkit as a child process: its exit, output and peak memory; processes left behind.

Peak memory is the child's own: Linux counts a new process's memory from
the moment it is forked, so `ru_maxrss` from wait4 is at least what the
(large) test process held then. The child reports VmHWM, the peak of its
own memory after exec, as its last line on stderr.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

PEAK_MARK = "toolkit-test-peak-kb:"
_WITH_PEAK = (
    "import atexit, runpy, sys\n"
    "def peak():\n"
    "    try:\n"
    "        status = open('/proc/self/status').read()\n"
    "    except OSError:\n"
    "        return\n"
    "    kb = status.split('VmHWM:')[1].split()[0]\n"
    f"    print('\\n{PEAK_MARK}', kb, file=sys.stderr, flush=True)\n"
    "atexit.register(peak)\n"
    "sys.argv = ['toolkit', *sys.argv[1:]]\n"
    "runpy.run_module('toolkit', run_name='__main__')\n"
)


def toolkit_command(*args: str | Path) -> list[str]:
    """`python -m toolkit ARGS`, reporting its peak memory when it exits (see split_peak)."""
    return [sys.executable, "-c", _WITH_PEAK, *map(str, args)]


def split_peak(stderr: str, fallback: int) -> tuple[str, int]:
    """The child's stderr without the peak line, and the peak in bytes (`fallback` if none)."""
    head, mark, tail = stderr.rpartition(PEAK_MARK)
    if not mark:
        return stderr, fallback
    return head.rstrip("\n"), int(tail.split()[0]) * 1024


def run_toolkit(*args: str | Path, cwd: Path) -> tuple[int, str, str, int, float]:
    """`python -m toolkit ARGS` in a child: (exit code, stdout, stderr, peak RSS bytes, seconds)."""
    out, err = cwd / "child.stdout", cwd / "child.stderr"
    start = time.monotonic()
    with open(out, "wb") as fo, open(err, "wb") as fe:
        proc = subprocess.Popen(toolkit_command(*args), stdout=fo, stderr=fe, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - start
    stderr, rss = split_peak(err.read_text("utf-8"), usage.ru_maxrss * 1024)
    return os.waitstatus_to_exitcode(status), out.read_text("utf-8"), stderr, rss, seconds


def report(name: str, rss: int, seconds: float) -> None:
    # Printed for the record (pytest -s); nothing is asserted on time.
    print(f"\n{name}: peak RSS {rss / 2**20:.0f} MB, {seconds:.1f} s")


def processes_naming(folder: Path) -> list[int]:
    """Processes (Linux /proc) whose command line names the folder."""
    needle = str(folder).encode()
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if needle in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:  # gone meanwhile
            pass
    return found
