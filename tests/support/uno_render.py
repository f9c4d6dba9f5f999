"""Render documents to PDF with one LibreOffice kept running, over UNO.

Run with the system Python that has the ``uno`` module, not the venv:

    /usr/bin/python3 tests/support/uno_render.py [--soffice PATH]

Reads one JSON object per line on stdin, {"input": "a.docx", "output": "a.pdf"},
renders the input as LibreOffice lays it out for printing, and answers one
line on stdout: {"ok": true} or {"error": "..."}. Starting soffice once
and converting many files over one connection is what makes a property test
with a LibreOffice oracle fast enough to run on every commit. Ends at end of
input, stopping soffice.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import uno  # type: ignore[import-not-found]
from uno_fill import _props, _start_soffice, _stop, connect_context, open_document


def render(desktop, source: Path, target: Path) -> None:
    doc = open_document(desktop, source.resolve())
    try:
        doc.storeToURL(
            uno.systemPathToFileUrl(str(target.resolve())),
            _props(FilterName="writer_pdf_Export", Overwrite=True),
        )
    finally:
        doc.close(True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--soffice", default=os.environ.get("TOOLKIT_SOFFICE") or "soffice")
    args = ap.parse_args(argv)
    soffice = shutil.which(args.soffice) or args.soffice
    with tempfile.TemporaryDirectory(prefix="uno_render_") as tmp:
        proc, pipe = _start_soffice(soffice, Path(tmp))
        desktop = None
        try:
            ctx = connect_context(proc, pipe, Path(tmp))
            desktop = ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.Desktop", ctx
            )
            for line in sys.stdin:
                if not line.strip():
                    continue
                job = json.loads(line)
                try:
                    render(desktop, Path(job["input"]), Path(job["output"]))
                    answer: dict[str, object] = {"ok": True}
                except Exception as exc:  # UNO errors: answer, keep serving
                    answer = {"error": f"{type(exc).__name__}: {exc}"}
                print(json.dumps(answer), flush=True)
        finally:
            _stop(proc, desktop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
