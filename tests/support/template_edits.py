"""Templates edited the way a maintainer's editor would leave them, without the editor.

Each helper copies a real .docx (usually the shipped form.docx or
summary.docx) and changes the XML of one part: text replaced, elements
edited with lxml, parts added. `check_json` runs `toolkit template check
--json` on the result.
"""

from __future__ import annotations

import copy
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from support.cli import invoke

ROOT = Path(__file__).resolve().parents[2]
FORM = ROOT / "templates" / "form.docx"
SUMMARY = ROOT / "templates" / "summary.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
DOCUMENT = "word/document.xml"


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def rewrite(
    src: Path,
    dst: Path,
    change: Callable[[bytes], bytes],
    *,
    part: str = DOCUMENT,
    added: dict[str, bytes] | None = None,
) -> Path:
    """`src` with `part` changed by `change`, and the `added` parts appended."""
    with zipfile.ZipFile(src) as zin:
        entries = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in entries:
            out.writestr(info, change(data) if info.filename == part else data)
        for name, data in (added or {}).items():
            out.writestr(name, data)
    return dst


def replaced(src: Path, dst: Path, *pairs: tuple[str, str], part: str = DOCUMENT) -> Path:
    """`src` with each text of `part` replaced once (each must be there)."""

    def change(data: bytes) -> bytes:
        xml = data.decode("utf-8")
        for old, new in pairs:
            assert old in xml, old
            xml = xml.replace(old, new, 1)
        return xml.encode("utf-8")

    return rewrite(src, dst, change, part=part)


def edited(src: Path, dst: Path, edit: Callable[[etree._Element], None]) -> Path:
    """`src` with word/document.xml changed in place by `edit`."""

    def change(data: bytes) -> bytes:
        root = etree.fromstring(data)
        edit(root)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    return rewrite(src, dst, change)


def check_json(path: Path, *args: str) -> tuple[int, dict]:
    result = invoke("template", "check", path, "--json", *args)
    return result.exit_code, json.loads(result.stdout)


def _cell_text(tc: etree._Element) -> str:
    return "".join(t.text or "" for t in tc.iter(q("t")))


def add_column(
    before: str, header: str, value: str, width: int = 1000
) -> Callable[[etree._Element], None]:
    """Insert a column left of the `before` column, as Word's 在左侧插入 does.

    Header cell `header`, the 示例 row `-`, the project row `value`, the
    {%tr %} rows an empty cell; the width comes out of the widest column so
    the table keeps its width.
    """

    def edit(root: etree._Element) -> None:
        tbl = root.find(f".//{q('tbl')}")
        grid = tbl.find(q("tblGrid"))
        cols = grid.findall(q("gridCol"))
        rows = tbl.findall(q("tr"))
        heads = [_cell_text(tc) for tc in rows[0].findall(q("tc"))]
        at = heads.index(before)
        widest = max(range(len(cols)), key=lambda i: int(cols[i].get(q("w"))))
        cols[widest].set(q("w"), str(int(cols[widest].get(q("w"))) - width))
        new_col = etree.Element(q("gridCol"))
        new_col.set(q("w"), str(width))
        cols[at].addprevious(new_col)
        for tr in rows:
            cells = tr.findall(q("tc"))
            text = _cell_text(cells[at])
            new = copy.deepcopy(cells[at])
            new.find(f"{q('tcPr')}/{q('tcW')}").set(q("w"), str(width))
            paragraphs = new.findall(q("p"))
            for p in paragraphs[1:]:
                new.remove(p)
            runs = paragraphs[0].findall(q("r"))
            for r in runs[1:]:
                paragraphs[0].remove(r)
            content = header if tr is rows[0] else value if "{{" in text else "-" if text else ""
            if runs:
                runs[0].find(q("t")).text = content
            cells[at].addprevious(new)

    return edit
