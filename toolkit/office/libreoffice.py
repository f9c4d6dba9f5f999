"""Run LibreOffice headless to convert documents (.doc/.wps/.odt -> .docx, .docx -> .pdf).

One ``soffice --convert-to`` run handles a whole batch: start-up costs about a
second, the conversion of a small form a fraction of that. Every run gets a
private, throwaway user profile, so it neither attaches to a LibreOffice the
user has open nor fights with a parallel run over a locked profile.

Inputs are copied to unique names in a staging folder first. That keeps them
untouched (LibreOffice leaves ``.~lock.*#`` files beside what it opens), lets
two inputs with the same name from different folders share one run, and keeps
non-ASCII paths off the command line.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.office.ooxml import atomic_path

ENV_SOFFICE = "TOOLKIT_SOFFICE"

# Export filters by target extension; others (e.g. "pdf") let LibreOffice
# pick the filter for the document type. On the argv the filter name must NOT
# be quoted: LibreOffice 7.4 takes `docx:"MS Word 2007 XML"` literally (quotes
# included), fails with "Please verify input parameters" and still exits 0.
FILTERS = {
    "docx": "docx:MS Word 2007 XML",
    "doc": "doc:MS Word 97",
}

_CANDIDATES_POSIX = [
    "/usr/bin/soffice",
    "/usr/local/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/usr/lib64/libreoffice/program/soffice",
    "/opt/libreoffice*/program/soffice",
    "/snap/bin/libreoffice",
    "/var/lib/flatpak/exports/bin/org.libreoffice.LibreOffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
]
_CANDIDATES_WINDOWS = [
    r"{}\LibreOffice\program\soffice.exe",
    r"{}\LibreOffice*\program\soffice.exe",
]


class LibreOfficeError(ToolkitError):
    """LibreOffice is missing, hangs or cannot convert."""


class LibreOfficeNotFound(LibreOfficeError):
    def __init__(self) -> None:
        super().__init__(
            "未找到 LibreOffice（soffice）：请安装 LibreOffice，"
            "或把 .doc/.wps/.odt 文件在 Word/WPS 中另存为 .docx 后再处理"
        )


class LibreOfficeTimeout(LibreOfficeError):
    pass


def _is_executable(path: str | Path) -> bool:
    p = Path(path)
    return p.is_file() and os.access(p, os.X_OK)


def find_soffice() -> str | None:
    """Path of the LibreOffice executable, or None.

    ``TOOLKIT_SOFFICE`` overrides the search strictly: when it is set but does
    not name an executable file, the answer is None (no fallback).
    """
    override = os.environ.get(ENV_SOFFICE)
    if override:
        found = override if _is_executable(override) else shutil.which(override)
        return str(found) if found and _is_executable(found) else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    patterns = list(_CANDIDATES_POSIX)
    if sys.platform == "win32":
        roots = {os.environ.get(v) for v in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432")}
        roots |= {r"C:\Program Files", r"C:\Program Files (x86)"}
        patterns = [c.format(r) for r in sorted(r for r in roots if r) for c in _CANDIDATES_WINDOWS]
    for pattern in patterns:
        for hit in sorted(glob.glob(pattern), reverse=True):  # newest /opt version first
            if _is_executable(hit):
                return hit
    return None


def _kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """Stop soffice and its children (the launcher forks soffice.bin)."""
    with contextlib.suppress(OSError):
        if sys.platform == "win32":
            subprocess.run(
                ["taskkill", "/F", "/T", "/PID", str(proc.pid)],
                capture_output=True,
                check=False,
            )
        else:
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.communicate(timeout=10)


def convert(
    paths: list[Path], target_format: str, out_dir: Path, *, timeout: float = 600
) -> dict[Path, Path]:
    """Convert all `paths` to `target_format` in one LibreOffice run.

    Returns input -> output for the files LibreOffice produced; an input it
    could not read (or that does not exist) is simply absent. Outputs are
    named ``<stem>.<ext>`` in `out_dir`; a name already taken by another
    output of this batch, or by one of the inputs, gets ``-2``, ``-3``...
    Other files already in `out_dir` are overwritten.
    """
    ext = target_format.split(":", 1)[0].lower()
    fmt = FILTERS.get(target_format.lower(), target_format)
    out_dir = Path(out_dir)
    inputs = [Path(p) for p in dict.fromkeys(paths) if Path(p).is_file()]
    if not inputs:
        return {}
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeNotFound()

    with tempfile.TemporaryDirectory(prefix="toolkit-lo-", ignore_cleanup_errors=True) as tmp:
        work = Path(tmp)
        stage, produced = work / "in", work / "out"
        stage.mkdir()
        produced.mkdir()
        staged: dict[str, Path] = {}  # staged stem -> original input
        for i, src in enumerate(inputs):
            name = f"f{i:04d}{src.suffix.lower()}"
            shutil.copyfile(src, stage / name)
            staged[Path(name).stem] = src
        cmd = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            fmt,
            "--outdir",
            str(produced),
            *(str(stage / f"{stem}{src.suffix.lower()}") for stem, src in staged.items()),
        ]
        popen_extra: dict[str, object] = (
            {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
            if sys.platform == "win32"
            else {"start_new_session": True}
        )
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                **popen_extra,  # type: ignore[call-overload]
            )
        except OSError as exc:
            raise LibreOfficeError(
                f"无法启动 LibreOffice（{soffice}）：{exc.strerror or exc}"
            ) from None
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_tree(proc)
            raise LibreOfficeTimeout(
                f"LibreOffice 转换 {len(inputs)} 个文件超过 {timeout:.0f} 秒仍未完成，已强行结束。",
                hint="文件较多时请分批处理；个别文件卡住时，请在 Word/WPS 中另存为 .docx。",
            ) from None

        result: dict[Path, Path] = {}
        taken = {_norm(p) for p in inputs}
        for stem, src in staged.items():
            out = produced / f"{stem}.{ext}"
            if not out.is_file():
                continue
            target = _free_name(out_dir, src.stem, ext, taken)
            taken.add(_norm(target))
            with atomic_path(target) as tmp_target:
                shutil.copyfile(out, tmp_target)
            result[src] = target
        if not result and proc.returncode != 0:
            tail = err.decode("utf-8", "replace").strip()[-500:]
            raise LibreOfficeError(f"LibreOffice 转换失败（退出码 {proc.returncode}）：{tail}")
        return result


def _norm(p: Path) -> str:
    return os.path.normcase(os.path.abspath(p))


def _free_name(out_dir: Path, stem: str, ext: str, taken: set[str]) -> Path:
    target = out_dir / f"{stem}.{ext}"
    n = 2
    while _norm(target) in taken:
        target = out_dir / f"{stem}-{n}.{ext}"
        n += 1
    return target
