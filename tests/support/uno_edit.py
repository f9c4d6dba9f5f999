"""Edit a template in LibreOffice Writer the way a maintainer does, through its UI commands.

Run with the system Python that has the ``uno`` module, not the venv:

    /usr/bin/python3 tests/support/uno_edit.py SPEC.json [--soffice PATH]

SPEC.json is one object or a list of them:

    {"input": "form.docx", "output": "edited.docx", "steps": [
        {"do": "insert_column", "side": "before", "at": {"row": "序号", "column": "主办单位"}},
        {"do": "type", "at": {"row": "序号", "column": "主办单位", "offset": -1}, "text": "责任人"},
        {"do": "delete_column", "at": {"row": "序号", "column": "协办单位"}},
        {"do": "footnote", "after": "填报单位：", "text": "截至{{ period_end }}"}]}

A place in the table is a row (the first row of the first table with a cell
containing `row`) and a column (the header cell containing `column` in the
row holding "序号", moved by `offset` columns). Each step is what the menus
do: the view cursor is put into the cell, then Table > Insert > Columns
Before/After (.uno:InsertColumnsBefore/After), Table > Delete > Columns
(.uno:DeleteColumns), Insert > Footnote (.uno:InsertFootnote) run through
the dispatcher; text is typed with .uno:InsertText. The document is saved
as Word 2007-365 (.docx). Exits 1 with a message on stderr on failure.
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
from uno_fill import (
    FillError,
    _props,
    _rows,
    _squash,
    _start_soffice,
    _stop,
    connect_context,
)

HEADER = "序号"


def _table_cells(doc, at: dict):
    """(table, row cells {col: cell}, column index) of a place."""
    tables = doc.getTextTables()
    for i in range(tables.getCount()):
        rows = _rows(tables.getByIndex(i))
        header = next((r for n, r in sorted(rows.items()) if _has(r, HEADER)), None)
        target = next((r for n, r in sorted(rows.items()) if _has(r, at["row"])), None)
        if header is None or target is None:
            continue
        col = next((c for c, cell in header.items() if _squash(at["column"]) in _text(cell)), None)
        if col is None:
            raise FillError(f"no header cell with {at['column']!r}")
        return target, col + at.get("offset", 0)
    raise FillError(f"no table with a row holding {at['row']!r} and a {HEADER} header")


def _text(cell) -> str:
    return _squash(cell.getString())


def _has(row: dict, text: str) -> bool:
    return any(_squash(text) in _text(cell) for cell in row.values())


def _cursor_into(doc, cell) -> None:
    doc.getCurrentController().getViewCursor().gotoRange(cell.getText().getEnd(), False)


def edit_document(ctx, desktop, spec: dict) -> None:
    src, dst = Path(spec["input"]).resolve(), Path(spec["output"]).resolve()
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(str(src)), "_blank", 0, _props(Hidden=True, ReadOnly=False)
    )
    if doc is None:
        raise FillError(f"LibreOffice could not open {src}")
    helper = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
    frame = doc.getCurrentController().getFrame()

    def run(command: str, **args: object) -> None:
        helper.executeDispatch(frame, command, "", 0, _props(**args))

    try:
        for step in spec["steps"]:
            if step["do"] == "footnote":
                paragraph = _paragraph_with(doc, step["after"])
                doc.getCurrentController().getViewCursor().gotoRange(paragraph.getEnd(), False)
                run(".uno:InsertFootnote")
                run(".uno:InsertText", Text=step["text"])
                continue
            row, col = _table_cells(doc, step["at"])
            if col not in row:
                raise FillError(f"no cell at column {col} of the row holding {step['at']['row']!r}")
            _cursor_into(doc, row[col])
            if step["do"] == "insert_column":
                side = "Before" if step.get("side", "after") == "before" else "After"
                run(f".uno:InsertColumns{side}")
            elif step["do"] == "delete_column":
                run(".uno:DeleteColumns")
            elif step["do"] == "type":
                run(".uno:InsertText", Text=step["text"])
            else:
                raise FillError(f"unknown step {step['do']!r}")
        dst.parent.mkdir(parents=True, exist_ok=True)
        doc.storeToURL(
            uno.systemPathToFileUrl(str(dst)),
            _props(FilterName="MS Word 2007 XML", Overwrite=True),
        )
    finally:
        doc.close(True)


def _paragraph_with(doc, text: str):
    paragraphs = doc.getText().createEnumeration()
    while paragraphs.hasMoreElements():
        p = paragraphs.nextElement()
        if p.supportsService("com.sun.star.text.Paragraph") and text in p.getString():
            return p
    raise FillError(f"no paragraph with {text!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("spec", help="JSON spec file")
    ap.add_argument("--soffice", default=os.environ.get("TOOLKIT_SOFFICE") or "soffice")
    args = ap.parse_args(argv)
    specs = json.loads(Path(args.spec).read_text(encoding="utf-8"))
    if isinstance(specs, dict):
        specs = [specs]
    soffice = shutil.which(args.soffice) or args.soffice
    with tempfile.TemporaryDirectory(prefix="uno_edit_") as tmp:
        desktop = None
        try:
            proc, pipe = _start_soffice(soffice, Path(tmp))
        except OSError as exc:
            print(f"uno_edit: cannot start {soffice}: {exc}", file=sys.stderr)
            return 1
        try:
            ctx = connect_context(proc, pipe, Path(tmp))
            desktop = ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.Desktop", ctx
            )
            for spec in specs:
                edit_document(ctx, desktop, spec)
                print(f"edited {spec['output']}")
        except (FillError, KeyError) as exc:
            print(f"uno_edit: {exc}", file=sys.stderr)
            return 1
        except Exception as exc:  # UNO exceptions: report, don't leak soffice
            print(f"uno_edit: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        finally:
            _stop(proc, desktop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
