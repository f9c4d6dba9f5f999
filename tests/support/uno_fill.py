"""Fill generated forms the way a unit would, using LibreOffice over UNO.

Run with the system Python that has the ``uno`` module, not the venv:

    /usr/bin/python3 tests/support/uno_fill.py SPEC.json [--soffice PATH]

SPEC.json is one object or a list of them:

    {"input": "form.docx", "output": "filled.docx",
     "rows": {"10-3": {"进展情况": "line 1\\nline 2", "进度评价": "正常推进"}}}

The project table is the one with a header row holding cells that contain
"序号" and "进展情况". A row is found by the text of its 序号 cell (spaces
removed); a column by its header text (exact, else unique substring). Each
"\\n" in a value becomes a new paragraph, as if typed with Enter. The result
is saved with the "MS Word 2007 XML" filter. One soffice serves all specs.
Exits 1 with a message on stderr when anything cannot be done.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]
from com.sun.star.text.ControlCharacter import (  # type: ignore[import-not-found]
    PARAGRAPH_BREAK,
)

CONNECT_TIMEOUT = 60.0
_CELL_NAME = re.compile(r"^([A-Za-z]+)(\d+)$")


class FillError(Exception):
    pass


def _props(**kw: object) -> tuple[PropertyValue, ...]:
    out = []
    for name, value in kw.items():
        pv = PropertyValue()
        pv.Name, pv.Value = name, value
        out.append(pv)
    return tuple(out)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _col_index(letters: str) -> int:
    # LibreOffice names columns A..Z, a..z, then AA.. (base 52).
    n = 0
    for ch in letters:
        n = n * 52 + (ord(ch) - 65 if ch.isupper() else ord(ch) - 97 + 26) + 1
    return n - 1


def _rows(table) -> dict[int, dict[int, object]]:
    """row number -> {column index -> cell}; nested cell names (A1.1.1) are skipped."""
    rows: dict[int, dict[int, object]] = {}
    for name in table.getCellNames():
        m = _CELL_NAME.match(name)
        if m:
            rows.setdefault(int(m.group(2)), {})[_col_index(m.group(1))] = table.getCellByName(name)
    return rows


def _project_tables(doc):
    """Yield (header {col: text}, {row id: {col: cell}}) for each project table."""
    tables = doc.getTextTables()
    for i in range(tables.getCount()):
        rows = _rows(tables.getByIndex(i))
        for rnum in sorted(rows):
            header = {c: _squash(cell.getString()) for c, cell in rows[rnum].items()}
            id_cols = [c for c, t in header.items() if "序号" in t]
            if id_cols and any("进展情况" in t for t in header.values()):
                body: dict[str, dict[int, object]] = {}
                for later in sorted(r for r in rows if r > rnum):
                    cells = rows[later]
                    if id_cols[0] in cells:
                        body.setdefault(_squash(cells[id_cols[0]].getString()), cells)
                yield header, body
                break


def _column(header: dict[int, str], key: str) -> int:
    want = _squash(key)
    exact = [c for c, t in header.items() if t == want]
    if len(exact) == 1:
        return exact[0]
    hits = [c for c, t in header.items() if want in t]
    if len(hits) != 1:
        found = "、".join(header.values())
        raise FillError(f"column {key!r}: {len(hits)} header matches among: {found}")
    return hits[0]


def set_cell_text(cell, value: str) -> None:
    """Replace the cell's text; each line becomes its own paragraph."""
    cell.setString("")
    text = cell.getText()
    cursor = text.createTextCursor()
    cursor.gotoEnd(False)
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for i, line in enumerate(lines):
        if i:
            text.insertControlCharacter(cursor, PARAGRAPH_BREAK, False)
        if line:
            text.insertString(cursor, line, False)


