"""LibreOffice helpers for tests: fill forms and edit templates over UNO, render to PDF, read PDFs.

Tests that use these carry ``@pytest.mark.libreoffice`` and call
``require_libreoffice()`` first: without LibreOffice they skip locally and
fail on CI (``CI=true``), where a silent skip would hide a broken setup.
"""

from __future__ import annotations

import functools
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
from pathlib import Path

from support.ci import unavailable
from toolkit.office.libreoffice import convert, find_soffice

# The system Python carries the `uno` module (Debian package python3-uno);
# the venv's Python does not.
UNO_PYTHON = os.environ.get("TOOLKIT_UNO_PYTHON", "/usr/bin/python3")
UNO_FILL = Path(__file__).with_name("uno_fill.py")
UNO_EDIT = Path(__file__).with_name("uno_edit.py")
UNO_RENDER = Path(__file__).with_name("uno_render.py")


def _unavailable(reason: str) -> None:
    unavailable(reason, "LibreOffice")


@functools.cache
def _uno_importable(python: str) -> bool:
    try:
        done = subprocess.run(
            [python, "-c", "import uno"], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def require_libreoffice() -> str:
    """The soffice path; skip (or fail on CI) when LibreOffice or python3-uno is missing."""
    soffice = find_soffice()
    if soffice is None:
        _unavailable("LibreOffice (soffice) not found")
    if not _uno_importable(UNO_PYTHON):
        _unavailable(f"{UNO_PYTHON} cannot `import uno` (install python3-uno)")
    return soffice  # type: ignore[return-value]


def require_calc() -> str:
    """As require_libreoffice, and LibreOffice Calc too (Debian: libreoffice-calc-nogui)."""
    soffice = require_libreoffice()
    program = Path(soffice).resolve().parent
    if not any(program.glob("*sclo.*")):  # Calc's core library: libsclo.so, sclo.dll
        _unavailable("LibreOffice Calc not installed (install libreoffice-calc-nogui)")
    return soffice


def fill_with_libreoffice(specs: list[dict]) -> None:
    """Fill forms through LibreOffice's UI layer (see uno_fill.py for the spec format)."""
    _run_uno_script(UNO_FILL, specs)


def edit_with_libreoffice(specs: list[dict]) -> None:
    """Edit templates through LibreOffice's menu commands (see uno_edit.py for the spec format)."""
    _run_uno_script(UNO_EDIT, specs)


def _run_uno_script(script: Path, specs: list[dict]) -> None:
    soffice = require_libreoffice()
    with tempfile.TemporaryDirectory(prefix="uno_spec_") as tmp:
        spec_file = Path(tmp) / "spec.json"
        spec_file.write_text(json.dumps(specs, ensure_ascii=False, default=str), "utf-8")
        try:
            done = subprocess.run(
                [UNO_PYTHON, str(script), str(spec_file), "--soffice", soffice],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"{script.name} timed out:\n{exc.stdout}\n{exc.stderr}") from None
    if done.returncode != 0:
        raise AssertionError(
            f"{script.name} failed (exit {done.returncode})\n"
            f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        )


def to_pdf(docx: Path, out_dir: Path) -> Path:
    require_libreoffice()
    produced = convert([docx], "pdf", out_dir)
    if docx not in produced:
        raise AssertionError(f"LibreOffice produced no PDF for {docx}")
    return produced[docx]


def lo_text(docx: Path, out_dir: Path) -> str:
    """The document as LibreOffice's plain-text export shows it: each table cell whole,
    on lines of its own (footnotes are not in it)."""
    require_libreoffice()
    produced = convert([docx], "txt:Text (encoded):UTF8", out_dir)
    if docx not in produced:
        raise AssertionError(f"LibreOffice produced no text for {docx}")
    return produced[docx].read_text(encoding="utf-8-sig")


def _poppler(tool: str) -> str:
    # .ci/run installs poppler-utils (pdftotext, pdfinfo).
    path = shutil.which(tool)
    if path is None:
        _unavailable(f"{tool} not found (install poppler-utils)")
    return path  # type: ignore[return-value]


def pdf_text(pdf: Path, *, layout: bool = True) -> str:
    """Text of the PDF laid out as printed; pages are separated by form feeds.

    layout=False: in the order it was drawn, so a table cell's lines stay together.
    """
    done = subprocess.run(
        [_poppler("pdftotext"), "-layout" if layout else "-raw", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return done.stdout.decode("utf-8")


def pdf_page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in points for every page; width > height means landscape."""
    pdfinfo = _poppler("pdfinfo")

    def info(*args: str) -> str:
        return subprocess.run(
            [pdfinfo, *args, str(pdf)], capture_output=True, check=True, timeout=120
        ).stdout.decode("utf-8", "replace")

    pages = int(re.search(r"^Pages:\s+(\d+)", info(), re.M).group(1))  # type: ignore[union-attr]
    detail = info("-f", "1", "-l", str(pages))
    sizes = re.findall(r"^Page\s+\d+\s+size:\s+([\d.]+)\s+x\s+([\d.]+)", detail, re.M)
    rots = [int(r) for r in re.findall(r"^Page\s+\d+\s+rot:\s+(\d+)", detail, re.M)]
    rots = (rots + [0] * len(sizes))[: len(sizes)]
    # A page rotated by 90/270 degrees is shown (and printed) the other way round.
    return [
        (float(h), float(w)) if rot % 180 else (float(w), float(h))
        for (w, h), rot in zip(sizes, rots, strict=True)
    ]


class Renderer:
    """One LibreOffice kept running to render many documents to PDF (uno_render.py).

    Starting soffice takes seconds; rendering a form over an open connection a
    fraction of one. Use as a context manager; it stops soffice on exit.
    """

    TIMEOUT = 120.0

    def __init__(self) -> None:
        soffice = require_libreoffice()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        # PDFs go here, never beside the document: a folder of returns stays as it was.
        self._pdfs = tempfile.TemporaryDirectory(prefix="uno_render_")
        self._proc = subprocess.Popen(
            [UNO_PYTHON, str(UNO_RENDER), "--soffice", soffice],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            encoding="utf-8",
        )

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pdf(self, docx: Path, target: Path) -> Path:
        proc = self._proc
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps({"input": str(docx), "output": str(target)}) + "\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], self.TIMEOUT)
        line = proc.stdout.readline() if ready else ""
        if not line:
            self._log.seek(0)
            log = self._log.read().decode("utf-8", "replace")
            raise AssertionError(f"uno_render.py gave no answer for {docx.name}:\n{log}")
        answer = json.loads(line)
        if "error" in answer:
            raise AssertionError(f"LibreOffice could not render {docx.name}: {answer['error']}")
        return target

    def visible_text(self, docx: Path) -> str:
        """What a person sees: the text of LibreOffice's PDF, in the order it was laid out."""
        return pdf_text(self.pdf(docx, Path(self._pdfs.name) / f"{docx.stem}.pdf"), layout=False)

    def close(self) -> None:
        proc = self._proc
        if proc.stdin is not None and not proc.stdin.closed:
            proc.stdin.close()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
        self._log.close()
        self._pdfs.cleanup()
