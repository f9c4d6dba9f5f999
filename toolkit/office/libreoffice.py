"""Run LibreOffice headless to convert documents (.doc/.wps/.odt -> .docx, .docx -> .pdf).

One ``soffice --convert-to`` run handles a whole batch: start-up costs about a
second, the conversion of a small form a fraction of that. Every run gets a
private, throwaway user profile, so it neither attaches to a LibreOffice the
user has open nor fights with a parallel run over a locked profile.

The documents come from outside, and LibreOffice follows links while it
converts, so no run can reach the network (docs/reliability.md):

1. the copy LibreOffice opens has lost every reference to outside content
   (links.strip_links); what went is reported per input;
2. the profile blocks links from untrusted documents, never updates links,
   runs no macros and sends every web request to a proxy on this machine
   that does not exist;
3. on Linux, soffice runs in a network namespace with no interface
   (``unshare -rn``, else ``bwrap --unshare-net``), when the system allows it.

Inputs are copied to unique names in a staging folder first. That keeps them
untouched (LibreOffice leaves ``.~lock.*#`` files beside what it opens), lets
two inputs with the same name from different folders share one run, and keeps
non-ASCII paths off the command line.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from toolkit.errors import ReturnError, ToolkitError
from toolkit.office.links import strip_links
from toolkit.office.ooxml import atomic_path, os_reason
from toolkit.office.scratch import scratch_folder

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


class Converted(dict[Path, Path]):
    """input -> output for the inputs LibreOffice converted, and what happened to the others."""

    def __init__(self) -> None:
        super().__init__()
        self.removed_links: dict[Path, list[str]] = {}  # input -> references removed first
        self.refused: dict[Path, str] = {}  # input -> why it was not given to LibreOffice


# ---------------------------------------------------------------- isolation

# LibreOffice settings (org.openoffice.*) of every run's profile.
_PROFILE_SETTINGS = [
    # No links from a document that is not in a trusted location (none is).
    ("Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    ("Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    ("Office.Writer/Content/Update", "Link", "0"),  # 0: never update links
    ("Office.Calc/Content/Update", "Link", "0"),
    # Web requests go to a proxy on this machine's discard port, so nothing
    # leaves the machine; no host is exempt.
    ("Inet/Settings", "ooInetProxyType", "1"),
    ("Inet/Settings", "ooInetNoProxy", ""),
    *(
        ("Inet/Settings", f"ooInet{scheme}Proxy{field}", value)
        for scheme in ("HTTP", "HTTPS", "FTP")
        for field, value in (("Name", "127.0.0.1"), ("Port", "9"))
    ),
    (
        "Office.Jobs/Jobs/org.openoffice.Office.Jobs:Job['UpdateCheck']/Arguments",
        "AutoCheckEnabled",
        "false",
    ),
    ("Office.Common/Misc", "CrashReport", "false"),
]


def _profile_settings() -> bytes:
    items = "".join(
        f'<item oor:path="/org.openoffice.{path}"><prop oor:name="{name}" oor:op="fuse">'
        f"<value>{value}</value></prop></item>"
        for path, name, value in _PROFILE_SETTINGS
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{items}</oor:items>'
    ).encode()


_SANDBOXES = (
    ["unshare", "--map-root-user", "--net", "--"],
    ["bwrap", "--dev-bind", "/", "/", "--unshare-net", "--"],
)


@functools.cache
def network_sandbox() -> tuple[str, ...]:
    """The command prefix that runs a program without network, or () where none works.

    Linux only; checked once per process by running `true` through each.
    """
    if not sys.platform.startswith("linux"):
        return ()
    for prefix in _SANDBOXES:
        tool = shutil.which(prefix[0])
        if tool is None:
            continue
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            done = subprocess.run(
                [tool, *prefix[1:], "true"], capture_output=True, timeout=20, check=False
            )
            if done.returncode == 0:
                return (tool, *prefix[1:])
    return ()


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
) -> Converted:
    """Convert all `paths` to `target_format` in one LibreOffice run, without network.

    Returns input -> output for the files LibreOffice produced; an input it
    could not read (or that does not exist) is simply absent, one that could
    not be checked for links is in `refused`. Outputs are named
    ``<stem>.<ext>`` in `out_dir`; a name already taken by another output of
    this batch, or by one of the inputs, gets ``-2``, ``-3``... Other files
    already in `out_dir` are overwritten.
    """
    ext = target_format.split(":", 1)[0].lower()
    fmt = FILTERS.get(target_format.lower(), target_format)
    out_dir = Path(out_dir)
    result = Converted()
    inputs = [Path(p) for p in dict.fromkeys(paths) if Path(p).is_file()]
    if not inputs:
        return result
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeNotFound()

    with scratch_folder("toolkit-lo-") as work:
        stage, produced, profile = work / "in", work / "out", work / "profile"
        for folder in (stage, produced, profile / "user"):
            folder.mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_bytes(_profile_settings())
        staged: dict[str, Path] = {}  # staged stem -> original input
        for i, src in enumerate(inputs):
            name = f"f{i:04d}{src.suffix.lower()}"
            try:
                removed = strip_links(src, stage / name)
            except ReturnError as exc:
                result.refused[src] = exc.message
                continue
            except OSError as exc:
                result.refused[src] = f"无法读取此文件：{os_reason(exc)}。"
                continue
            if removed:
                result.removed_links[src] = removed
            staged[Path(name).stem] = src
        if not staged:
            return result
        cmd = [
            *network_sandbox(),
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
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
        returncode, err = _run(cmd, soffice, timeout, len(staged))
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
        if not result and returncode != 0:
            # The raw output is kept for --debug tracebacks, out of the message.
            raise LibreOfficeError(
                f"LibreOffice 转换 {len(staged)} 个文件时异常退出，一个也没有转换出来："
                "请关闭所有 LibreOffice 窗口后重试，仍不行时请让报送单位在 Word/WPS 中另存为 .docx。"
            ) from _Output(f"exit {returncode}: {err.decode('utf-8', 'replace')[-2000:]}")
        return result


class _Output(Exception):
    """What soffice printed, for a maintainer's --debug traceback."""


def _run(cmd: list[str], soffice: str, timeout: float, count: int) -> tuple[int, bytes]:
    """Run soffice to the end: (exit code, stderr); stopped with its children on any way out."""
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
            f"无法启动 LibreOffice（{soffice}：{os_reason(exc)}）：请确认 LibreOffice 安装完好，"
            "或让报送单位把 .doc/.wps/.odt 文件在 Word/WPS 中另存为 .docx。"
        ) from None
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(proc)
        raise LibreOfficeTimeout(
            f"LibreOffice 转换 {count} 个文件超过 {timeout:.0f} 秒仍未完成，已强行结束："
            "文件较多时请分批处理，个别文件卡住时请让报送单位在 Word/WPS 中另存为 .docx。"
        ) from None
    except BaseException:  # Ctrl+C, a stop signal: soffice must not outlive its folder
        _kill_tree(proc)
        raise
    return proc.returncode, err


def _norm(p: Path) -> str:
    return os.path.normcase(os.path.abspath(p))


def _free_name(out_dir: Path, stem: str, ext: str, taken: set[str]) -> Path:
    target = out_dir / f"{stem}.{ext}"
    n = 2
    while _norm(target) in taken:
        target = out_dir / f"{stem}-{n}.{ext}"
        n += 1
    return target