def fill_document(desktop, spec: dict) -> None:
    src, dst = Path(spec["input"]).resolve(), Path(spec["output"]).resolve()
    if not src.is_file():
        raise FillError(f"input not found: {src}")
    doc = open_document(desktop, src)
    try:
        tables = list(_project_tables(doc))
        if not tables:
            raise FillError(f"{src.name}: no table with a 序号/进展情况 header row")
        for row_id, values in spec.get("rows", {}).items():
            hit = next(
                ((h, body[_squash(row_id)]) for h, body in tables if _squash(row_id) in body), None
            )
            if hit is None:
                raise FillError(f"{src.name}: row {row_id!r} not found")
            header, cells = hit
            for key, value in values.items():
                col = _column(header, key)
                if col not in cells:
                    raise FillError(f"{src.name}: row {row_id!r} has no cell under {key!r}")
                set_cell_text(cells[col], str(value))
        save_docx(doc, dst)
    finally:
        doc.close(True)


def open_document(desktop, src: Path):
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(str(src)), "_blank", 0, _props(Hidden=True, ReadOnly=False)
    )
    if doc is None:
        raise FillError(f"LibreOffice could not open {src}")
    return doc


def save_docx(doc, dst: Path) -> None:
    """Save as Word 2007-365 (.docx), as File > Save As does."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    doc.storeToURL(
        uno.systemPathToFileUrl(str(dst)), _props(FilterName="MS Word 2007 XML", Overwrite=True)
    )


def _start_soffice(soffice: str, tmp: Path) -> tuple[subprocess.Popen, str]:
    pipe = f"uno_fill_{uuid.uuid4().hex}"
    # stderr goes to a file: a pipe nobody reads could fill up and block soffice.
    with open(tmp / "soffice.log", "wb") as log:
        proc = subprocess.Popen(
            [
                soffice,
                "--headless",
                "--invisible",
                "--norestore",
                "--nologo",
                "--nodefault",
                "--nolockcheck",
                f"--accept=pipe,name={pipe};urp;",
                f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    return proc, pipe


def connect_context(proc: subprocess.Popen, pipe: str, tmp: Path):
    """The component context of the soffice started by _start_soffice, once it answers."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + CONNECT_TIMEOUT
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if proc.poll() is not None:
                err = (tmp / "soffice.log").read_text("utf-8", "replace")
                raise FillError(f"soffice exited early ({proc.returncode}): {err}") from None
            if time.monotonic() > deadline:
                raise FillError(f"no UNO connection after {CONNECT_TIMEOUT:.0f} s") from None
            time.sleep(0.1)


def _stop(proc: subprocess.Popen, desktop) -> None:
    if desktop is not None:
        # The bridge drops while soffice quits: a DisposedException is expected.
        with contextlib.suppress(Exception):
            desktop.terminate()
    try:
        proc.wait(timeout=30 if desktop is not None else 0.1)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def run_specs(argv: list[str] | None, name: str, doc: str, work, verb: str) -> int:
    """The command line of spec script `name`: one soffice, `work(ctx, desktop, spec)` per spec."""
    ap = argparse.ArgumentParser(prog=name, description=doc.splitlines()[0])
    ap.add_argument("spec", help="JSON spec file, or - for stdin")
    ap.add_argument("--soffice", default=os.environ.get("TOOLKIT_SOFFICE") or "soffice")
    args = ap.parse_args(argv)
    raw = sys.stdin.read() if args.spec == "-" else Path(args.spec).read_text(encoding="utf-8")
    specs = json.loads(raw)
    if isinstance(specs, dict):
        specs = [specs]
    soffice = shutil.which(args.soffice) or args.soffice
    with tempfile.TemporaryDirectory(prefix=f"{name}_") as tmp:
        desktop = None
        try:
            proc, pipe = _start_soffice(soffice, Path(tmp))
        except OSError as exc:
            print(f"{name}: cannot start {soffice}: {exc}", file=sys.stderr)
            return 1
        try:
            ctx = connect_context(proc, pipe, Path(tmp))
            desktop = ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.Desktop", ctx
            )
            for spec in specs:
                work(ctx, desktop, spec)
                print(f"{verb} {spec['output']}")
        except (FillError, KeyError) as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            return 1
        except Exception as exc:  # UNO exceptions: report, don't leak soffice
            print(f"{name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        finally:
            _stop(proc, desktop)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_specs(
        argv, "uno_fill", __doc__, lambda ctx, desktop, spec: fill_document(desktop, spec), "filled"
    )


if __name__ == "__main__":
    sys.exit(main())
