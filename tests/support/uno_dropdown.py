"""Choose 进度评价 from the form's drop-down list, as a unit does in LibreOffice.

Run with the system Python that has the ``uno`` module, not the venv:

    /usr/bin/python3 tests/support/uno_dropdown.py SPEC.json [--soffice PATH]

SPEC.json is one object or a list of them:

    {"input": "form.docx", "output": "filled.docx", "report": "controls.json",
     "rows": {"10-3": "进度滞后"}}

Each row's 进度评价 cell must hold a drop-down content control; the value
must be one of its items, and is put in as choosing it from the list does
(the control's text is set, the control stays). `report` receives, per
row of the form, the items LibreOffice shows in that cell's list. The
result is saved as .docx. Exits 1 with a message when a cell has no list or
the value is not in it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from uno_fill import FillError, _project_tables, open_document, run_specs, save_docx


def _control(cell):  # type: ignore[no-untyped-def]
    """The content control in a cell, if any."""
    paragraphs = cell.getText().createEnumeration()
    while paragraphs.hasMoreElements():
        portions = paragraphs.nextElement().createEnumeration()
        while portions.hasMoreElements():
            portion = portions.nextElement()
            if portion.TextPortionType == "ContentControl":
                return portion.ContentControl
    return None


def _items(control) -> list[str]:  # type: ignore[no-untyped-def]
    return [dict((p.Name, p.Value) for p in item)["DisplayText"] for item in control.ListItems]


def choose(desktop, spec: dict) -> None:  # type: ignore[no-untyped-def]
    src, dst = Path(spec["input"]).resolve(), Path(spec["output"]).resolve()
    doc = open_document(desktop, src)
    try:
        seen: dict[str, list[str]] = {}
        for header, body in _project_tables(doc):
            col = next(c for c, text in header.items() if "进度评价" in text)
            for row_id, cells in body.items():
                control = _control(cells[col])
                seen[row_id] = _items(control) if control is not None else []
                value = spec.get("rows", {}).get(row_id)
                if value is None:
                    continue
                if control is None:
                    raise FillError(f"{src.name}: row {row_id!r} has no drop-down list")
                if value not in seen[row_id]:
                    raise FillError(f"{src.name}: {value!r} is not in the list of {row_id!r}")
                control.getText().setString(value)
        save_docx(doc, dst)
        if spec.get("report"):
            Path(spec["report"]).write_text(json.dumps(seen, ensure_ascii=False), "utf-8")
    finally:
        doc.close(True)


def main(argv: list[str] | None = None) -> int:
    return run_specs(
        argv, "uno_dropdown", __doc__, lambda ctx, desktop, spec: choose(desktop, spec), "chose"
    )


if __name__ == "__main__":
    sys.exit(main())
