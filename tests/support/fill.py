"""Fill a generated form by editing its cells with lxml (fast; no LibreOffice).

Each line of a value becomes its own paragraph, as a person pressing Enter
would type it. Columns are named by header text (`进展情况` matches
`第三季度进展情况`), rows by their 序号.
"""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

from lxml import etree

from toolkit.core import rules

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _text(el: etree._Element) -> str:
    return "".join(t.text or "" for t in el.iter(_q("t")))


def set_cell_text(tc: etree._Element, value: str) -> None:
    paragraphs = tc.findall("w:p", NS)
    template = paragraphs[0]
    ppr = template.find("w:pPr", NS)
    rpr = template.find(".//w:rPr", NS)
    if rpr is None and ppr is not None:
        rpr = ppr.find("w:rPr", NS)
    for p in paragraphs:
        tc.remove(p)
    for line in value.split("\n"):
        p = etree.SubElement(tc, _q("p"))
        if ppr is not None:
            p.append(copy.deepcopy(ppr))
        if line:
            r = etree.SubElement(p, _q("r"))
            if rpr is not None:
                r.append(copy.deepcopy(rpr))
            t = etree.SubElement(r, _q("t"))
            t.text = line
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def fill_form(src: Path, dst: Path, rows: dict[str, dict[str, str]]) -> Path:
    """Write `dst`: `src` with cells set, e.g. {"10-3": {"进展情况": "1.…", "进度评价": "正常推进"}}."""
    with zipfile.ZipFile(src) as zin:
        entries = [(i, zin.read(i)) for i in zin.infolist()]
    doc = dict((i.filename, d) for i, d in entries)["word/document.xml"]
    root = etree.fromstring(doc)
    pending = dict(rows)
    for tbl in root.iter(_q("tbl")):
        trs = tbl.findall("w:tr", NS)
        header_at = next(
            (
                i
                for i, tr in enumerate(trs)
                if rules.is_project_header_row([_text(tc) for tc in tr.findall("w:tc", NS)])
            ),
            None,
        )
        if header_at is None:
            continue
        headers = [rules.clean_header(_text(tc)) for tc in trs[header_at].findall("w:tc", NS)]
        id_col = next(i for i, h in enumerate(headers) if rules.header_key(h) == rules.ID)
        for tr in trs[header_at + 1 :]:
            cells = tr.findall("w:tc", NS)
            pid = rules.normalize_id(_text(cells[id_col])) if len(cells) > id_col else ""
            for column, value in pending.pop(pid, {}).items():
                matches = [i for i, h in enumerate(headers) if column in h]
                assert len(matches) == 1, f"column {column!r} not unique in {headers}"
                set_cell_text(cells[matches[0]], value)
    assert not pending, f"rows not found in {src.name}: {sorted(pending)}"
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, content in entries:
            zout.writestr(info, data if info.filename == "word/document.xml" else content)
    return dst
