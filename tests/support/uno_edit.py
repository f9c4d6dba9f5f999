"""Edit a template in LibreOffice Writer the way a maintainer does, through its UI commands.

Run with the system Python that has the ``uno`` module, not the venv:

    /usr/bin/python3 tests/support/uno_edit.py SPEC.json [--soffice PATH]

SPEC.json is one object or a list of them:

    {"input": "form.docx", "output": "edited.docx", "steps": [
        {"do": "insert_column", "side": "before", "at": {"row": "序号", "column": "主办单位"}},
        {"do": "type", "at": {"row": "序号", "column": "主办单位", "offset": -1}, "text": "责任人"},
        {"do": "delete_column", "at": {"row": "序号", "column": "协办单位"}},
        {"do": "footnote", "after": "填报单位：", "text": "截至{{ period_end }}"},
        {"do": "insert_row", "at": {"row": "10-3", "column": "序号"}},
        {"do": "type", "at": {"row": "10-3", "column": "进展情况", "rows_down": 1}, "text": "续写"}]}

A place in the table is a row (the first row of the first table with a cell
containing `row`) and a column (the header cell containing `column` in the
row holding "序号", moved by `offset` columns; `rows_down` rows below the
row holding `row`). Each step is what the menus do: the view cursor is put
into the cell, then Table > Insert > Columns Before/After
(.uno:InsertColumnsBefore/After), Table > Insert > Rows Below
(.uno:InsertRowsAfter), Table > Delete > Columns (.uno:DeleteColumns),
Insert > Footnote (.uno:InsertFootnote) run through the dispatcher; text is
typed with .uno:InsertText. The document is saved
as Word 2007-365 (.docx). Exits 1 with a message on stderr on failure.
"""

from __future__ import annotations

import sys
from pathlib import Path

from uno_fill import FillError, _props, _rows, _squash, open_document, run_specs, save_docx

HEADER = "序号"


def _table_cells(doc, at: dict):
    """(table, row cells {col: cell}, column index) of a place."""
    tables = doc.getTextTables()
    for i in range(tables.getCount()):
        rows = _rows(tables.getByIndex(i))
        header = next((r for n, r in sorted(rows.items()) if _has(r, HEADER)), None)
        found = next((n for n, r in sorted(rows.items()) if _has(r, at["row"])), None)
        target = None if found is None else rows.get(found + at.get("rows_down", 0))
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
    doc = open_document(desktop, src)
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
            elif step["do"] == "insert_row":
                run(".uno:InsertRowsAfter")
            elif step["do"] == "delete_column":
                run(".uno:DeleteColumns")
            elif step["do"] == "type":
                run(".uno:InsertText", Text=step["text"])
            else:
                raise FillError(f"unknown step {step['do']!r}")
        save_docx(doc, dst)
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
    return run_specs(argv, "uno_edit", __doc__, edit_document, "edited")


if __name__ == "__main__":
    sys.exit(main())
