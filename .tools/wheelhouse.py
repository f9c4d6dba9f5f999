"""Build an offline installer: the toolkit's wheel and every wheel it depends on.

Run on a machine with internet, from a checkout of the repository:

    python .tools/wheelhouse.py -o 离线安装包 --zip

The folder (and 离线安装包.zip) then holds wheels for Windows x64 and Linux
x64, CPython 3.10, 3.11 and 3.12. On the office PC, without internet:

    py -m venv .venv
    .venv\\Scripts\\python -m pip install --no-index --find-links 离线安装包 minsheng-toolkit

`--current-only` builds for this machine's platform and Python only.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

try:
    from packaging import tags
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name, parse_wheel_filename
except ImportError:  # pip carries its own copy
    from pip._vendor.packaging import tags  # type: ignore[no-redef]
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    from pip._vendor.packaging.utils import (  # type: ignore[no-redef]
        canonicalize_name,
        parse_wheel_filename,
    )

ROOT = Path(__file__).resolve().parents[1]
PYTHONS = ("3.10", "3.11", "3.12")


@dataclass(frozen=True)
class System:
    """A target platform: pip's platform tags and the values of its environment markers."""

    platforms: tuple[str, ...]
    markers: dict[str, str]


SYSTEMS = {
    "Windows x64": System(
        ("win_amd64",),
        {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt",
         "platform_machine": "AMD64"},
    ),
    "Linux x64": System(
        ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64", "linux_x86_64"),
        {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
         "platform_machine": "x86_64"},
    ),
}  # fmt: skip
NOTE = """离线安装包：民生实事季度报送工具（toolkit）

在没有网络的电脑上安装（需要 Python 3.10、3.11 或 3.12）：

Windows（命令提示符，在本文件夹的上一级执行）：
    py -m venv .venv
    .venv\\Scripts\\python -m pip install --no-index --find-links {folder} minsheng-toolkit
    .venv\\Scripts\\toolkit --help

Linux：
    python3 -m venv .venv
    .venv/bin/pip install --no-index --find-links {folder} minsheng-toolkit
    .venv/bin/toolkit --help
"""


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args], check=True)


def build(out: Path, *, current_only: bool) -> list[Path]:
    """Fill `out` with wheels; returns them."""
    out.mkdir(parents=True, exist_ok=True)
    # The toolkit and, for this machine, every dependency; a dependency published
    # only as source is built into a wheel here (pure Python: fits every target).
    # Built from a copy: building in place leaves build/ and egg-info in the checkout.
    with tempfile.TemporaryDirectory() as tmp:
        pip("wheel", "--quiet", "--wheel-dir", str(out), str(_source_copy(Path(tmp))))
    if not current_only:
        toolkit = next(out.glob("minsheng_toolkit-*.whl"))
        for python in PYTHONS:
            for system in SYSTEMS.values():
                download(out, python, system, [str(toolkit)])
                complete(out, python, system)
    (out / "安装说明.txt").write_text(NOTE.format(folder=out.name), encoding="utf-8")
    return sorted(out.glob("*.whl"))


def _source_copy(tmp: Path) -> Path:
    """What the package is built from (pyproject.toml names these)."""
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for folder in ("toolkit", "templates", "docs"):
        shutil.copytree(
            ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    return source


def download(out: Path, python: str, system: System, requirements: list[str]) -> None:
    abi = "cp" + python.replace(".", "")
    pip(
        "download",
        "--quiet",
        "--only-binary=:all:",
        "--dest",
        str(out),
        "--find-links",
        str(out),
        "--python-version",
        python,
        "--implementation",
        "cp",
        *(a for abi_tag in (abi, "abi3", "none") for a in ("--abi", abi_tag)),
        *(a for p in system.platforms for a in ("--platform", p)),
        *requirements,
    )


def complete(out: Path, python: str, system: System) -> None:
    """Add what the target needs that pip left out.

    pip evaluates a dependency's environment markers for the machine it runs
    on, not for --platform/--python-version: `exceptiongroup; python_version <
    "3.11"` is skipped when building on 3.11 for 3.10. Here each wheel's
    requirements are evaluated for the target until nothing is missing.
    """
    version = tuple(int(p) for p in python.split("."))
    abi = "cp" + python.replace(".", "")
    supported = {
        *tags.cpython_tags(version, [abi, "abi3", "none"], system.platforms),
        *tags.compatible_tags(version, abi, system.platforms),
    }
    env = {
        **system.markers,
        "python_version": python,
        "python_full_version": f"{python}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "extra": "",
    }
    while True:
        wheels = {}
        for path in out.glob("*.whl"):
            name, _, _, wheel_tags = parse_wheel_filename(path.name)
            if wheel_tags & supported:
                wheels[name] = path
        missing = set()
        for path in wheels.values():
            for line in _requires(path):
                req = Requirement(line)
                if req.marker is not None and not req.marker.evaluate(env):
                    continue
                if canonicalize_name(req.name) not in wheels:
                    req.marker = None
                    missing.add(str(req))
        if not missing:
            return
        download(out, python, system, sorted(missing))


def _requires(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        metadata = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        text = zf.read(metadata).decode("utf-8")
    head = text.split("\n\n", 1)[0]  # the headers, before the description
    return [
        line.split(":", 1)[1].strip()
        for line in head.splitlines()
        if line.startswith("Requires-Dist:")
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Build an offline wheelhouse for the toolkit.")
    parser.add_argument(
        "-o", "--out", default="离线安装包", help="folder to fill (made if missing)"
    )
    parser.add_argument("--zip", action="store_true", help="also pack the folder as <folder>.zip")
    parser.add_argument(
        "--current-only", action="store_true", help="only this machine's platform and Python"
    )
    args = parser.parse_args()
    out = Path(args.out).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / out.name
        wheels = build(staged, current_only=args.current_only)
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(staged, out)
    if args.zip:
        with zipfile.ZipFile(out.with_suffix(".zip"), "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(out.iterdir()):
                zf.write(path, f"{out.name}/{path.name}")
    print(f"{len(wheels)} wheels in {out}")


if __name__ == "__main__":
    main()
